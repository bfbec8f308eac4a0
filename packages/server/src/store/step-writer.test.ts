// SQLite's staged history moved a slice per commit (step-writer.ts, mergeSlice; step-batch.ts,
// mergeRecent): while some rows of a run are moved and others still staged, with a record staged
// in several versions on both sides of a slice, every read sees the same history, and the
// staging tables empty within a few commits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from './open.js';

function count(file: string, sql: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return Number((db.prepare(`SELECT COUNT(*) AS n FROM ${sql}`).get() as { n: number }).n);
  } finally {
    db.close();
  }
}

test('staged rows move a slice per commit; reads see the same history throughout', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-slices-'));
  try {
    const store = await openStore({ dataDir: dir, mergeThreshold: 10, mergeSlice: 7 });
    const { flow } = await store.createFlow({ name: 'f', definition: {} });
    const file = join(dir, 'flowbridge.db');
    const runs = ['run-a', 'run-b'];
    for (const id of runs) await store.createRun({ id, flowId: flow.id, flowVersion: 1, triggerName: 't', init: {} });
    const history = async (id: string) => {
      const h = await store.loadRunHistory(id);
      const r = await store.getRun(id, { withActions: true });
      return { events: h.events, lastSeq: h.lastSeq, runSeq: r?.lastSeq, actions: r?.actions };
    };
    const expected = (steps: number) => ({
      events: Array.from({ length: steps }, (_, i) => ({ i })),
      lastSeq: steps,
      runSeq: steps,
      actions: [
        { name: 'A', path: 'A', status: 'Running', outputs: steps - 1 },
        ...Array.from({ length: steps }, (_, i) => ({ name: 'B', path: `B${10 + i}`, status: 'Succeeded' })),
      ],
    });
    let sawPartial = false;
    let mostStaged = 0;
    for (let i = 0; i < 12; i++) {
      for (const id of runs) {
        const { seqs } = await store.commitStep(id, {
          events: [{ i }],
          records: [
            { name: 'A', path: 'A', status: 'Running', outputs: i }, // staged again every step
            { name: 'B', path: `B${10 + i}`, status: 'Succeeded' },
          ],
          runUpdate: { status: 'Running' },
        });
        assert.deepEqual(seqs, [i + 1]);
        // Record A of this run both moved and staged (in a newer version): the staged one is read.
        const both =
          "action_records a JOIN action_records_recent r ON r.run_id = a.run_id AND r.path = a.path WHERE a.path = 'A'";
        if (count(file, both) > 0) sawPartial = true;
        mostStaged = Math.max(mostStaged, count(file, 'run_events_recent') + count(file, 'action_records_recent'));
      }
      for (const id of runs) assert.deepEqual(await history(id), expected(i + 1), `${id} after step ${i}`);
    }
    assert.ok(sawPartial, 'some commits moved part of what was staged');
    // The slices keep up: what is staged stays below the threshold plus what one commit stages.
    assert.ok(mostStaged < 10 + 3, `${mostStaged} rows staged at most`);
    for (let k = 0; k < 5; k++) await store.commitStep('run-b', { events: [{ i: 12 + k }] });
    for (const id of runs) assert.equal((await store.loadRunHistory(id)).lastSeq, id === 'run-a' ? 12 : 17);
    await store.close();
    const again = await openStore({ dataDir: dir, mergeThreshold: 10, mergeSlice: 7 });
    assert.deepEqual((await again.getRun('run-a', { withActions: true }))?.actions, expected(12).actions);
    assert.equal((await again.loadRunHistory('run-b')).events.length, 17);
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
