import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns';
import { performHttp } from './http.js';
import { createOutboundClient, maxRedirects, OutboundDeniedError, RedirectError } from './outbound.js';
import { createOutboundPolicy, defaultOutboundPolicy } from './outbound-policy.js';
import { startTestServer, type TestServer } from './test-server.js';
import type { EffectCommand, EffectContext } from './types.js';

/** A DNS stub: names in `table` resolve to the given addresses; everything else as usual. */
function stubLookup(table: Record<string, string[]>): typeof dnsLookup {
  const stub = (hostname: string, options: unknown, callback: (e: Error | null, a: LookupAddress[]) => void): void => {
    const addresses = table[hostname];
    if (!addresses) {
      dnsLookup(hostname, { all: true }, callback);
      return;
    }
    callback(
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };
  return stub as typeof dnsLookup;
}

let a: TestServer;
let b: TestServer;
const now = Date.parse('2026-01-01T00:00:00Z');
const context: EffectContext = { runId: 'run-1', workflow: { id: 'wf-id', name: 'wf' }, now: () => now };

function httpCommand(inputs: unknown): EffectCommand {
  return {
    kind: 'effect',
    id: 'e1',
    path: 'Call',
    actionName: 'Call',
    actionType: 'Http',
    inputs,
    attempt: 1,
    idempotencyKey: 'run-1/Call/1',
  };
}

before(async () => {
  const handler =
    (self: () => TestServer) =>
    (req: { url: string; method: string }, res: ServerResponse): void => {
      const url = new URL(req.url, 'http://x');
      const to = url.searchParams.get('to');
      const status = Number(url.searchParams.get('status') ?? 302);
      if (url.pathname === '/redirect' && to) {
        res.statusCode = status;
        res.setHeader('location', to);
        res.end('moved');
        return;
      }
      if (url.pathname === '/loop') {
        const n = Number(url.searchParams.get('n') ?? 0);
        res.statusCode = 302;
        res.setHeader('location', `${self().url}/loop?n=${n + 1}`);
        res.end();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ server: self().url, method: req.method }));
    };
  a = await startTestServer(handler(() => a));
  b = await startTestServer(handler(() => b));
});
after(async () => {
  await a.close();
  await b.close();
});

describe('outbound client', () => {
  const client = createOutboundClient();

  test('a redirect to the metadata address is refused before anything is sent there', async () => {
    const to = encodeURIComponent('http://169.254.169.254/latest/meta-data/');
    await assert.rejects(
      client.request(`${a.url}/redirect?to=${to}`, { method: 'GET' }),
      (e: unknown) => e instanceof OutboundDeniedError && e.refusal.rule === '169.254.169.254',
    );
  });

  test('names are checked after resolution, on every address, and the connection uses the checked one', async () => {
    const lookup = stubLookup({ 'rebind.test': ['127.0.0.1', '169.254.169.254'], 'inside.test': ['127.0.0.1'] });
    const guarded = createOutboundClient(defaultOutboundPolicy, { lookup });
    const port = new URL(a.url).port;
    await assert.rejects(
      guarded.request(`http://rebind.test:${port}/`, { method: 'GET' }),
      (e: unknown) =>
        e instanceof OutboundDeniedError && e.refusal.host === 'rebind.test' && e.refusal.address === '169.254.169.254',
    );
    const seen = a.requests.length;
    const ok = await guarded.request(`http://inside.test:${port}/`, { method: 'GET' });
    assert.equal(ok.status, 200);
    assert.equal(a.requests.length, seen + 1);
    assert.equal(a.requests.at(-1)?.headers.host, `inside.test:${port}`);
  });

  test('a redirect through a name that resolves to a denied address is refused too', async () => {
    const lookup = stubLookup({ 'meta.test': ['169.254.169.254'] });
    const guarded = createOutboundClient(defaultOutboundPolicy, { lookup });
    const to = encodeURIComponent('http://meta.test/latest');
    await assert.rejects(
      guarded.request(`${a.url}/redirect?to=${to}`, { method: 'GET' }),
      (e: unknown) => e instanceof OutboundDeniedError && e.refusal.address === '169.254.169.254',
    );
  });

  test('an allow list refuses hosts it does not name', async () => {
    const created = createOutboundPolicy({ allow: '*.partner.example' });
    assert.ok('policy' in created);
    const strict = createOutboundClient(created.policy);
    await assert.rejects(
      strict.request(`${a.url}/`, { method: 'GET' }),
      (e: unknown) => e instanceof OutboundDeniedError && e.refusal.rule === 'allow list',
    );
  });

  test('a cross-origin redirect drops credentials; a same-origin one keeps them', async () => {
    const headers = {
      authorization: 'Bearer secret',
      'proxy-authorization': 'Basic x',
      cookie: 'session=1',
      'x-api-key': 'k',
      'x-other': 'kept',
    };
    const cross = encodeURIComponent(`${b.url}/landing`);
    const res = await client.request(`${a.url}/redirect?to=${cross}`, {
      method: 'GET',
      headers,
      credentialHeaders: ['X-Api-Key'],
    });
    assert.equal(res.status, 200);
    const landed = b.requests.at(-1)!;
    assert.equal(landed.url, '/landing');
    for (const name of ['authorization', 'proxy-authorization', 'cookie', 'x-api-key'])
      assert.equal(landed.headers[name], undefined, `${name} crossed origins`);
    assert.equal(landed.headers['x-other'], 'kept');

    const same = encodeURIComponent(`${a.url}/landing`);
    await client.request(`${a.url}/redirect?to=${same}`, { method: 'GET', headers, credentialHeaders: ['x-api-key'] });
    const stayed = a.requests.at(-1)!;
    assert.equal(stayed.url, '/landing');
    assert.equal(stayed.headers.authorization, 'Bearer secret');
    assert.equal(stayed.headers['x-api-key'], 'k');
  });

  const methodCases: Array<[number, string, string, boolean]> = [
    [301, 'POST', 'GET', false],
    [302, 'POST', 'GET', false],
    [303, 'PUT', 'GET', false],
    [303, 'HEAD', 'HEAD', false],
    [302, 'PUT', 'PUT', true],
    [307, 'POST', 'POST', true],
    [308, 'PATCH', 'PATCH', true],
  ];
  for (const [status, method, expected, keepsBody] of methodCases) {
    test(`a ${status} after ${method} goes on as ${expected}${keepsBody ? ' with the body' : ''}`, async () => {
      const to = encodeURIComponent(`${a.url}/landing`);
      const res = await client.request(`${a.url}/redirect?status=${status}&to=${to}`, {
        method,
        headers: { 'content-type': 'text/plain' },
        ...(method === 'HEAD' ? {} : { body: 'payload' }),
      });
      await res.arrayBuffer();
      const landed = a.requests.at(-1)!;
      assert.equal(landed.url, '/landing');
      assert.equal(landed.method, expected);
      assert.equal(landed.body, keepsBody ? 'payload' : '');
      // Only a method change drops the body and the headers that describe it.
      assert.equal(landed.headers['content-type'], method === expected ? 'text/plain' : undefined);
    });
  }

  test(`more than ${maxRedirects} redirects fail`, async () => {
    await assert.rejects(client.request(`${a.url}/loop`, { method: 'GET' }), RedirectError);
  });

  test('followRedirects: false returns the 3xx; the fetch form honours redirect: manual', async () => {
    const to = encodeURIComponent(`${b.url}/`);
    const res = await client.request(`${a.url}/redirect?to=${to}`, { method: 'GET', followRedirects: false });
    assert.equal(res.status, 302);
    const viaFetch = await client.fetch(`${a.url}/redirect?to=${to}`, { method: 'POST', body: '{}' });
    assert.deepEqual(await viaFetch.json(), { server: b.url, method: 'GET' });
  });
});

describe('Http action under the outbound policy', () => {
  test('a redirect to the metadata address fails the action with OutboundDenied, not a retry', async () => {
    const to = encodeURIComponent('http://[::ffff:169.254.169.254]/latest/meta-data/');
    const result = await performHttp(httpCommand({ method: 'GET', uri: `${a.url}/redirect?to=${to}` }), context);
    assert.equal(result.status, 'Failed');
    assert.equal(result.error?.code, 'OutboundDenied');
    assert.match(result.error?.message ?? '', /169\.254\.169\.254/);
    assert.notEqual(result.retryable, true);
  });

  test("the action's authentication header does not follow a cross-origin redirect", async () => {
    const to = encodeURIComponent(`${b.url}/landing-auth`);
    const result = await performHttp(
      httpCommand({
        method: 'GET',
        uri: `${a.url}/redirect?to=${to}`,
        authentication: { type: 'Basic', username: 'u', password: 'p' },
      }),
      context,
    );
    assert.equal(result.status, 'Succeeded', JSON.stringify(result.error));
    assert.ok(a.requests.at(-1)?.headers.authorization?.startsWith('Basic '), 'the first hop had it');
    const landed = b.requests.at(-1)!;
    assert.equal(landed.url, '/landing-auth');
    assert.equal(landed.headers.authorization, undefined);
  });
});
