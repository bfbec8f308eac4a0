import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifySignature } from '../signature.js';
import { retryAfterMs } from './delivery.js';
import { fakeFetch, subscribe, testHost } from './test-support.js';
import { ConnectorHostError } from './types.js';

const flow = (id: string) => ({ id, name: `Flow ${id}` });

test('emit reaches the subscriptions whose parameters match; one without a value matches all', async () => {
  const { fetch, calls } = fakeFetch([202]);
  const { host } = testHost({ fetch });
  await subscribe(host, 'OnRecordChanged', { table: 'customer' }, flow('customers'));
  await subscribe(host, 'OnRecordChanged', { table: 'customer', event: 'created' }, flow('new-customers'));
  await subscribe(host, 'OnRecordChanged', { table: 'order' }, flow('orders'));
  await subscribe(host, 'OnRecordChanged', { table: 'customer', priority: '1' }, flow('urgent'));
  const reached = async (parameters: Record<string, string | number>) =>
    (await host.emit('OnRecordChanged', { id: '1' }, { parameters })).map((o) => o.flowId).sort();
  assert.deepEqual(await reached({ table: 'customer', event: 'updated' }), ['customers']);
  assert.deepEqual(await reached({ table: 'customer', event: 'created' }), ['customers', 'new-customers']);
  assert.deepEqual(await reached({ table: 'customer', priority: 1 }), ['customers', 'urgent']);
  assert.deepEqual(await reached({ table: 'invoice' }), []);
  assert.deepEqual(await reached({ table: 'order' }), ['orders']);
  const listed = await host.subscriptions('OnRecordChanged', { table: 'customer', event: 'created' });
  assert.deepEqual(listed.map((s) => s.flowId).sort(), ['customers', 'new-customers'], 'what an emit would reach');
  assert.equal(calls.length, 6);
  const outcome = (await host.emit('OnRecordChanged', { id: '1' }, { parameters: { table: 'order' } }))[0]!;
  assert.deepEqual(outcome, {
    subscriptionId: outcome.subscriptionId,
    flowId: 'orders',
    flowName: 'Flow orders',
    status: 'delivered',
    attempts: 1,
    httpStatus: 202,
  });
  assert.equal(calls.at(-1)!.url, 'https://flows.example.com/hooks/orders');
  assert.deepEqual(JSON.parse(calls.at(-1)!.body), { id: '1' });
});

test('network errors, 408, 429 and 5xx are tried again with doubling delays until a 2xx', async () => {
  const { fetch, calls } = fakeFetch([new TypeError('fetch failed'), 503, 408, 429, 200]);
  const { host, delays } = testHost({
    fetch,
    retry: { attempts: 6, baseDelayMs: 100, sleep: async (ms) => void delays.push(ms) },
  });
  await subscribe(host, 'OnRecordChanged', { table: 'order' }, flow('f'));
  const [outcome] = await host.emit('OnRecordChanged', { id: '9' }, { parameters: { table: 'order' } });
  assert.equal(outcome!.status, 'delivered');
  assert.equal(outcome!.attempts, 5);
  assert.deepEqual(delays, [100, 200, 400, 800]);
  const ids = new Set(calls.map((c) => c.headers.get('x-flowbridge-event-id')));
  assert.equal(ids.size, 1, 'one event id across the retries');
});

test('Retry-After (seconds or a date) sets the delay, capped by maxDelayMs', async () => {
  const now = Date.UTC(2026, 0, 1);
  const { fetch } = fakeFetch([
    new Response(null, { status: 429, headers: { 'retry-after': '7' } }),
    new Response(null, { status: 503, headers: { 'retry-after': new Date(now + 3000).toUTCString() } }),
    new Response(null, { status: 429, headers: { 'retry-after': '3600' } }),
    204,
  ]);
  const delays: number[] = [];
  const { host } = testHost({
    fetch,
    now: () => now,
    retry: { attempts: 4, maxDelayMs: 60_000, sleep: async (ms) => void delays.push(ms) },
  });
  await subscribe(host, 'OnRecordChanged', { table: 'order' }, flow('f'));
  const [outcome] = await host.emit('OnRecordChanged', {}, { parameters: { table: 'order' } });
  assert.equal(outcome!.status, 'delivered');
  assert.deepEqual(delays, [7000, 3000, 60_000]);
  assert.equal(retryAfterMs('soon', now), undefined);
});

test('when the tries run out the outcome is failed, with the last status or error', async () => {
  const { fetch, calls } = fakeFetch([500]);
  const { host, delays } = testHost({ fetch });
  await subscribe(host, 'OnRecordChanged', { table: 'order' }, flow('f'));
  const [outcome] = await host.emit('OnRecordChanged', {}, { parameters: { table: 'order' } });
  assert.equal(outcome!.status, 'failed');
  assert.equal(outcome!.attempts, 5);
  assert.equal(outcome!.httpStatus, 500);
  assert.equal(calls.length, 5);
  assert.deepEqual(delays, [1000, 2000, 4000, 8000]);
  const down = fakeFetch([new TypeError('connect ECONNREFUSED')]);
  const other = testHost({ fetch: down.fetch, retry: { attempts: 2, sleep: async () => {} } });
  await subscribe(other.host, 'OnRecordChanged', { table: 'order' }, flow('f'));
  const [refused] = await other.host.emit('OnRecordChanged', {}, { parameters: { table: 'order' } });
  assert.deepEqual([refused!.status, refused!.attempts, refused!.error], ['failed', 2, 'connect ECONNREFUSED']);
  assert.equal(refused!.httpStatus, undefined);
});

test('another 4xx fails at once; 404 and 410 remove the dead subscription', async () => {
  for (const [status, outcome, left] of [
    [400, 'failed', 1],
    [409, 'failed', 1],
    [404, 'gone', 0],
    [410, 'gone', 0],
  ] as const) {
    const { fetch, calls } = fakeFetch([status]);
    const { host } = testHost({ fetch });
    await subscribe(host, 'OnRecordChanged', { table: 'order' }, flow('f'));
    const [result] = await host.emit('OnRecordChanged', {}, { parameters: { table: 'order' } });
    assert.deepEqual([result!.status, result!.attempts, result!.httpStatus], [outcome, 1, status]);
    assert.equal(calls.length, 1);
    assert.equal((await host.subscriptions()).length, left);
  }
});

test('many subscribers: every one gets the event, in the order of the outcomes', async () => {
  const { fetch, calls } = fakeFetch([202]);
  const { host } = testHost({ fetch });
  for (let i = 0; i < 20; i++) await subscribe(host, 'OnRecordChanged', { table: 'order' }, flow(`f${i}`));
  const outcomes = await host.emit('OnRecordChanged', {}, { parameters: { table: 'order' } });
  assert.deepEqual(
    outcomes.map((o) => o.flowId),
    (await host.subscriptions('OnRecordChanged')).map((s) => s.flowId),
  );
  assert.ok(outcomes.every((o) => o.status === 'delivered'));
  assert.equal(new Set(calls.map((c) => c.url)).size, 20);
});

test('a batch trigger delivers an array; a single event is wrapped', async () => {
  const { fetch, calls } = fakeFetch([202]);
  const { host } = testHost({ fetch });
  await subscribe(host, 'OnRecordsImported', {}, flow('f'));
  await host.emit('OnRecordsImported', [{ id: '1' }, { id: '2' }]);
  await host.emit('OnRecordsImported', { id: '3' });
  assert.deepEqual(
    calls.map((c) => JSON.parse(c.body)),
    [[{ id: '1' }, { id: '2' }], [{ id: '3' }]],
  );
});

test('an instant trigger runs on the flow named; flowId and subscriptionId target one', async () => {
  const { fetch, calls } = fakeFetch([202]);
  const { host } = testHost({ fetch });
  await subscribe(host, 'ForSelectedRecord', { table: 'customer' }, flow('a'));
  await subscribe(host, 'ForSelectedRecord', { table: 'customer' }, flow('b'));
  await assert.rejects(
    host.emit('ForSelectedRecord', { id: '1' }),
    (e: unknown) => e instanceof ConnectorHostError && e.code === 'TargetRequired',
  );
  const [b] = await host.emit('ForSelectedRecord', { id: '1' }, { flowId: 'b' });
  assert.equal(b!.flowId, 'b');
  assert.deepEqual(await host.emit('ForSelectedRecord', {}, { flowId: 'b', parameters: { table: 'order' } }), []);
  const a = (await host.subscriptions('ForSelectedRecord')).find((s) => s.flowId === 'a')!;
  const [byId] = await host.emit('ForSelectedRecord', { id: '2' }, { subscriptionId: a.id });
  assert.equal(byId!.flowId, 'a');
  assert.deepEqual(
    calls.map((c) => c.url),
    ['https://flows.example.com/hooks/b', 'https://flows.example.com/hooks/a'],
  );
});

test('emit refuses an unknown trigger, parameter or a payload that does not fit, with a code', async () => {
  const { fetch, calls } = fakeFetch([200]);
  const { host } = testHost({ fetch });
  await subscribe(host, 'OnRecordsImported', {}, flow('f'));
  await assert.rejects(
    host.emit('OnRecordsImported', [{ id: '1' }, { id: 2 }]),
    (e: unknown) => e instanceof ConnectorHostError && e.code === 'InvalidPayload' && e.at === 'payload/1/id',
  );
  assert.equal(calls.length, 0, 'nothing was sent');
  await assert.rejects(
    host.emit('Nope', {}),
    (e: unknown) => e instanceof ConnectorHostError && e.code === 'UnknownTrigger',
  );
  await assert.rejects(
    host.emit('OnRecordChanged', {}, { parameters: { tabel: 'customer' } }),
    (e: unknown) => e instanceof ConnectorHostError && e.code === 'InvalidParameters' && e.at === 'parameters/tabel',
  );
});

test('with a signing secret, every try is signed afresh; the event id and timestamp headers are always sent', async () => {
  let clock = Date.UTC(2026, 0, 1);
  const { fetch, calls } = fakeFetch([503, 200]);
  const { host } = testHost({ fetch, signingSecret: 'shh', now: () => (clock += 1000) });
  await subscribe(host, 'OnRecordChanged', { table: 'order' }, flow('f'));
  await host.emit('OnRecordChanged', { id: 'x' }, { parameters: { table: 'order' }, eventId: 'evt-1' });
  assert.equal(calls.length, 2);
  const stamps = calls.map((c) => c.headers.get('x-flowbridge-timestamp'));
  assert.notEqual(stamps[0], stamps[1]);
  for (const c of calls) {
    assert.equal(c.headers.get('x-flowbridge-event-id'), 'evt-1');
    const check = await verifySignature('shh', c.headers, c.body, {
      now: Number(c.headers.get('x-flowbridge-timestamp')),
    });
    assert.equal(check.ok, true);
  }
  const plain = fakeFetch([200]);
  const unsigned = testHost({ fetch: plain.fetch });
  await subscribe(unsigned.host, 'OnRecordChanged', { table: 'order' }, flow('f'));
  await unsigned.host.emit('OnRecordChanged', {}, { parameters: { table: 'order' } });
  assert.equal(plain.calls[0]!.headers.get('x-flowbridge-signature'), null);
  assert.ok(plain.calls[0]!.headers.get('x-flowbridge-timestamp'));
});
