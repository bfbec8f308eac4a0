// WAL checkpoints off the event loop (checkpointer.ts): the worker starts once writes add up, its
// passes copy the WAL into the database file, the writer's catch-up lets the WAL start over, and
// closing stops the worker. A worker that cannot run hands checkpoints back to SQLite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WalCheckpointer } from './checkpointer.js';
import { SqliteDriver, SQLITE_FILE_NAME } from './sqlite-driver.js';

function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-wal-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const row = 'x'.repeat(3000); // about a page per row

test('the checkpoint worker copies the WAL into the database; the WAL starts over; close stops it', () =>
  withTempDir(async (dir) => {
    const driver = new SqliteDriver({ dataDir: dir, walCatchUpPages: 64 });
    const db = join(dir, SQLITE_FILE_NAME);
    const wal = `${db}-wal`;
    await driver.run('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    const sizeBefore = statSync(db).size;
    assert.equal(driver.checkpointPasses, 0);
    // Many small commits, one per event-loop turn as group commit makes them: the worker starts
    // after a few dozen, and the WAL passes 64 pages often.
    for (let i = 0; i < 2000; i++) {
      await driver.transaction(async (c) => {
        await c.run('INSERT INTO t (v) VALUES (?)', [row]);
      });
      await new Promise((r) => setImmediate(r));
    }
    await until('a checkpoint pass', () => driver.checkpointPasses > 0);
    await until('the database file to grow', () => statSync(db).size > sizeBefore + 100 * 4096);
    // Without starting over, 2,000 pages of commits would have made a WAL of 8 MB.
    assert.ok(statSync(wal).size < 2000 * 4096, `WAL of ${statSync(wal).size} bytes`);
    const [count] = await driver.all<{ n: number }>('SELECT COUNT(*) AS n FROM t');
    assert.equal(count?.n, 2000);
    await driver.close();
    // The last connection to close checkpoints and removes the WAL: the worker's closed first.
    assert.equal(existsSync(wal), false);
  }));

test('the worker stops when writes stop, and starts again when they resume', () =>
  withTempDir(async (dir) => {
    const driver = new SqliteDriver({ dataDir: dir, checkpointerIdleMs: 200 });
    await driver.run('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    const burst = async () => {
      for (let i = 0; i < 300; i++) await driver.run('INSERT INTO t DEFAULT VALUES');
    };
    await burst();
    assert.equal(driver.checkpointWorkerRunning, true);
    await until('a pass', () => driver.checkpointPasses > 0);
    await until('the worker to stop', () => !driver.checkpointWorkerRunning);
    await burst();
    assert.equal(driver.checkpointWorkerRunning, true);
    await until('a pass', () => driver.checkpointPasses > 0);
    await driver.close();
    assert.equal(driver.checkpointWorkerRunning, false);
  }));

test('a store written a little never starts the worker', () =>
  withTempDir(async (dir) => {
    const driver = new SqliteDriver({ dataDir: dir });
    await driver.run('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    for (let i = 0; i < 10; i++) await driver.run('INSERT INTO t DEFAULT VALUES');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(driver.checkpointWorkerRunning, false);
    await driver.close();
  }));

test('commits that trickle in (a heartbeat) never start the worker, and let a running one stop', () =>
  withTempDir(async (dir) => {
    const driver = new SqliteDriver({ dataDir: dir, checkpointerIdleMs: 400, checkpointerWindowMs: 200 });
    await driver.run('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    const trickle = async (ms: number) => {
      for (const end = Date.now() + ms; Date.now() < end;) {
        await driver.run('INSERT INTO t DEFAULT VALUES');
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    // At most ten commits a window, for more than 128 commits in all: the worker stays off.
    await trickle(3000);
    assert.equal(driver.checkpointWorkerRunning, false);
    // A burst, until a window has held 128 commits (up to 1,000).
    for (let i = 0; i < 1000 && !driver.checkpointWorkerRunning; i++) await driver.run('INSERT INTO t DEFAULT VALUES');
    assert.equal(driver.checkpointWorkerRunning, true);
    // Commits go on, slowly: the worker stops all the same.
    await trickle(1200);
    assert.equal(driver.checkpointWorkerRunning, false);
    await driver.close();
  }));

test('a worker that cannot open the database reports it once; closing it then is harmless', async () => {
  const failures: unknown[] = [];
  const cp = new WalCheckpointer(join(tmpdir(), 'flowbridge-no-such-dir', 'nothing.db'), {
    onFailure: (e) => failures.push(e),
  });
  cp.wrote();
  await until('the failure', () => failures.length > 0);
  assert.equal(failures.length, 1);
  await cp.close();
});

test('passNow runs a pass after the one in flight and answers each caller; a failed worker answers not ok', () =>
  withTempDir(async (dir) => {
    const driver = new SqliteDriver({ dataDir: dir, backgroundCheckpoints: false });
    await driver.run('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    const cp = new WalCheckpointer(join(dir, SQLITE_FILE_NAME));
    for (let i = 0; i < 50; i++) await driver.run('INSERT INTO t (v) VALUES (?)', [row]);
    const [first, second] = await Promise.all([cp.passNow(), cp.passNow()]);
    assert.equal(first?.ok, true);
    assert.equal(second?.ok, true);
    assert.ok((second?.checkpointed ?? 0) >= 50, `${second?.checkpointed} frames copied`);
    assert.equal(cp.passes >= 1, true);
    await cp.close();
    assert.equal((await cp.passNow()).ok, false);
    await driver.close();
    const failures: unknown[] = [];
    const broken = new WalCheckpointer(join(dir, 'no-such-dir', 'nothing.db'), { onFailure: (e) => failures.push(e) });
    assert.equal((await broken.passNow()).ok, false);
    await broken.close();
  }));
