// Run history is stored compactly (compact-json.ts) and reads back as written: action records of
// every shape, large and small JSON, before and after the staged rows move; and retention, which
// moves staged rows before it deletes, leaves other runs' staged rows whole.
import assert from 'node:assert/strict';
import type { ActionRecordInput } from '../../run-types.js';
import type { Case } from './support.js';

const T = '2026-01-01T00:00:00.1230000Z';
const U = '2026-01-01T00:00:01.5000000Z';

/** Records with what compaction leaves out, and with what it must keep. */
export const records = (runId: string): ActionRecordInput[] => [
  // The engine's usual record: every droppable key present and derivable.
  {
    name: 'Compose',
    path: 'Compose',
    type: 'Compose',
    status: 'Succeeded',
    code: 'OK',
    error: null,
    inputs: { a: [1, 2] },
    outputs: { a: [1, 2] },
    startTime: T,
    endTime: U,
    trackingId: `${runId}/Compose`,
  },
  // Nothing derivable: a foreign trackingId, an error, outputs unlike inputs, times not the engine's.
  {
    name: 'Http',
    path: 'Scope/Http',
    status: 'Failed',
    error: { code: 'ActionFailed', message: 'no' },
    inputs: 1,
    outputs: 2,
    startTime: '2026-01-01T00:00:00Z',
    trackingId: 'elsewhere',
  },
  // Outputs that equal inputs as primitives, no times, a key of its own after the known ones.
  { name: 'Set', path: 'Set', status: 'Skipped', inputs: 'x', outputs: 'x', retryHistory: [] },
  // Ended when it started (a lone mark in the end column); times that are the mark itself.
  { name: 'Now', path: 'Scope/Now', status: 'Succeeded', startTime: T, endTime: T },
  { name: 'Hash', path: 'Hash', status: 'Succeeded', startTime: '#', endTime: '#' },
  // Outputs that differ from the inputs only in key order, or deep inside, are kept as they are;
  // outputs equal to the inputs deep inside (other objects) are left out and restored.
  {
    name: 'Order',
    path: 'Order',
    status: 'Succeeded',
    inputs: { a: 1, b: { c: [1, { d: 2 }] } },
    outputs: { b: { c: [1, { d: 2 }] }, a: 1 },
  },
  { name: 'Deep', path: 'Deep', status: 'Succeeded', inputs: { x: { y: [1, 2] } }, outputs: { x: { y: [1, 3] } } },
  {
    name: 'Same',
    path: 'Same',
    status: 'Succeeded',
    inputs: { x: [1, { z: null }] },
    outputs: { x: [1, { z: null }] },
  },
  // A record that names the compaction key itself is kept whole.
  odd,
];

const odd: ActionRecordInput = Object.assign(
  { name: 'Odd', path: 'Odd', status: 'Succeeded', error: null },
  { $c: 'npsx' },
);

const bigInit = (runId: string) => ({
  runId,
  trigger: { name: 'manual', outputs: { headers: { 'Content-Type': 'application/json' }, body: 'z'.repeat(2000) } },
});

/** An init as RunHost writes it: compact-init.ts leaves out what the runs row holds. */
const hostInit = (runId: string, flowId: string, startTime: number) => ({
  runId,
  workflow: { id: flowId, name: 'f', version: '1' },
  trigger: {
    name: 'manual',
    outputs: { headers: { Host: 'localhost' }, body: { n: 1 } },
    startTime: new Date(startTime).toISOString(),
    clientTrackingId: 'ct',
  },
  now: startTime,
  callbackBaseUrl: `http://localhost/api/v1/callbacks/${runId}/sig`,
});

export const runHistoryCases: Case[] = [
  [
    'a run init as the host writes it reads back as written, key order included',
    async ({ store }) => {
      const { flow } = await store.createFlow({ name: 'f', definition: {} });
      const init = hostInit('h1', flow.id, 1234);
      await store.createRun(
        {
          id: 'h1',
          flowId: flow.id,
          flowVersion: 1,
          triggerName: 'manual',
          startTime: 1234,
          clientTrackingId: 'ct',
          init,
        },
        { runUpdate: { status: 'Succeeded', endTime: 1240, response: { statusCode: 200 } } },
      );
      assert.equal(JSON.stringify((await store.getRun('h1'))?.init), JSON.stringify(init));
      assert.equal(JSON.stringify((await store.loadRunHistory('h1')).init), JSON.stringify(init));
      const read = await store.readRun('h1');
      assert.equal(JSON.stringify(read?.history.init), JSON.stringify(init));
      assert.deepEqual([read?.run.status, read?.run.endTime], ['Succeeded', 1240]);
      // Replaced (a queued run admitted later): the new init is kept as it is.
      const later = { ...init, now: 5678 };
      await store.updateRun('h1', { init: later });
      assert.equal(JSON.stringify((await store.getRun('h1'))?.init), JSON.stringify(later));
    },
  ],
  [
    'action records and run JSON read back as written, however compactly stored',
    async ({ store }) => {
      const { flow } = await store.createFlow({ name: 'f', definition: {} });
      const byPath = (rs: ActionRecordInput[] | undefined) =>
        [...(rs ?? [])].sort((a, b) => a.path.localeCompare(b.path));
      for (const id of ['r1', 'r2']) {
        await store.createRun(
          { id, flowId: flow.id, flowVersion: 1, triggerName: 'manual', init: bigInit(id) },
          { records: records(id) },
        );
        await store.commitStep(id, {
          runUpdate: { status: 'Succeeded', response: { statusCode: 200, body: 'y'.repeat(1000) }, outputs: {} },
        });
      }
      for (const id of ['r1', 'r2']) {
        const run = await store.getRun(id, { withActions: true });
        assert.deepStrictEqual(byPath(run?.actions), byPath(records(id)));
        // Key order too: deepStrictEqual does not see it.
        const texts = (rs: ActionRecordInput[] | undefined) =>
          JSON.stringify(byPath(rs).map((r) => [r.path, r.inputs, r.outputs]));
        assert.equal(texts(run?.actions), texts(records(id)));
        assert.deepStrictEqual(run?.init, bigInit(id));
        assert.deepStrictEqual(run?.response, { statusCode: 200, body: 'y'.repeat(1000) });
        const read = await store.readRun(id);
        assert.deepStrictEqual(read?.history.init, bigInit(id));
      }
      // The first record's key order is the engine's, as written.
      const first = (await store.getRun('r1', { withActions: true }))?.actions?.find((r) => r.path === 'Compose');
      assert.deepEqual(Object.keys(first ?? {}), Object.keys(records('r1')[0] ?? {}));
      // A circular record fails as InvalidArgument naming its place, in a run packed or not.
      const loop = (): Record<string, unknown> => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return o;
      };
      const circular = { name: 'C', path: 'C', status: 'Succeeded', inputs: loop(), outputs: loop() };
      for (const runUpdate of [undefined, { status: 'Succeeded' as const }])
        await assert.rejects(
          store.createRun(
            { id: `c-${runUpdate ? 'p' : 'r'}`, flowId: flow.id, flowVersion: 1, triggerName: 'manual', init: {} },
            { records: [circular], ...(runUpdate ? { runUpdate } : {}) },
          ),
          (e: { code?: string; target?: string }) => e.code === 'InvalidArgument' && e.target === 'records[0]',
        );
      // A record upserted again replaces the compact one whole.
      await store.commitStep('r1', { records: [{ name: 'Compose', path: 'Compose', status: 'Failed' }] });
      const again = (await store.getRun('r1', { withActions: true }))?.actions?.find((r) => r.path === 'Compose');
      assert.deepStrictEqual(again, { name: 'Compose', path: 'Compose', status: 'Failed' });
    },
  ],
  [
    'retention deletes old runs with their staged rows and leaves newer runs’ history whole',
    async ({ store }) => {
      const { flow } = await store.createFlow({ name: 'f', definition: {} });
      for (const [id, startTime] of [
        ['old', 100],
        ['new', 10_000],
      ] as const) {
        await store.createRun(
          { id, flowId: flow.id, flowVersion: 1, triggerName: 'manual', startTime, init: bigInit(id) },
          { events: [{ e: id }], records: records(id), runUpdate: { status: 'Succeeded' } },
        );
      }
      const counts = await store.pruneRunsOlderThan(5000);
      assert.equal(counts.runs, 1);
      assert.equal(counts.actionRecords, records('old').length);
      assert.equal(counts.events, 1);
      assert.equal(await store.getRun('old'), undefined);
      const kept = await store.readRun('new');
      assert.deepStrictEqual(kept?.history.events, [{ e: 'new' }]);
      assert.equal(kept?.history.lastSeq, 1);
      const run = await store.getRun('new', { withActions: true });
      assert.equal(run?.actions?.length, records('new').length);
      // The kept run goes on writing after its staged rows moved.
      const { seqs } = await store.commitStep('new', { events: [{ e: 2 }] });
      assert.deepEqual(seqs, [2]);
    },
  ],
];
