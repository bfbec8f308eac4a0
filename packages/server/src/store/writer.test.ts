// Group commit semantics, independent of any database: batching, resolution after commit,
// failure of a whole batch, isolation of one caller's bad data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCommitter } from './writer.js';
import { StoreError } from './errors.js';

function recorder(fail?: (units: number[]) => Error | undefined) {
  const batches: number[][] = [];
  let committed: number[] = [];
  const apply = async (units: number[]) => {
    batches.push([...units]);
    await new Promise((r) => setTimeout(r, 2)); // a commit takes time
    const err = fail?.(units);
    if (err) throw err;
    committed = committed.concat(units);
    return units.map((u) => u * 10);
  };
  return { batches, apply, committed: () => committed };
}

test('units submitted in one turn share one commit; callers resolve after it', async () => {
  const r = recorder();
  const gc = new GroupCommitter(r.apply);
  const results = await Promise.all([1, 2, 3, 4].map((u) => gc.submit(u)));
  assert.deepEqual(results, [10, 20, 30, 40]);
  assert.deepEqual(r.batches, [[1, 2, 3, 4]]);
});

test('no caller resolves before its batch is committed', async () => {
  const r = recorder();
  const gc = new GroupCommitter(r.apply);
  const p = gc.submit(7).then((v) => {
    assert.deepEqual(r.committed(), [7]);
    return v;
  });
  assert.equal(await p, 70);
});

test('what arrives during a commit goes in the next one, together', async () => {
  const r = recorder();
  const gc = new GroupCommitter(r.apply);
  const first = gc.submit(1);
  await new Promise((res) => setImmediate(res)); // the first commit is now in flight
  const rest = [2, 3, 4].map((u) => gc.submit(u));
  await Promise.all([first, ...rest]);
  assert.deepEqual(r.batches, [[1], [2, 3, 4]]);
});

test('maxBatch caps a transaction', async () => {
  const r = recorder();
  const gc = new GroupCommitter(r.apply, { maxBatch: 3 });
  await Promise.all([1, 2, 3, 4, 5, 6, 7].map((u) => gc.submit(u)));
  assert.ok(r.batches.every((b) => b.length <= 3));
  assert.deepEqual(r.batches.flat(), [1, 2, 3, 4, 5, 6, 7]);
  assert.equal(gc.stats.largestBatch, 3);
});

test('a batch that fails for an outside reason rejects every caller in it', async () => {
  const r = recorder(() => new StoreError('StoreUnavailable', 'disk gone'));
  const gc = new GroupCommitter(r.apply);
  const outcomes = await Promise.allSettled([1, 2, 3].map((u) => gc.submit(u)));
  assert.ok(outcomes.every((o) => o.status === 'rejected' && o.reason.code === 'StoreUnavailable'));
  assert.equal(r.batches.length, 1); // not retried unit by unit: the database is the problem
});

test("one caller's bad data fails that caller alone", async () => {
  const r = recorder((units) => (units.includes(2) ? new StoreError('Conflict', 'dup') : undefined));
  const gc = new GroupCommitter(r.apply);
  const outcomes = await Promise.allSettled([1, 2, 3].map((u) => gc.submit(u)));
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  assert.deepEqual(r.committed(), [1, 3]);
});

test('close waits for pending commits and refuses new work', async () => {
  const r = recorder();
  const gc = new GroupCommitter(r.apply);
  const p = gc.submit(1);
  await gc.close();
  assert.equal(await p, 10);
  await assert.rejects(gc.submit(2), (e: unknown) => e instanceof StoreError && e.code === 'Closed');
});

test('maxDelayMs gathers units submitted across turns', async () => {
  const r = recorder();
  const gc = new GroupCommitter(r.apply, { maxDelayMs: 20 });
  const a = gc.submit(1);
  await new Promise((res) => setImmediate(res));
  const b = gc.submit(2);
  await Promise.all([a, b]);
  assert.deepEqual(r.batches, [[1, 2]]);
});
