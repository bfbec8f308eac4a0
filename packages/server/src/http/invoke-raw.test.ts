// The trigger fast path (invoke-raw.ts) answers every call as the fastify route does: each case is
// sent once through fastify (app.inject) and once over a real socket, and the two answers must
// agree. Each case also says whether the fast path takes it or leaves it to fastify (seen by a
// fastify onRequest hook), so a fast path that declined everything would fail here too.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { testServer, type TestServer } from './test-support.js';

const SCHEMA =
  'https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#';

const flows = {
  echo: {
    triggers: { manual: { type: 'Request', kind: 'Http', inputs: { method: 'POST' } } },
    actions: {
      Response: {
        type: 'Response',
        inputs: {
          statusCode: 200,
          headers: { 'X-Echo': 'yes' },
          body: {
            body: '@triggerBody()',
            queries: "@triggerOutputs()?['queries']",
            type: "@triggerOutputs()?['headers']?['Content-Type']",
          },
        },
        runAfter: {},
      },
    },
  },
  order: {
    triggers: { manual: { type: 'Request', kind: 'Http', inputs: { method: 'GET', relativePath: '/orders/{id}' } } },
    actions: {
      Response: {
        type: 'Response',
        inputs: { statusCode: 200, body: "order @{triggerOutputs()?['relativePathParameters']?['id']}" },
        runAfter: {},
      },
    },
  },
  accepted: {
    triggers: { manual: { type: 'Request', kind: 'Http' } },
    actions: { Compose: { type: 'Compose', inputs: 1, runAfter: {} } },
  },
  empty: {
    triggers: { manual: { type: 'Request', kind: 'Http' } },
    actions: { Response: { type: 'Response', inputs: { statusCode: 204, body: 'dropped' }, runAfter: {} } },
  },
} as const;

interface Case {
  name: string;
  flow: keyof typeof flows;
  method: string;
  /** Appended to the flow's signed base path; `?` starts the query (the signature's is added). */
  path?: string;
  /** Replaces the signed query. */
  query?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Whether fastify sees the call (the fast path declined it). */
  viaFastify: boolean;
}

const json = { 'content-type': 'application/json' };
const cases: Case[] = [
  { name: 'a JSON body', flow: 'echo', method: 'POST', headers: json, body: '{"n":1}', viaFastify: false },
  { name: 'an empty JSON body', flow: 'echo', method: 'POST', headers: json, body: '', viaFastify: false },
  { name: 'no body, no type', flow: 'echo', method: 'POST', viaFastify: false },
  {
    name: 'a text body',
    flow: 'echo',
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: 'hi',
    viaFastify: false,
  },
  { name: 'bytes, no type', flow: 'echo', method: 'POST', body: 'raw', viaFastify: false },
  { name: 'invalid JSON', flow: 'echo', method: 'POST', headers: json, body: '{"n":', viaFastify: false },
  {
    name: 'JSON too deep',
    flow: 'echo',
    method: 'POST',
    headers: json,
    body: '['.repeat(200) + ']'.repeat(200),
    viaFastify: false,
  },
  {
    name: 'queries, one repeated',
    flow: 'echo',
    method: 'POST',
    path: '?a=1&b=x+y&a=2',
    headers: json,
    body: '{}',
    viaFastify: false,
  },
  {
    name: 'a bad signature',
    flow: 'echo',
    method: 'POST',
    query: 'api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=nope',
    viaFastify: false,
  },
  { name: 'no api-version', flow: 'echo', method: 'POST', query: 'sig=x', viaFastify: false },
  { name: 'the wrong method', flow: 'echo', method: 'PUT', headers: json, body: '{}', viaFastify: false },
  { name: 'a relative path', flow: 'order', method: 'GET', path: '/orders/42', viaFastify: false },
  {
    name: 'a relative path that does not match',
    flow: 'order',
    method: 'GET',
    path: '/customers/42',
    viaFastify: false,
  },
  { name: 'a relative path, trailing slash', flow: 'order', method: 'GET', path: '/orders/7/', viaFastify: false },
  { name: 'no Response: 202', flow: 'accepted', method: 'POST', headers: json, body: '{}', viaFastify: false },
  { name: 'a 204 Response drops its body', flow: 'empty', method: 'POST', viaFastify: false },
  { name: 'HEAD goes to fastify', flow: 'order', method: 'HEAD', path: '/orders/1', viaFastify: true },
  { name: 'an escaped path goes to fastify', flow: 'order', method: 'GET', path: '/orders/4%202', viaFastify: true },
  {
    name: 'a body over the limit goes to fastify',
    flow: 'echo',
    method: 'POST',
    headers: json,
    body: JSON.stringify({ s: 'x'.repeat(3000) }),
    viaFastify: true,
  },
  {
    name: 'a malformed content type goes to fastify',
    flow: 'echo',
    method: 'POST',
    headers: { 'content-type': 'json' },
    body: '{}',
    viaFastify: true,
  },
];

interface Answer {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

/** The headers that say something about the call (not the run id, the date or the connection). */
const COMPARED = [
  'content-type',
  'content-length',
  'x-echo',
  'x-ms-trigger-skipped',
  'www-authenticate',
  'retry-after',
];

function pick(headers: Record<string, string | string[] | number | undefined>): Answer['headers'] {
  return Object.fromEntries(
    COMPARED.map((name) => [name, headers[name] === undefined ? undefined : String(headers[name])]),
  );
}

describe('the trigger fast path', () => {
  let t: TestServer;
  let origin: string;
  const signed: Record<string, { base: string; query: string }> = {};
  const seenByFastify: string[] = [];

  before(async () => {
    t = await testServer({ bodyLimit: 2048 });
    t.server.app.addHook('onRequest', (request, _reply, done) => {
      if (request.url.includes('/paths/invoke')) seenByFastify.push(request.url);
      done();
    });
    await t.server.app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(t.server.app.server.address() as AddressInfo).port}`;
    t.server.setBaseUrl(origin);
    for (const [name, definition] of Object.entries(flows)) {
      const created = await t.server.app.inject({
        method: 'POST',
        url: '/api/v1/flows',
        headers: t.auth,
        payload: { name, definition: { $schema: SCHEMA, contentVersion: '1.0.0.0', ...definition } },
      });
      assert.equal(created.statusCode, 201, created.body);
      const { id } = created.json<{ id: string }>();
      const cb = await t.server.app.inject({
        method: 'POST',
        url: `/api/v1/flows/${id}/triggers/manual/listCallbackUrl`,
        headers: t.auth,
      });
      const url = new URL(cb.json<{ value: string }>().value);
      signed[name] = { base: url.pathname, query: url.search.slice(1) };
    }
  });
  after(() => t.dispose());

  function target(c: Case): string {
    const { base, query } = signed[c.flow]!;
    const [extra = '', own = ''] = (c.path ?? '').split('?');
    return `${base}${extra}?${c.query ?? query}${own ? `&${own}` : ''}`;
  }

  async function viaInject(c: Case): Promise<Answer> {
    const res = await t.server.app.inject({
      method: c.method as 'POST',
      url: target(c),
      headers: c.headers ?? {},
      ...(c.body !== undefined ? { payload: c.body } : {}),
    });
    return { status: res.statusCode, headers: pick(res.headers), body: res.body };
  }

  function viaSocket(c: Case): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(`${origin}${target(c)}`, { method: c.method, headers: c.headers ?? {} }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: pick(res.headers), body: Buffer.concat(chunks).toString() }),
        );
      });
      req.on('error', reject);
      req.end(c.body);
    });
  }

  for (const c of cases) {
    it(`${c.name}: the same answer ${c.viaFastify ? 'from fastify' : 'from the fast path'}`, async () => {
      const expected = await viaInject(c);
      seenByFastify.length = 0;
      const actual = await viaSocket(c);
      assert.equal(seenByFastify.length > 0, c.viaFastify, `seen by fastify: ${seenByFastify.join(', ')}`);
      assert.deepEqual(actual, expected);
    });
  }

  it('a chunked body goes to fastify and is read the same', async () => {
    const c = cases[0]!;
    seenByFastify.length = 0;
    const answer = await new Promise<Answer>((resolve, reject) => {
      const req = httpRequest(`${origin}${target(c)}`, { method: 'POST', headers: json }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: {}, body }));
      });
      req.on('error', reject);
      req.write('{"n":');
      req.end('5}');
    });
    assert.equal(seenByFastify.length, 1);
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.body).body, { n: 5 });
  });
});
