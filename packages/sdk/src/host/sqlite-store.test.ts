import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteStore } from './sqlite-store.js';
import { call, fakeFetch, subscribe, testHost } from './test-support.js';

test('subscriptions in a SQLite file survive closing and reopening it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-sdk-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'subscriptions.db');

  const first = testHost({ store: sqliteStore(file) });
  const location = await subscribe(
    first.host,
    'OnRecordChanged',
    { table: 'customer', priority: '2' },
    { id: 'f1', name: 'One' },
  );
  await subscribe(first.host, 'OnRecordsImported', {}, { id: 'f2', name: 'Two' });
  const before = await first.host.subscriptions();
  assert.equal(before.length, 2);
  await first.host.store.close!();
  if (process.platform !== 'win32') assert.equal(statSync(file).mode & 0o777, 0o600, 'only its owner reads it');

  // A new process: a new host on the same file delivers to what the old one accepted.
  const { fetch, calls } = fakeFetch([202]);
  const second = testHost({ store: sqliteStore(file), fetch });
  assert.deepEqual(await second.host.subscriptions(), before);
  assert.deepEqual((await second.host.subscriptions('OnRecordChanged'))[0]!.parameters, {
    table: 'customer',
    priority: 2,
  });
  const [outcome] = await second.host.emit(
    'OnRecordChanged',
    { id: '1' },
    { parameters: { table: 'customer', priority: 2 } },
  );
  assert.equal(outcome!.status, 'delivered');
  assert.equal(calls[0]!.url, 'https://flows.example.com/hooks/f1');
  // Unsubscribing on the new host removes it from the file.
  const path = new URL(location).pathname.slice('/flowbridge'.length);
  assert.equal((await call(second.host, 'DELETE', path)).status, 204);
  await second.host.store.close!();
  const third = sqliteStore(file);
  assert.deepEqual(
    (await third.list()).map((s) => s.flowId),
    ['f2'],
  );
  assert.equal(await third.remove('nope'), false);
  await third.close!();
});

test('a delivery waiting for its next try when the host stops is sent by the next process, with the same event id and the tries left', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-sdk-journal-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'host.db');

  // The first process: the callback answers 503 twice, and the process dies while it waits to try again.
  const down = fakeFetch([503]);
  let stopped!: () => void;
  const waiting = new Promise<void>((resolve) => (stopped = resolve));
  let asleep = 0;
  const first = testHost({
    store: sqliteStore(file),
    fetch: down.fetch,
    retry: {
      attempts: 5,
      // The wait before the third try never ends: the process is gone by then.
      sleep: (ms) => {
        if (ms < 2000) return Promise.resolve();
        if (++asleep === 2) stopped();
        return new Promise<void>(() => {});
      },
    },
  });
  await subscribe(first.host, 'OnRecordChanged', { table: 'order' }, { id: 'orders', name: 'Orders' });
  await subscribe(first.host, 'OnRecordChanged', { table: 'order' }, { id: 'gone-later', name: 'Gone' });
  void first.host.emit('OnRecordChanged', { id: '7' }, { parameters: { table: 'order' }, eventId: 'evt-1' });
  await waiting;
  assert.equal(down.calls.length, 4, 'two tries each before the process stopped');
  const journal = sqliteStore(file);
  const left = await journal.deliveries!.pending();
  assert.deepEqual(
    left.map((p) => [p.eventId, p.attempts, JSON.parse(p.body)]),
    [
      ['evt-1', 2, { id: '7' }],
      ['evt-1', 2, { id: '7' }],
    ],
  );
  // One flow was deleted meanwhile: its subscription is gone.
  const gone = left.find((p) => p.subscriptionId !== left[0]!.subscriptionId) ?? left[1]!;
  assert.equal(await journal.remove(gone.subscriptionId), true);
  await journal.close!();

  // The next process resumes: one more try each (the first of the tries left) is enough.
  const up = fakeFetch([202]);
  const second = testHost({ store: sqliteStore(file), fetch: up.fetch });
  const outcomes = await second.host.resumeDeliveries();
  assert.deepEqual(outcomes.map((o) => [o.status, o.attempts]).sort(), [
    ['delivered', 3],
    ['gone', 2],
  ]);
  assert.equal(up.calls.length, 1);
  assert.equal(up.calls[0]!.headers.get('x-flowbridge-event-id'), 'evt-1', 'the event keeps its id');
  assert.deepEqual(JSON.parse(up.calls[0]!.body), { id: '7' });
  assert.deepEqual(await second.host.store.deliveries!.pending(), [], 'settled deliveries are forgotten');
  assert.deepEqual(await second.host.resumeDeliveries(), [], 'nothing is sent twice');
  await second.host.store.close!();
});

test('settled deliveries leave nothing in the journal; a store without one resumes nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-sdk-journal-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { fetch } = fakeFetch([500, 202, 400]);
  const { host } = testHost({ store: sqliteStore(join(dir, 'host.db')), fetch });
  await subscribe(host, 'OnRecordChanged', { table: 'order' }, { id: 'f', name: 'F' });
  const emitted = async () => (await host.emit('OnRecordChanged', {}, { parameters: { table: 'order' } }))[0]!;
  assert.equal((await emitted()).status, 'delivered');
  assert.equal((await emitted()).status, 'failed', '400 fails at once');
  assert.deepEqual(await host.store.deliveries!.pending(), []);
  await host.store.close!();
  await assert.rejects(host.store.list(), { code: 'StoreUnavailable' }, 'a closed store is not opened again');
  assert.deepEqual(await testHost().host.resumeDeliveries(), [], 'memoryStore keeps no journal');
});
