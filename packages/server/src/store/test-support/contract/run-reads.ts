// Store contract cases (run by store/contract.test.ts on both backends): reading runs: lists,
// recovery, retention, trigger history.
import assert from 'node:assert/strict';
import type { Run } from '../../types.js';
import { rejectsWith } from './support.js';
import type { Case } from './support.js';

export const runReadCases: Case[] = [
  [
    'readRun: the row and the history come from one snapshot, also while steps commit',
    async (f) => {
      const { flow } = await f.store.createFlow({ name: 'f', definition: {} });
      const writer = await f.peer();
      const steps = 40;
      let reads = 0;
      for (let r = 0; r < 3; r++) {
        const id = `snap-${r}`;
        await f.store.createRun({ id, flowId: flow.id, flowVersion: 1, triggerName: 't', init: {} });
        let writing = true;
        const written = (async () => {
          for (let i = 1; i <= steps; i++) {
            const last = i === steps;
            await writer.commitStep(id, {
              events: [{ kind: 'step', i }],
              ...(last ? { runUpdate: { status: 'Succeeded', endTime: 1000 + r } } : {}),
            });
          }
          writing = false;
        })();
        while (writing) {
          const read = await f.store.readRun(id);
          assert.ok(read);
          reads++;
          // Every field describes the same commit: the events seen match the row's status and seq.
          assert.equal(read.history.lastSeq, read.run.lastSeq);
          assert.equal(read.history.events.length, read.run.lastSeq);
          const ended = read.run.status === 'Succeeded';
          assert.equal(ended, read.history.events.length === steps);
          assert.equal(read.run.endTime === null, !ended);
          // SQLite answers without leaving the microtask queue: let the writer's commits in.
          await new Promise((resolve) => setImmediate(resolve));
        }
        await written;
        const final = await f.store.readRun(id);
        assert.equal(final?.run.endTime, 1000 + r);
        assert.equal(final?.history.events.length, steps);
      }
      assert.ok(reads > 0);
      assert.equal(await f.store.readRun('nope'), undefined);
    },
  ],
  [
    'listRuns: newest first, filters, cursor paging stable under inserts',
    async ({ store }) => {
      await store.createEnvironment({ id: 'prod', name: 'Prod' });
      const { flow: a } = await store.createFlow({ name: 'a', definition: {} });
      const { flow: b } = await store.createFlow({ name: 'b', environmentId: 'prod', definition: {} });
      for (let i = 0; i < 25; i++) {
        // Pairs share a start time: the id breaks the tie.
        await store.createRun({
          id: `run-${String(i).padStart(2, '0')}`,
          flowId: i % 5 === 0 ? b.id : a.id,
          flowVersion: 1,
          triggerName: 't',
          startTime: 1000 + Math.floor(i / 2),
          status: i % 3 === 0 ? 'Succeeded' : 'Running',
          init: {},
        });
      }
      const seen: Run[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.listRuns({ limit: 7, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items);
        cursor = page.nextCursor ?? undefined;
        pages++;
        // Newer runs arriving meanwhile must not shift the pages.
        await store.createRun({ flowId: a.id, flowVersion: 1, triggerName: 't', startTime: 5000 + pages, init: {} });
      } while (cursor);
      assert.equal(pages, 4);
      assert.deepEqual(
        seen.map((r) => r.id),
        Array.from({ length: 25 }, (_, i) => `run-${String(24 - i).padStart(2, '0')}`),
      );
      assert.equal((await store.listRuns({ flowId: b.id, limit: 100 })).items.length, 5);
      assert.equal((await store.listRuns({ environmentId: 'prod', limit: 100 })).items.length, 5);
      assert.equal((await store.listRuns({ status: 'Succeeded', to: 2000, limit: 100 })).items.length, 9);
      const window = await store.listRuns({ from: 1002, to: 1004, limit: 100 });
      assert.deepEqual(
        window.items.map((r) => r.id),
        ['run-07', 'run-06', 'run-05', 'run-04'],
      );
      await rejectsWith(store.listRuns({ cursor: 'garbage' }), 'InvalidArgument');
    },
  ],
  [
    'parked runs: left out of listUnfinishedRuns({ exceptParked }) until a step unparks them; pendingTimers',
    async ({ store }) => {
      const { flow } = await store.createFlow({ name: 'f', definition: {} });
      const mk = (id: string, startTime: number) =>
        store.createRun({ id, flowId: flow.id, flowVersion: 1, triggerName: 't', startTime, init: {} });
      await mk('busy', 1);
      await mk('parked', 2);
      await mk('woken', 3);
      assert.deepEqual(await store.pendingTimers(), { count: 0, nextDueAt: null });
      await store.commitStep('parked', {
        events: [{ e: 1 }],
        runUpdate: { status: 'Running', parked: true },
        timers: [{ key: 'w', dueAt: 500 }],
      });
      await store.commitStep('woken', {
        runUpdate: { status: 'Waiting', parked: true },
        timers: [{ key: 'w', dueAt: 300 }],
        callbacks: [{ key: 'cb-woken', path: 'A' }],
      });
      assert.deepEqual(await store.pendingTimers(), { count: 2, nextDueAt: 300 });
      const ids = async (exceptParked?: boolean) =>
        (await store.listUnfinishedRuns(exceptParked === undefined ? undefined : { exceptParked })).map((r) => r.id);
      assert.deepEqual(await ids(), ['busy', 'parked', 'woken']);
      assert.deepEqual(await ids(true), ['busy']);
      assert.deepEqual(await ids(false), ['busy', 'parked', 'woken']);
      // Woken: its step issues an effect, so it is no longer parked; a fired timer no longer counts.
      assert.equal(await store.fireDueTimers(400, 10), 1);
      await store.commitStep('woken', { events: [{ e: 2 }], runUpdate: { status: 'Running', parked: false } });
      assert.deepEqual(await ids(true), ['busy', 'woken']);
      assert.deepEqual(await store.pendingTimers(), { count: 1, nextDueAt: 500 });
      // A finished run is not listed, parked or not.
      await store.commitStep('parked', { runUpdate: { status: 'Succeeded', endTime: 9 }, cancelWaits: ['w'] });
      assert.deepEqual(await ids(), ['busy', 'woken']);
      assert.deepEqual(await store.pendingTimers(), { count: 0, nextDueAt: null });
    },
  ],
  [
    'listUnfinishedRuns and pruneRunsOlderThan (finished runs only, with everything hanging off them)',
    async ({ store }) => {
      const { flow } = await store.createFlow({ name: 'f', definition: {} });
      const mk = (id: string, startTime: number, status: 'Running' | 'Succeeded' | 'Waiting') =>
        store.createRun(
          { id, flowId: flow.id, flowVersion: 1, triggerName: 't', startTime, status, init: {} },
          {
            events: [{ e: 1 }, { e: 2 }],
            records: [{ name: 'A', path: 'A', status: 'Succeeded', outputs: 'y'.repeat(300 * 1024) }],
            enqueue: [{ kind: 'run' }],
            timers: [{ key: 't', dueAt: 5 }],
            callbacks: [{ key: `cb-${id}`, path: 'A' }],
          },
        );
      await mk('old-done', 100, 'Succeeded');
      await mk('old-waiting', 100, 'Waiting');
      await mk('new-done', 10_000, 'Succeeded');
      await mk('new-running', 10_000, 'Running');
      assert.deepEqual(
        (await store.listUnfinishedRuns()).map((r) => r.id),
        ['old-waiting', 'new-running'],
      );
      const counts = await store.pruneRunsOlderThan(new Date(5000));
      assert.deepEqual(counts, {
        runs: 1,
        events: 2,
        actionRecords: 1,
        payloads: 1,
        workItems: 1,
        timers: 1,
        callbacks: 1,
        triggerHistory: 0,
      });
      assert.equal(await store.getRun('old-done'), undefined);
      assert.ok(await store.getRun('old-waiting'));
      assert.equal((await store.pruneRunsOlderThan(5000)).runs, 0);
    },
  ],
  [
    'trigger history: evaluations that started no run, newest first, paged, pruned with the runs',
    async ({ store }) => {
      const { flow } = await store.createFlow({ name: 'f', definition: {} });
      await store.recordTriggerHistory({ flowId: flow.id, triggerName: 'manual', at: 100, status: 'Skipped' });
      const failed = await store.recordTriggerHistory({
        flowId: flow.id,
        triggerName: 'Manual',
        at: 200,
        status: 'Failed',
        code: 'SchemaValidationFailed',
        message: 'body.name is required',
      });
      await store.recordTriggerHistory({ flowId: flow.id, triggerName: 'other', at: 300, status: 'Skipped' });
      const all = await store.listTriggerHistory(flow.id, 'MANUAL');
      assert.deepEqual(
        all.map((e) => [e.at, e.status, e.code]),
        [
          [200, 'Failed', 'SchemaValidationFailed'],
          [100, 'Skipped', null],
        ],
      );
      assert.equal(all[0]!.message, 'body.name is required');
      const next = await store.listTriggerHistory(flow.id, 'manual', { limit: 1, before: { at: 200, id: failed } });
      assert.deepEqual(
        next.map((e) => e.at),
        [100],
      );
      assert.equal((await store.pruneRunsOlderThan(250)).triggerHistory, 2);
      assert.equal((await store.listTriggerHistory(flow.id, 'other')).length, 1);
    },
  ],
];
