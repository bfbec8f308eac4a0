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
