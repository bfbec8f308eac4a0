// Store contract cases (run by store/contract.test.ts on both backends): a run created and ended
// in one write keeps its action records packed in its row (packed-records.ts). Every read, write
// and deletion of its records gives what the same records kept as rows give.
import assert from 'node:assert/strict';
import type { ActionRecordInput, StepWrite } from '../../run-types.js';
import type { SqlStore } from '../../sql-store.js';
import type { Fresh } from '../backends.js';
import { records } from './run-history.js';
import type { Case } from './support.js';

/** The records of `runId`: every shape compaction knows, one path written twice (the last wins). */
const written = (runId: string): ActionRecordInput[] => [
  ...records(runId),
  { name: 'Compose', path: 'Compose', status: 'Failed', inputs: 3, trackingId: `${runId}/Compose` },
  { name: 'B', path: 'Loop/B', status: 'Succeeded', startTime: '2025-12-31T00:00:00.0000000Z' },
];

/** How many records a run written with `written` keeps: one per path. */
const PATHS = new Set(written('x').map((r) => r.path)).size;

/** A read's actions with the run id made neutral: runs with different ids compare. */
const neutral = async (store: SqlStore, runId: string): Promise<string> =>
  JSON.stringify((await store.getRun(runId, { withActions: true }))?.actions).replaceAll(runId, '<id>');

/** How many paths the run has action record rows of (moved or staged), and whether its row holds packed records. */
async function stored(f: Fresh, runId: string): Promise<{ rows: number; packed: boolean }> {
  const staged =
    f.store.backend === 'sqlite' ? ` UNION SELECT path FROM action_records_recent WHERE run_id = '${runId}'` : '';
  const [r] = await f.query(
    `SELECT (SELECT COUNT(*) FROM (SELECT path FROM action_records WHERE run_id = '${runId}'${staged}) x) AS n,
       (SELECT COUNT(*) FROM runs WHERE id = '${runId}' AND records IS NOT NULL) AS p`,
  );
  return { rows: Number(r?.n), packed: Number(r?.p) === 1 };
}

async function newRun(store: SqlStore, flowId: string, id: string, step: StepWrite, startTime = 100) {
  return store.createRun({ id, flowId, flowVersion: 1, triggerName: 'manual', startTime, init: { runId: id } }, step);
}

const ended = { status: 'Succeeded', endTime: 200, response: { statusCode: 200 } } as const;

export const runPackedCases: Case[] = [
  [
    'a run created and ended in one write reads back its actions as one whose records came over several steps',
    async (f) => {
      const { store } = f;
      const { flow } = await store.createFlow({ name: 'f', definition: {} });
      await newRun(store, flow.id, 'packed', { events: [{ e: 1 }], records: written('packed'), runUpdate: ended });
      await newRun(store, flow.id, 'rows', { events: [{ e: 1 }], records: written('rows').slice(0, 3) });
      await store.commitStep('rows', { records: written('rows').slice(3) });
      await store.commitStep('rows', { runUpdate: ended });
      assert.deepEqual(await stored(f, 'packed'), { rows: 0, packed: true });
      assert.deepEqual(await stored(f, 'rows'), { rows: PATHS, packed: false });
      assert.equal(await neutral(store, 'packed'), await neutral(store, 'rows'));
      const actions = (await store.getRun('packed', { withActions: true }))?.actions;
      assert.equal(actions?.length, PATHS);
      assert.deepStrictEqual(
        actions?.find((a) => a.path === 'Compose'),
        { name: 'Compose', path: 'Compose', status: 'Failed', inputs: 3, trackingId: 'packed/Compose' },
      );
      const read = await store.readRun('packed');
      assert.deepStrictEqual(read?.history.events, [{ e: 1 }]);
      assert.deepEqual(
        [read?.run.status, read?.run.endTime, read?.run.response],
        ['Succeeded', 200, { statusCode: 200 }],
      );
      assert.equal((await store.getRun('packed'))?.actions, undefined);
    },
  ],
  [
    'only a run ended in its first write with nothing to wake it, and records of modest size, is packed',
    async (f) => {
      const { flow } = await f.store.createFlow({ name: 'f', definition: {} });
      const one: ActionRecordInput[] = [{ name: 'A', path: 'A', status: 'Succeeded', outputs: 1 }];
      const big = (n: number): ActionRecordInput[] =>
        Array.from({ length: n }, (_, i) => ({
          name: 'A',
          path: `A${i}`,
          status: 'Succeeded',
          outputs: 'x'.repeat(2000),
        }));
      const shapes: Array<[id: string, step: StepWrite, packed: boolean, rows: number]> = [
        ['ended', { records: one, runUpdate: { status: 'Failed' } }, true, 0],
        ['running', { records: one, runUpdate: { status: 'Running' } }, false, 1],
        ['no-update', { records: one }, false, 1],
        ['timer', { records: one, runUpdate: { status: 'Succeeded' }, timers: [{ key: 't', dueAt: 5 }] }, false, 1],
        ['work', { records: one, runUpdate: { status: 'Succeeded' }, enqueue: [{ kind: 'x' }] }, false, 1],
        ['large', { records: big(20), runUpdate: { status: 'Succeeded' } }, false, 20],
        [
          'payload',
          {
            records: [{ name: 'P', path: 'P', status: 'Succeeded', outputs: 'y'.repeat(300 * 1024) }],
            runUpdate: { status: 'Succeeded' },
          },
          false,
          1,
        ],
        ['none', { runUpdate: { status: 'Succeeded' } }, false, 0],
      ];
      for (const [id, step, packed, rows] of shapes) {
        await newRun(f.store, flow.id, id, step);
        assert.deepEqual(await stored(f, id), { rows, packed }, id);
        // Rows read in path order when no record has a start time.
        const actions = (await f.store.getRun(id, { withActions: true }))?.actions;
        const expected = [...(step.records ?? [])].sort((a, b) => (a.path < b.path ? -1 : 1));
        assert.deepEqual(actions, expected, id);
      }
    },
  ],
  [
    'packed records read in the byte order of their paths, as rows do, whatever characters the paths hold',
    async (f) => {
      const { store } = f;
      const { flow } = await store.createFlow({ name: 'f', definition: {} });
      // UTF-16 puts the surrogate pair (U+1F600) below U+FF5E; UTF-8 bytes, and both databases, above.
      const paths = ['b', 'B', '\u00e9', '\uff5e', '\u{1f600}', 'a/\u00e9', 'a/z', 'Z~'];
      const recs = paths.map((path) => ({ name: path, path, status: 'Succeeded' }));
      await newRun(store, flow.id, 'packed', { records: recs, runUpdate: ended });
      await newRun(store, flow.id, 'rows', { records: recs });
      await store.commitStep('rows', { runUpdate: ended });
      assert.deepEqual(await stored(f, 'packed'), { rows: 0, packed: true });
      const order = async (id: string) => (await store.getRun(id, { withActions: true }))?.actions?.map((a) => a.path);
      const bytes = [...paths].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      assert.deepEqual(await order('rows'), bytes);
      assert.deepEqual(await order('packed'), bytes);
    },
  ],
  [
    'retention deletes a run with packed records and counts them',
    async (f) => {
      const { store } = f;
      const { flow } = await store.createFlow({ name: 'f', definition: {} });
      await newRun(store, flow.id, 'old-packed', {
        events: [{ e: 1 }],
        records: written('old-packed'),
        runUpdate: ended,
      });
      await newRun(store, flow.id, 'old-rows', { records: written('old-rows') });
      await store.commitStep('old-rows', { runUpdate: ended });
      await newRun(store, flow.id, 'new-packed', { records: written('new-packed'), runUpdate: ended }, 10_000);
      const counts = await store.pruneRunsOlderThan(5000);
      assert.deepEqual([counts.runs, counts.events, counts.actionRecords], [2, 1, 2 * PATHS]);
      assert.equal(await store.getRun('old-packed'), undefined);
      assert.equal((await store.getRun('new-packed', { withActions: true }))?.actions?.length, PATHS);
      assert.equal(Number((await f.query('SELECT COUNT(*) AS n FROM action_records'))[0]?.n), 0);
    },
  ],
  [
    'records written later for a run with packed records join them as if all were rows',
    async (f) => {
      const { store } = f;
      const { flow } = await store.createFlow({ name: 'f', definition: {} });
      const later = (runId: string): ActionRecordInput[] => [
        { name: 'Set', path: 'Set', status: 'Succeeded', inputs: 'later' },
        { name: 'New', path: 'New', status: 'Succeeded', startTime: '2026-01-01T00:00:00.0000000Z' },
        { name: 'C', path: 'C', status: 'Succeeded', trackingId: `${runId}/C` },
      ];
      // Later, in a commit of its own.
      await newRun(store, flow.id, 'packed', { records: written('packed'), runUpdate: ended });
      await store.upsertActionRecords('packed', later('packed'));
      // In the same batch as the write that packed them.
      await Promise.all([
        newRun(store, flow.id, 'same-batch', { records: written('same-batch'), runUpdate: ended }),
        store.commitStep('same-batch', { records: later('same-batch') }),
      ]);
      // The same records as rows only.
      await newRun(store, flow.id, 'rows', { records: written('rows') });
      await store.commitStep('rows', { records: later('rows'), runUpdate: ended });
      for (const id of ['packed', 'same-batch']) {
        assert.deepEqual(await stored(f, id), { rows: PATHS + 2, packed: false }, id);
        assert.equal(await neutral(store, id), await neutral(store, 'rows'), id);
      }
      const counts = await store.pruneRunsOlderThan(5000);
      assert.deepEqual([counts.runs, counts.actionRecords], [3, 3 * (PATHS + 2)]);
    },
  ],
];
