import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, call, subscribe, testHost } from './test-support.js';

const error = async (res: Response) => ((await res.json()) as { error: { code: string; parameter?: string } }).error;

test('the connector files are served without a key, at the base path', async () => {
  const { host } = testHost();
  for (const [path, part] of [
    ['/apiDefinition.swagger.json', 'apiDefinition'],
    ['/apiProperties.json', 'apiProperties'],
  ] as const) {
    const res = await call(host, 'GET', path, { key: null });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), host.connector()[part]);
  }
  const outside = await host.fetch(new Request('https://crm.example.com/apiDefinition.swagger.json'));
  assert.equal(outside.status, 404, 'only under the base path');
});

test('everything else needs the key: 401 with a JSON error', async () => {
  const { host } = testHost();
  for (const [method, path] of [
    ['POST', '/webhooks/OnRecordChanged?table=customer'],
    ['DELETE', '/webhooks/OnRecordChanged/x'],
    ['GET', '/records/customer/1'],
    ['GET', '/nowhere'],
  ])
    for (const key of [null, 'wrong']) {
      const body = method === 'GET' ? undefined : { callbackUrl: 'https://f.example.com/cb' };
      const res = await call(host, method!, path!, { key, body });
      assert.equal(res.status, 401, `${method} ${path} with ${key}`);
      assert.equal((await error(res)).code, 'Unauthorized');
    }
  assert.deepEqual(await host.subscriptions(), [], 'nothing subscribed');
});

test('subscribe: 201 with a Location under the base URL; the flow and parameters are kept', async () => {
  const { host } = testHost({ now: () => Date.UTC(2026, 0, 2) });
  const location = await subscribe(
    host,
    'OnRecordChanged',
    { table: 'customer', priority: '3' },
    { id: 'f1', name: 'Flow one' },
  );
  assert.match(location, new RegExp(`^${BASE}/webhooks/OnRecordChanged/[0-9a-f-]{36}$`));
  const [s] = await host.subscriptions('OnRecordChanged');
  assert.deepEqual(
    { ...s, id: undefined },
    {
      id: undefined,
      operationId: 'OnRecordChanged',
      flowId: 'f1',
      flowName: 'Flow one',
      parameters: { table: 'customer', priority: 3 },
      callbackUrl: 'https://flows.example.com/hooks/f1',
      createdAt: '2026-01-02T00:00:00.000Z',
    },
  );
  assert.equal(location.endsWith(s!.id), true);
});

test('unsubscribe: DELETE on the Location → 204, then 404; a wrong trigger in the path is 404', async () => {
  const { host } = testHost();
  const location = await subscribe(host, 'OnRecordChanged', { table: 'order' }, { id: 'f1', name: 'F' });
  const path = new URL(location).pathname.slice('/flowbridge'.length);
  const wrong = path.replace('OnRecordChanged', 'OnRecordsImported');
  assert.equal((await call(host, 'DELETE', wrong)).status, 404);
  assert.equal((await call(host, 'DELETE', path)).status, 204);
  assert.deepEqual(await host.subscriptions(), []);
  const again = await call(host, 'DELETE', path);
  assert.equal(again.status, 404);
  assert.equal((await error(again)).code, 'NotFound');
});

test('subscribe refuses bad input with a code naming the parameter', async () => {
  const { host } = testHost();
  const cases: Array<[string, unknown, string, string]> = [
    ['?table=customer', {}, 'MissingParameter', 'body/callbackUrl'],
    ['?table=customer', { callbackUrl: 'javascript:alert(1)' }, 'InvalidParameter', 'body/callbackUrl'],
    ['?table=customer', '{not json', 'InvalidBody', 'body'],
    ['', { callbackUrl: 'https://f.example.com/cb' }, 'MissingParameter', 'table'],
    ['?table=invoice', { callbackUrl: 'https://f.example.com/cb' }, 'InvalidParameter', 'table'],
    ['?table=order&priority=high', { callbackUrl: 'https://f.example.com/cb' }, 'InvalidParameter', 'priority'],
  ];
  for (const [query, body, code, parameter] of cases) {
    const res = await call(host, 'POST', `/webhooks/OnRecordChanged${query}`, { body });
    assert.equal(res.status, 400, `${query} ${JSON.stringify(body)}`);
    assert.deepEqual({ ...(await error(res)), message: undefined }, { code, parameter, message: undefined });
  }
  assert.equal((await call(host, 'POST', '/webhooks/NoSuchTrigger', { body: {} })).status, 404);
  assert.equal((await call(host, 'GET', '/webhooks/OnRecordChanged')).status, 405);
  assert.deepEqual(await host.subscriptions(), []);
});

test('an action gets typed path, query and header parameters and answers JSON', async () => {
  const { host } = testHost();
  const res = await call(host, 'GET', '/records/customer/42?fields=name', { headers: { 'x-tenant': 't1' } });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { id: 42, table: 'customer', fields: 'name' });
  const bad = await call(host, 'GET', '/records/customer/abc', { headers: { 'x-tenant': 't1' } });
  assert.equal(bad.status, 400);
  assert.deepEqual({ ...(await error(bad)), message: 0 }, { code: 'InvalidParameter', parameter: 'id', message: 0 });
  const missing = await call(host, 'GET', '/records/customer/1');
  assert.equal((await error(missing)).parameter, 'x-tenant');
});

test('an action body is checked against requestBody; the handler may choose status and headers', async () => {
  const { host } = testHost();
  const ok = await call(host, 'POST', '/records/customer', { body: { name: 'Ada', tags: ['vip'] } });
  assert.equal(ok.status, 201);
  assert.equal(ok.headers.get('location'), '/records/x/1');
  assert.deepEqual(await ok.json(), { params: { table: 'customer' }, body: { name: 'Ada', tags: ['vip'] } });
  for (const [body, parameter] of [
    [{ tags: [] }, 'body/name'],
    [{ name: 'Ada', tags: [1] }, 'body/tags/0'],
    [undefined, 'body'],
  ] as const) {
    const res = await call(host, 'POST', '/records/customer', { body });
    assert.equal(res.status, 400);
    assert.equal((await error(res)).parameter, parameter);
  }
});

test('a body over 1 MiB is refused with 413 before it is parsed', async () => {
  const { host } = testHost();
  const big = JSON.stringify({ name: 'x'.repeat(1024 * 1024) });
  const res = await call(host, 'POST', '/records/customer', { body: big });
  assert.equal(res.status, 413);
  assert.deepEqual({ ...(await error(res)), message: 0 }, { code: 'PayloadTooLarge', parameter: 'body', message: 0 });
});

test('routing: unknown paths 404, wrong methods 405, a failing handler 500 without its message', async () => {
  const { host } = testHost();
  const literal = await call(host, 'GET', '/records/search/7', { headers: { 'x-tenant': 't' } });
  assert.deepEqual(await literal.json(), { searched: '7' }, 'a literal segment wins over a placeholder');
  const badEscape = await call(host, 'GET', '/records/%E0%A4%A/1', { headers: { 'x-tenant': 't' } });
  assert.deepEqual(
    { ...(await error(badEscape)), message: 0 },
    { code: 'InvalidParameter', parameter: 'table', message: 0 },
  );
  assert.equal((await call(host, 'GET', '/nowhere')).status, 404);
  const wrongMethod = await call(host, 'PUT', '/records/customer/1');
  assert.equal(wrongMethod.status, 405);
  assert.equal((await error(wrongMethod)).code, 'MethodNotAllowed');
  const failed = await call(host, 'POST', '/explode');
  assert.equal(failed.status, 500);
  const body = await failed.text();
  assert.equal(JSON.parse(body).error.code, 'ActionFailed');
  assert.ok(!body.includes('internal detail'));
});
