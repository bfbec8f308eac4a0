// The embedded database shared by the workers of `flowbridge start --workers`: the leadership is a
// lock file that one process holds at a time (a process that owns its database always leads), and
// a transaction that enqueued work tells the other workers once it committed, never when rolled back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Driver } from './driver.js';
import { SqliteDriver } from './sqlite-driver.js';
import { isWorkMessage } from './work-signal.js';

async function withDrivers(shared: boolean, fn: (a: SqliteDriver, b: SqliteDriver) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-shared-'));
  const a = new SqliteDriver({ dataDir: dir, shared, backgroundCheckpoints: false });
  const b = new SqliteDriver({ dataDir: dir, shared, backgroundCheckpoints: false });
  try {
    await fn(a, b);
  } finally {
    await a.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a driver that owns its database always leads', () =>
  withDrivers(false, async (a, b) => {
    assert.equal(a.shared, false);
    assert.equal(await a.tryAcquireLeadership('lead'), true);
    assert.equal(await b.tryAcquireLeadership('lead'), true);
  }));

test('shared: one leader at a time, by lock file; released or closed, another takes it', () =>
  withDrivers(true, async (a, b) => {
    assert.equal(a.shared, true);
    assert.equal(await a.tryAcquireLeadership('lead'), true);
    assert.equal(await a.tryAcquireLeadership('lead'), true, 'the holder keeps it');
    assert.equal(await b.tryAcquireLeadership('lead'), false);
    assert.equal(await b.tryAcquireLeadership('other'), true, 'each name is its own lock');
    await a.releaseLeadership('lead');
    assert.equal(await b.tryAcquireLeadership('lead'), true);
    assert.equal(await a.tryAcquireLeadership('lead'), false);
    await b.close();
    assert.equal(await a.tryAcquireLeadership('lead'), true);
  }));

test('shared: enqueued work is signalled to the other processes after COMMIT, not after ROLLBACK', () =>
  withDrivers(true, async (driver) => {
    const a: Driver = driver;
    const sent: unknown[] = [];
    const original = process.send;
    process.send = ((message: unknown) => {
      sent.push(message);
      return true;
    }) as typeof process.send;
    try {
      await a.run('CREATE TABLE t (x INTEGER)');
      await a.transaction(async (c) => {
        await c.run('INSERT INTO t (x) VALUES (1)');
        await a.notifyWork(c);
        assert.equal(sent.length, 0, 'not before the commit');
      });
      assert.equal(sent.length, 1);
      assert.ok(isWorkMessage(sent[0]));
      await assert.rejects(
        a.transaction(async (c) => {
          await a.notifyWork(c);
          throw new Error('rolled back');
        }),
      );
      await a.transaction(async (c) => c.run('INSERT INTO t (x) VALUES (2)'));
      assert.equal(sent.length, 1, 'neither the rolled-back transaction nor a later one without work');
    } finally {
      process.send = original;
    }
  }));
