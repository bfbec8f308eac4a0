import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { performHttp } from './http.js';
import { startTestServer, type TestServer } from './test-server.js';
import type { EffectCommand, EffectContext } from './types.js';

let server: TestServer;
const now = Date.parse('2026-01-01T00:00:00Z');
const context: EffectContext = { runId: 'run-1', workflow: { id: 'wf-id', name: 'wf' }, now: () => now };

function command(inputs: unknown, extra: Partial<EffectCommand> = {}): EffectCommand {
  return {
    kind: 'effect',
    id: 'e1',
    path: 'Call',
    actionName: 'Call',
    actionType: 'Http',
    inputs,
    attempt: 1,
    idempotencyKey: 'run-1/Call/1',
    ...extra,
  };
}

before(async () => {
  server = await startTestServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    switch (url.pathname) {
      case '/json':
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ method: req.method, q: Object.fromEntries(url.searchParams), got: req.body }));
        return;
      case '/text':
        res.setHeader('content-type', 'text/plain');
        res.end('hello');
        return;
      case '/binary':
        res.setHeader('content-type', 'application/octet-stream');
        res.end(Buffer.from([0, 1, 2, 255]));
        return;
      case '/empty':
        res.statusCode = 204;
        res.end();
        return;
      case '/fail500':
        res.statusCode = 500;
        res.setHeader('retry-after', '7');
        res.end('oops');
        return;
      case '/fail404':
        res.statusCode = 404;
        res.end();
        return;
      case '/throttle':
        res.statusCode = 429;
        res.setHeader('retry-after', new Date(now + 30_000).toUTCString());
        res.end();
        return;
      case '/accepted':
        res.statusCode = 202;
        res.setHeader('location', `${server.url}/status`);
        res.end();
        return;
      case '/status':
        res.setHeader('content-type', 'application/json');
        res.end('{"done":true}');
        return;
      case '/slow':
        setTimeout(() => res.end('late'), 2_000);
        return;
      default:
        res.statusCode = 400;
        res.end();
    }
  });
});
after(() => server.close());

describe('Http effect', () => {
  const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
  for (const method of methods) {
    test(`sends ${method}`, async () => {
      const result = await performHttp(command({ method: method.toLowerCase(), uri: `${server.url}/json` }), context);
      assert.equal(result.status, 'Succeeded');
      const outputs = result.outputs as { statusCode: number; body: { method: string } };
      assert.equal(outputs.statusCode, 200);
      assert.equal(outputs.body.method, method);
    });
  }

  test('appends queries, sends headers, serialises an object body as JSON', async () => {
    const result = await performHttp(
      command({
        method: 'POST',
        uri: `${server.url}/json?a=1`,
        queries: { b: 'two words', n: 3 },
        headers: { 'X-Custom': 'yes' },
        body: { x: 1, big: 9007199254740993n, list: [true, null] },
      }),
      context,
    );
    assert.equal(result.status, 'Succeeded');
    const outputs = result.outputs as { headers: Record<string, string>; body: { q: unknown; got: string } };
    assert.deepEqual(outputs.body.q, { a: '1', b: 'two words', n: '3' });
    assert.equal(outputs.body.got, '{"x":1,"big":9007199254740993,"list":[true,null]}');
    assert.match(outputs.headers['Content-Type'] ?? '', /application\/json/);
    const sent = server.requests.at(-1)!;
    assert.equal(sent.headers['x-custom'], 'yes');
    assert.match(String(sent.headers['content-type']), /application\/json/);
    assert.equal(sent.headers['x-ms-workflow-run-id'], 'run-1');
    assert.equal(sent.headers['x-ms-workflow-operation-name'], 'Call');
    assert.equal(sent.headers['x-ms-client-request-id'], 'run-1/Call/1');
    assert.equal(sent.headers['idempotency-key'], 'run-1/Call/1');
  });

  test('sends a string body as-is and a content envelope as bytes', async () => {
    await performHttp(command({ method: 'POST', uri: `${server.url}/json`, body: 'plain {text}' }), context);
    assert.equal(server.requests.at(-1)!.body, 'plain {text}');
    assert.match(String(server.requests.at(-1)!.headers['content-type']), /text\/plain/);
    const envelope = { '$content-type': 'application/xml', $content: Buffer.from('<a/>').toString('base64') };
    await performHttp(command({ method: 'POST', uri: `${server.url}/json`, body: envelope }), context);
    assert.equal(server.requests.at(-1)!.body, '<a/>');
    assert.equal(server.requests.at(-1)!.headers['content-type'], 'application/xml');
  });

  test('a caller-set Content-Type wins', async () => {
    await performHttp(
      command({ method: 'POST', uri: `${server.url}/json`, headers: { 'content-type': 'text/csv' }, body: 'a,b' }),
      context,
    );
    assert.equal(server.requests.at(-1)!.headers['content-type'], 'text/csv');
  });

  test('response bodies: text as string, binary as envelope, empty omitted', async () => {
    const text = await performHttp(command({ method: 'GET', uri: `${server.url}/text` }), context);
    assert.equal((text.outputs as { body: unknown }).body, 'hello');
    const binary = await performHttp(command({ method: 'GET', uri: `${server.url}/binary` }), context);
    assert.deepEqual((binary.outputs as { body: unknown }).body, {
      '$content-type': 'application/octet-stream',
      $content: Buffer.from([0, 1, 2, 255]).toString('base64'),
    });
    const empty = await performHttp(command({ method: 'GET', uri: `${server.url}/empty` }), context);
    assert.equal(empty.status, 'Succeeded');
    assert.deepEqual(Object.keys(empty.outputs as object).sort(), ['headers', 'statusCode']);
  });

  test('Basic and Raw authentication set Authorization', async () => {
    await performHttp(
      command({
        method: 'GET',
        uri: `${server.url}/json`,
        authentication: { type: 'Basic', username: 'u', password: 'p:w' },
      }),
      context,
    );
    assert.equal(server.requests.at(-1)!.headers.authorization, `Basic ${Buffer.from('u:p:w').toString('base64')}`);
    await performHttp(
      command({ method: 'GET', uri: `${server.url}/json`, authentication: { type: 'raw', value: 'Bearer abc' } }),
      context,
    );
    assert.equal(server.requests.at(-1)!.headers.authorization, 'Bearer abc');
  });

  for (const type of ['ClientCertificate', 'ManagedServiceIdentity', 'ActiveDirectoryOAuth']) {
    test(`${type} authentication fails clearly without sending`, async () => {
      const count = server.requests.length;
      const result = await performHttp(
        command({ method: 'GET', uri: `${server.url}/json`, authentication: { type } }),
        context,
      );
      assert.equal(result.status, 'Failed');
      assert.equal(result.error?.code, 'UnsupportedAuthentication');
      assert.equal(result.retryable, undefined);
      assert.equal(server.requests.length, count);
    });
  }

  const failures = [
    { path: '/fail500', code: 'InternalServerError', retryable: true, retryAfterMs: 7000 },
    { path: '/fail404', code: 'NotFound', retryable: false, retryAfterMs: undefined },
    { path: '/throttle', code: 'TooManyRequests', retryable: true, retryAfterMs: 30_000 },
  ];
  for (const f of failures) {
    test(`${f.path} → Failed ${f.code}, retryable ${f.retryable}`, async () => {
      const result = await performHttp(command({ method: 'GET', uri: `${server.url}${f.path}` }), context);
      assert.equal(result.status, 'Failed');
      assert.equal(result.error?.code, f.code);
      assert.equal(result.retryable, f.retryable);
      assert.equal(result.retryAfterMs, f.retryAfterMs);
      assert.ok(typeof (result.outputs as { statusCode: number }).statusCode === 'number');
    });
  }

  test('202 with Location succeeds; a poll command GETs the Location', async () => {
    const first = await performHttp(command({ method: 'POST', uri: `${server.url}/accepted`, body: {} }), context);
    assert.equal(first.status, 'Succeeded');
    const outputs = first.outputs as { statusCode: number; headers: Record<string, string> };
    assert.equal(outputs.statusCode, 202);
    assert.equal(outputs.headers.Location, `${server.url}/status`);
    const poll = await performHttp(
      command(
        { method: 'POST', uri: `${server.url}/accepted`, location: outputs.headers.Location },
        { operation: 'poll', attempt: 2 },
      ),
      context,
    );
    assert.equal(poll.status, 'Succeeded');
    assert.deepEqual((poll.outputs as { body: unknown }).body, { done: true });
    assert.equal(server.requests.at(-1)!.method, 'GET');
    assert.equal(server.requests.at(-1)!.url, '/status');
  });

  test('connection refused → Failed ConnectionFailed, retryable', async () => {
    const result = await performHttp(command({ method: 'GET', uri: 'http://127.0.0.1:1/' }), context);
    assert.equal(result.error?.code, 'ConnectionFailed');
    assert.equal(result.retryable, true);
  });

  test('per-request timeout → Failed RequestTimeout, retryable', async () => {
    const result = await performHttp(command({ method: 'GET', uri: `${server.url}/slow` }), context, {
      requestTimeoutMs: 100,
    });
    assert.equal(result.status, 'Failed');
    assert.equal(result.error?.code, 'RequestTimeout');
    assert.equal(result.retryable, true);
  });

  test('the action deadline (timeoutAt) → TimedOut ActionTimedOut', async () => {
    const result = await performHttp(
      command({ method: 'GET', uri: `${server.url}/slow` }, { timeoutAt: now + 100 }),
      context,
    );
    assert.equal(result.status, 'TimedOut');
    assert.equal(result.error?.code, 'ActionTimedOut');
    const past = await performHttp(
      command({ method: 'GET', uri: `${server.url}/json` }, { timeoutAt: now - 1 }),
      context,
    );
    assert.equal(past.status, 'TimedOut');
  });

  const invalid = [
    { name: 'bad uri', inputs: { method: 'GET', uri: 'not a url' } },
    { name: 'ftp uri', inputs: { method: 'GET', uri: 'ftp://x/' } },
    { name: 'bad method', inputs: { method: 'GE T', uri: 'http://127.0.0.1/' } },
    { name: 'queries not object', inputs: { method: 'GET', uri: 'http://127.0.0.1/', queries: [1] } },
    { name: 'inputs not object', inputs: 'x' },
  ];
  for (const c of invalid) {
    test(`invalid inputs: ${c.name} → InvalidHttpInputs`, async () => {
      const result = await performHttp(command(c.inputs), context);
      assert.equal(result.status, 'Failed');
      assert.equal(result.error?.code, 'InvalidHttpInputs');
    });
  }

  test('SuppressWorkflowHeaders leaves the x-ms-workflow headers out', async () => {
    await performHttp(
      command({ method: 'GET', uri: `${server.url}/json`, operationOptions: 'SuppressWorkflowHeaders' }),
      context,
    );
    assert.equal(server.requests.at(-1)!.headers['x-ms-workflow-run-id'], undefined);
  });
});
