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

/** A writer that applies batches in order and commits each when told (`release`), keeping what it saw. */
function gated() {
  const batches: string[][] = [];
  const gates: Array<() => void> = [];
  const apply = async (units: string[]) => {
    batches.push([...units]);
    await new Promise<void>((r) => gates.push(r));
    return units.map((u) => u.toUpperCase());
  };
  const release = async () => {
    while (gates.length === 0) await new Promise((r) => setImmediate(r));
    gates.shift()?.();
  };
  return { batches, apply, release };
}

const pipelined = { maxInFlight: 2, eagerBatch: 3, keyOf: (u: string) => (u.startsWith('-') ? null : u.slice(0, 1)) };

test('maxInFlight: an early batch goes while one commits, for units of other keys', async () => {
  const w = gated();
  const gc = new GroupCommitter(w.apply, pipelined);
  const first = ['a1', 'b1', 'c1'].map((u) => gc.submit(u));
  await new Promise((r) => setImmediate(r)); // the first batch is in flight, not committed
  const second = ['d1', 'e1', 'f1'].map((u) => gc.submit(u));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(w.batches, [
    ['a1', 'b1', 'c1'],
    ['d1', 'e1', 'f1'],
  ]);
  await w.release();
  await w.release();
  assert.deepEqual(await Promise.all([...first, ...second]), ['A1', 'B1', 'C1', 'D1', 'E1', 'F1']);
});

test('maxInFlight: fewer than eagerBatch units wait for the commit in flight, and go together', async () => {
  const w = gated();
  const gc = new GroupCommitter(w.apply, pipelined);
  const first = gc.submit('a1');
  await new Promise((r) => setImmediate(r));
  const second = gc.submit('b1');
  await new Promise((r) => setImmediate(r));
  const third = gc.submit('c1');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(w.batches, [['a1']]);
  await w.release();
  await first;
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(w.batches, [['a1'], ['b1', 'c1']]);
  await w.release();
  assert.deepEqual(await Promise.all([second, third]), ['B1', 'C1']);
});

test('maxInFlight: a unit waits for the commit of a unit of its key in flight, and so do the units after it', async () => {
  const w = gated();
  const gc = new GroupCommitter(w.apply, pipelined);
  const first = gc.submit('a1');
  await new Promise((r) => setImmediate(r));
  const later = ['c1', 'a2', 'd1'].map((u) => gc.submit(u));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(w.batches, [['a1'], ['c1']]); // a2 (and d1, after it) wait for a1's commit
  await w.release();
  await first;
  await w.release();
  await later[0];
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(w.batches, [['a1'], ['c1'], ['a2', 'd1']]);
  await w.release();
  assert.deepEqual(await Promise.all(later), ['C1', 'A2', 'D1']);
});

test('maxInFlight: nothing goes beside a unit without a key', async () => {
  const w = gated();
  const gc = new GroupCommitter(w.apply, pipelined);
  const loose = gc.submit('-x');
  await new Promise((r) => setImmediate(r));
  const keyed = ['a1', 'b1', 'c1'].map((u) => gc.submit(u));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(w.batches, [['-x']]);
  await w.release();
  assert.equal(await loose, '-X');
  await w.release();
  assert.deepEqual(await Promise.all(keyed), ['A1', 'B1', 'C1']);
});

test('maxInFlight: a unit without a key waits for every batch in flight', async () => {
  const w = gated();
  const gc = new GroupCommitter(w.apply, pipelined);
  const first = gc.submit('a1');
  await new Promise((r) => setImmediate(r));
  const rest = ['-x', 'b1', 'c1'].map((u) => gc.submit(u));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(w.batches, [['a1']]);
  await w.release();
  await first;
  await w.release();
  assert.deepEqual(await Promise.all(rest), ['-X', 'B1', 'C1']);
});

test('eagerBatch: that many waiting units go at once, before the turn ends, beside a batch in flight', async () => {
  const w = gated();
  const gc = new GroupCommitter(w.apply, pipelined);
  const all = ['a1', 'b1', 'c1'].map((u) => gc.submit(u));
  await Promise.resolve(); // a microtask later: the turn has not ended
  assert.deepEqual(w.batches, [['a1', 'b1', 'c1']]);
  all.push(...['d1', 'e1'].map((u) => gc.submit(u)));
  await Promise.resolve();
  assert.equal(w.batches.length, 1); // two wait: they go at the end of the turn, or with a third
  all.push(gc.submit('f1'));
  await Promise.resolve();
  assert.deepEqual(w.batches, [
    ['a1', 'b1', 'c1'],
    ['d1', 'e1', 'f1'],
  ]);
  for (let i = 0; i < 2; i++) await w.release();
  assert.deepEqual(await Promise.all(all), ['A1', 'B1', 'C1', 'D1', 'E1', 'F1']);
});

test('eagerBatch counts only the units callers wait for (awaited)', async () => {
  const w = gated();
  const gc = new GroupCommitter(w.apply, { ...pipelined, awaited: (u: string) => !u.endsWith('~') });
  const all = ['a1~', 'b1~', 'c1~', 'd1'].map((u) => gc.submit(u));
  await Promise.resolve();
  assert.equal(w.batches.length, 0); // one awaited unit of three: they wait for the end of the turn
  all.push(...['e1', 'f1'].map((u) => gc.submit(u)));
  await Promise.resolve();
  assert.deepEqual(w.batches, [['a1~', 'b1~', 'c1~', 'd1', 'e1', 'f1']]);
  await w.release();
  assert.equal((await Promise.all(all)).length, 6);
});

test('maxInFlight: close waits for every batch in flight', async () => {
  const w = gated();
  const gc = new GroupCommitter(w.apply, pipelined);
  const a = gc.submit('a1');
  await new Promise((r) => setImmediate(r));
  const b = gc.submit('b1');
  await new Promise((r) => setImmediate(r));
  let closed = false;
  const closing = gc.close().then(() => (closed = true));
  await w.release();
  await a;
  await new Promise((r) => setImmediate(r));
  assert.equal(closed, false); // b1's batch is still out
  await w.release();
  await closing;
  assert.equal(await b, 'B1');
});

test("maxInFlight: a failed batch's units, retried one by one, commit before later units of their keys", async () => {
  const order: string[] = [];
  const gates: Array<() => void> = [];
  const apply = async (units: string[]) => {
    await new Promise<void>((r) => gates.push(r));
    if (units.length > 1 && units.includes('b1')) throw new StoreError('Conflict', 'b1 is bad');
    if (units.length === 1 && units[0] === 'b1') throw new StoreError('Conflict', 'b1 is bad');
    order.push(...units);
    return units;
  };
  const release = async () => {
    while (gates.length === 0) await new Promise((r) => setImmediate(r));
    gates.shift()?.();
  };
  const gc = new GroupCommitter(apply, pipelined);
  const first = ['a1', 'b1'].map((u) => gc.submit(u));
  await new Promise((r) => setImmediate(r));
  const later = ['a2', 'c1', 'd1'].map((u) => gc.submit(u)); // an early batch, but a2's key is in flight
  await new Promise((r) => setImmediate(r));
  const settled = Promise.allSettled([...first, ...later]);
  for (let i = 0; i < 4; i++) await release(); // the batch, a1 alone, b1 alone, then a2, c1 and d1
  const outcomes = await settled;
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled'],
  );
  assert.deepEqual(order, ['a1', 'a2', 'c1', 'd1']);
});
