// StepWriter's batches on the writer thread (writer-thread.ts): once the checkpoint worker runs,
// batches are written by the thread's own connection; the main connection sees what it commits,
// a caller's bad step fails that caller alone across the thread, a thread that dies fails its
// callers (never a hang), closing drains, and the thread can be turned off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isStoreError } from './errors.js';
import { migrate } from './migrate.js';
import { createSqlStore } from './sql-store.js';
import type { SqlStore } from './sql-store.js';
import { SqliteDriver } from './sqlite-driver.js';
import { THREAD_MIN_BATCH } from './step-thread.js';
import { THREAD_EAGER_BATCH } from './step-writer.js';

interface Fixture {
  driver: SqliteDriver;
  store: SqlStore;
  flowId: string;
  dir: string;
}

async function open(dir: string, writerThread?: boolean): Promise<Fixture> {
  const driver = new SqliteDriver({ dataDir: dir, writerThread });
  await migrate(driver, Date.now());
  const store = createSqlStore(driver, { mergeThreshold: 40, mergeSlice: 16 });
  const flows = await store.listFlows();
  const flowId = flows[0]?.id ?? (await store.createFlow({ name: 'f', definition: {} })).flow.id;
  return { driver, store, flowId, dir };
}

/** Opens a store and writes steps until its batches go to the writer thread. */
async function withThread(fn: (f: Fixture) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-writer-'));
  const f = await open(dir);
  try {
    await f.store.createRun({ id: 'warm', flowId: f.flowId, flowVersion: 1, triggerName: 't', init: {} });
    // Batches of THREAD_MIN_BATCH steps or more go to the thread, once it has started.
    for (let i = 0; (f.driver.writerThread?.commits ?? 0) === 0; i++) {
      if (i > 2000) assert.fail('the writer thread never took a batch');
      const steps = Array.from({ length: THREAD_MIN_BATCH }, (_, j) => ({ events: [{ i, j }] }));
      await Promise.all(steps.map((step) => f.store.commitStep('warm', step)));
      if (i > 64) await new Promise((r) => setTimeout(r, 5)); // lets the thread start
    }
    await fn(f);
  } finally {
    await f.store.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

test('batches commit on the writer thread; the main connection reads them; staged rows still move', () =>
  withThread(async ({ driver, store, flowId }) => {
    const before = driver.writerThread?.commits ?? 0;
    const ids = Array.from({ length: 20 }, (_, i) => `run-${i}`);
    await Promise.all(
      ids.map((id) =>
        store.createRun(
          { id, flowId, flowVersion: 1, triggerName: 't', init: { id } },
          { events: [{ first: id }], records: [{ name: 'A', path: 'A', status: 'Running' }] },
        ),
      ),
    );
    for (let step = 1; step < 6; step++) {
      const results = await Promise.all(
        ids.map((id) => store.commitStep(id, { events: [{ step }], runUpdate: { status: 'Running' } })),
      );
      assert.deepEqual(
        results.map((r) => r.seqs),
        ids.map(() => [step + 1]),
      );
    }
    assert.ok((driver.writerThread?.commits ?? 0) > before, 'the thread committed the batches');
    const history = await store.loadRunHistory('run-7');
    assert.deepEqual(history.events, [
      { first: 'run-7' },
      { step: 1 },
      { step: 2 },
      { step: 3 },
      { step: 4 },
      { step: 5 },
    ]);
    const run = await store.getRun('run-7', { withActions: true });
    assert.equal(run?.lastSeq, 6);
    assert.deepEqual(
      run?.actions?.map((a) => a.path),
      ['A'],
    );
    // 140 staged rows passed the threshold of 40: the thread moved them in slices.
    const [staged] = await driver.all<{ n: number }>('SELECT COUNT(*) AS n FROM run_events_recent');
    assert.ok((staged?.n ?? 0) < 140, `${staged?.n} rows still staged`);
  }));

test('a small batch goes to the thread right after a large one, and stays on the main thread after a small one', () =>
  withThread(async ({ driver, store }) => {
    const commits = (): number => driver.writerThread?.commits ?? 0;
    const large = Array.from({ length: THREAD_MIN_BATCH }, (_, j) => ({ events: [{ j }] }));
    await Promise.all(large.map((step) => store.commitStep('warm', step)));
    const afterLarge = commits();
    await store.commitStep('warm', { events: [{ small: 1 }] });
    assert.equal(commits(), afterLarge + 1, 'the small batch after a large one went to the thread');
    await store.commitStep('warm', { events: [{ small: 2 }] });
    assert.equal(commits(), afterLarge + 1, 'the small batch after a small one stayed on the main thread');
    const history = await store.loadRunHistory('warm');
    assert.deepEqual(history.events.slice(-2), [{ small: 1 }, { small: 2 }]);
  }));

test('a batch that no caller waits for (background) goes to the thread, however small', () =>
  withThread(async ({ driver, store }) => {
    const commits = (): number => driver.writerThread?.commits ?? 0;
    // Two small batches in a row: the second is not "after a large one".
    await store.commitStep('warm', { events: [{ small: 0 }] });
    const before = commits();
    await store.commitStep('warm', { events: [{ small: 1 }] });
    assert.equal(commits(), before, 'a small batch a caller waits for stays on the main thread');
    await store.commitStep('warm', { events: [{ small: 2 }], background: true });
    assert.equal(commits(), before + 1, 'a small background batch went to the thread');
    const history = await store.loadRunHistory('warm');
    assert.deepEqual(history.events.slice(-2), [{ small: 1 }, { small: 2 }]);
  }));

test("batches out on the thread together: a run's steps commit in order, and the main connection's write waits its turn", () =>
  withThread(async ({ driver, store, flowId }) => {
    const ids = Array.from({ length: 3 * THREAD_EAGER_BATCH }, (_, i) => `p-${i}`);
    await Promise.all(ids.map((id) => store.createRun({ id, flowId, flowVersion: 1, triggerName: 't', init: {} })));
    const before = driver.writerThread?.commits ?? 0;
    // Three groups of steps, a microtask apart (each group is an eager batch), the third with
    // second steps of the first group's runs, and a write of the main connection among them.
    const steps: Array<Promise<{ seqs: number[] }>> = [];
    const group = (g: number, n: number): void => {
      for (const id of ids.slice(g * THREAD_EAGER_BATCH, (g + 1) * THREAD_EAGER_BATCH))
        steps.push(store.commitStep(id, { events: [{ n }] }));
    };
    group(0, 1);
    await Promise.resolve();
    group(1, 1);
    await Promise.resolve();
    const mainWrite = driver.transaction((c) => c.run(`UPDATE runs SET client_tracking_id = 'main' WHERE id = 'p-0'`));
    group(0, 2);
    const results = await Promise.all(steps);
    assert.equal(await mainWrite, 1);
    assert.deepEqual(
      results.map((r) => r.seqs),
      [...Array(2 * THREAD_EAGER_BATCH).fill([1]), ...Array(THREAD_EAGER_BATCH).fill([2])],
    );
    assert.ok((driver.writerThread?.commits ?? 0) >= before + 2, 'the thread wrote the batches');
    assert.equal(driver.writerThread?.mostBatchesOut, 2, 'the second group went while the first was out');
    for (const id of ids.slice(0, THREAD_EAGER_BATCH)) {
      const history = await store.loadRunHistory(id);
      assert.deepEqual(history.events, [{ n: 1 }, { n: 2 }]);
    }
    assert.equal((await store.getRun('p-0'))?.clientTrackingId, 'main');
  }));

test("a caller's bad step fails that caller alone across the thread", () =>
  withThread(async ({ driver, store, flowId }) => {
    await store.createRun({ id: 'good', flowId, flowVersion: 1, triggerName: 't', init: {} });
    const before = driver.writerThread?.answers ?? 0;
    const outcomes = await Promise.allSettled([
      store.commitStep('good', { events: [{ n: 1 }] }),
      store.commitStep('missing', { runUpdate: { endTime: 1 } }),
      store.commitStep('good', { events: [{ n: 2 }] }),
      store.createRun({ id: 'orphan', flowId: 'no-such-flow', flowVersion: 1, triggerName: 't', init: {} }),
      store.commitStep('good', { events: [{ n: 3 }] }),
    ]);
    assert.deepEqual(
      outcomes.map((o) =>
        o.status === 'fulfilled' ? 'ok' : isStoreError(o.reason) ? o.reason.code : String(o.reason),
      ),
      ['ok', 'NotFound', 'ok', 'NotFound', 'ok'],
    );
    // The batch failed on the thread, and its units were then written one by one.
    assert.ok((driver.writerThread?.answers ?? 0) > before);
    assert.deepEqual((await store.loadRunHistory('good')).events, [{ n: 1 }, { n: 2 }, { n: 3 }]);
  }));

test('a writer thread that dies fails the callers waiting and those after it', () =>
  withThread(async ({ driver, store }) => {
    const thread = driver.writerThread;
    assert.ok(thread);
    const waiting = Array.from({ length: 10 }, (_, i) => store.commitStep('warm', { events: [{ late: i }] }));
    await thread.kill();
    const outcomes = await Promise.allSettled(waiting);
    for (const o of outcomes) {
      // Some may have committed before the thread died; none hangs, the others fail as StoreErrors.
      if (o.status === 'rejected') assert.ok(isStoreError(o.reason, 'StoreUnavailable'), String(o.reason));
    }
    await assert.rejects(store.commitStep('warm', { events: [{ after: 1 }] }), (e) =>
      isStoreError(e, 'StoreUnavailable'),
    );
  }));

test('close drains the batches out, then ends the thread; the WAL is gone', () =>
  withThread(async ({ driver, store, dir }) => {
    const thread = driver.writerThread;
    const pending = Array.from({ length: 30 }, (_, i) => store.commitStep('warm', { events: [{ closing: i }] }));
    await store.close();
    assert.equal((await Promise.allSettled(pending)).filter((o) => o.status === 'rejected').length, 0);
    assert.equal(driver.writerThread, null);
    assert.ok(thread?.failed === null);
    assert.equal(existsSync(join(dir, 'flowbridge.db-wal')), false, 'the last connection to close removes the WAL');
    const again = await open(dir);
    try {
      const events = (await again.store.loadRunHistory('warm')).events;
      assert.deepEqual(
        events.slice(-30),
        Array.from({ length: 30 }, (_, i) => ({ closing: i })),
      );
    } finally {
      await again.store.close();
    }
  }));

test('writerThread: false keeps the batches on the main thread', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-writer-off-'));
  const f = await open(dir, false);
  try {
    await f.store.createRun({ id: 'r', flowId: f.flowId, flowVersion: 1, triggerName: 't', init: {} });
    for (let i = 0; i < 300; i++) await f.store.commitStep('r', { events: [{ i }] });
    assert.equal(f.driver.checkpointWorkerRunning, true);
    assert.equal(f.driver.writerThread, null);
  } finally {
    await f.store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
