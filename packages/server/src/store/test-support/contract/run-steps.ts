// Store contract cases (run by store/contract.test.ts on both backends): writing runs: steps, group
// commit, staging, payloads, fencing.
import assert from 'node:assert/strict';
import { isStoreError } from '../../errors.js';
import type { StepWrite } from '../../types.js';
import { PG_EAGER_BATCH, THREAD_EAGER_BATCH } from '../../step-writer.js';
import { flowWithRun, rejectsWith } from './support.js';
import type { Case } from './support.js';

export const runStepCases: Case[] = [
  [
    'createRun with the environment and start time given returns what a read gives',
    async ({ store }) => {
      const { flow } = await store.createFlow({ name: 'f', definition: {} });
      const steps: Array<[string, StepWrite]> = [
        ['plain', {}],
        ['stepped', { events: [{ a: 1 }, { b: 2 }], runUpdate: { status: 'Waiting' } }],
        ['ended', { events: [{ a: 1 }], runUpdate: { status: 'Failed', endTime: 9, error: { code: 'X' } } }],
      ];
      for (const [id, step] of steps) {
        const created = await store.createRun(
          {
            id,
            flowId: flow.id,
            flowVersion: 1,
            triggerName: 't',
            startTime: 5,
            clientTrackingId: 'c',
            init: {},
            environmentId: flow.environmentId,
          },
          step,
        );
        const { seqs, workIds, ...run } = created;
        assert.deepEqual(workIds, []);
        assert.equal(seqs.length, step.events?.length ?? 0);
        const read = await store.getRun(id);
        assert.ok(read);
        const { init: _i, response: _r, outputs: _o, ...stored } = read;
        assert.deepEqual(run, stored);
      }
    },
  ],
  [
    'runs created in one batch: several flows, versions and row shapes; a missing flow version fails alone',
    async ({ store }) => {
      await store.createEnvironment({ id: 'prod', name: 'Prod' });
      const { flow: a } = await store.createFlow({ name: 'a', definition: {} });
      const { flow: b } = await store.createFlow({ name: 'b', definition: {}, environmentId: 'prod' });
      await store.saveFlowVersion(b.id, { definition: { v: 2 }, expectedVersion: 1 });
      const start = (id: string, flowId: string, flowVersion: number, step: StepWrite) =>
        store.createRun({ id, flowId, flowVersion, triggerName: 't', init: { id } }, step);
      const ended: StepWrite = {
        records: [{ path: 'A', name: 'A', status: 'Succeeded', outputs: { n: 1 } }],
        runUpdate: { status: 'Succeeded', endTime: 9, outputs: { o: 1 } },
      };
      // Started in one turn, they go out together (group commit): first all good, then with two
      // that name a missing flow version (the batch fails, and its units are retried one by one).
      await Promise.all([
        start('r-a1', a.id, 1, {}),
        start('r-b2', b.id, 2, ended),
        start('r-b1', b.id, 1, { runUpdate: { status: 'Waiting' } }),
      ]);
      const outcomes = await Promise.allSettled([
        start('r-a2', a.id, 1, ended),
        start('r-b9', b.id, 9, {}),
        start('r-x1', 'no-such-flow', 1, ended),
        start('r-b3', b.id, 2, {}),
      ]);
      assert.deepEqual(
        outcomes.map((o) => o.status),
        ['fulfilled', 'rejected', 'rejected', 'fulfilled'],
      );
      for (const o of outcomes)
        if (o.status === 'rejected') assert.equal(isStoreError(o.reason) && o.reason.code, 'NotFound');
      assert.deepEqual(
        (await Promise.all(['r-a2', 'r-b3'].map((id) => store.getRun(id)))).map((r) => [r?.environmentId, r?.status]),
        [
          ['default', 'Succeeded'],
          ['prod', 'Running'],
        ],
      );
      const runs = await Promise.all(['r-a1', 'r-b2', 'r-b1'].map((id) => store.getRun(id)));
      assert.deepEqual(
        runs.map((r) => [r?.flowVersion, r?.environmentId, r?.status, r?.endTime ?? null]),
        [
          [1, 'default', 'Running', null],
          [2, 'prod', 'Succeeded', 9],
          [1, 'prod', 'Waiting', null],
        ],
      );
      assert.deepEqual(runs[1]?.outputs, { o: 1 });
      assert.deepEqual((await store.getRun('r-b2', { withActions: true }))?.actions, ended.records);
      assert.equal(await store.getRun('r-b9'), undefined);
      assert.equal(await store.getRun('r-x1'), undefined);
      // A version found missing once is looked up again: it may have been saved since.
      await rejectsWith(start('r-a2v', a.id, 2, {}), 'NotFound');
      await store.saveFlowVersion(a.id, { definition: { v: 2 }, expectedVersion: 1 });
      assert.equal((await start('r-a2v', a.id, 2, {})).flowVersion, 2);
      // The hot path (environment and start given: no read back), alone in its batch, fails too.
      const hot = { flowId: a.id, environmentId: 'default', startTime: 1, triggerName: 't', init: {} };
      await rejectsWith(store.createRun({ ...hot, id: 'r-a7', flowVersion: 7 }, ended), 'NotFound');
      assert.equal(await store.getRun('r-a7'), undefined);
      assert.equal((await store.createRun({ ...hot, id: 'r-a2h', flowVersion: 2 }, ended)).status, 'Succeeded');
      assert.deepEqual((await store.getRun('r-a2h', { withActions: true }))?.actions, ended.records);
    },
  ],
  [
    'run history: events get seqs 1..n in order; init and events come back exactly',
    async ({ store }) => {
      const init = {
        runId: 'run-1',
        trigger: { name: 'manual', outputs: { body: { z: 1, a: [1, 2.5, 'x'] } } },
        now: 5,
      };
      const { run } = await flowWithRun(store, 'run-1', { init, clientTrackingId: 'corr-1' });
      assert.deepEqual(
        [run.status, run.environmentId, run.lastSeq, run.clientTrackingId],
        ['Running', 'default', 0, 'corr-1'],
      );
      const e1 = {
        kind: 'effectResult',
        id: 'c1',
        path: 'Http',
        attempt: 1,
        result: { status: 'Succeeded', outputs: { b: 2, a: 1 } },
        now: 10,
      };
      const e2 = { kind: 'timer', key: 't1', now: 20 };
      const e3 = { kind: 'callback', key: 'k', payload: 'plain string', now: 30 };
      assert.deepEqual(await store.appendEvents('run-1', [e1, e2]), [1, 2]);
      assert.deepEqual((await store.commitStep('run-1', { events: [e3] })).seqs, [3]);
      const h = await store.loadRunHistory('run-1');
      assert.equal(JSON.stringify(h.init), JSON.stringify(init));
      assert.equal(JSON.stringify(h.events), JSON.stringify([e1, e2, e3])); // key order kept: replay sees the same
      assert.equal(h.lastSeq, 3);
      await rejectsWith(store.loadRunHistory('nope'), 'NotFound');
      await rejectsWith(store.appendEvents('nope', [e1]), 'NotFound');
      await rejectsWith(store.createRun({ flowId: 'nope', flowVersion: 1, triggerName: 'm', init: {} }), 'NotFound');
      await rejectsWith(
        store.createRun({ flowId: run.flowId, flowVersion: 7, triggerName: 'm', init: {} }),
        'NotFound',
      );
    },
  ],
  [
    'action records upsert by path; getRun returns them, the response and the outputs',
    async ({ store }) => {
      await flowWithRun(store);
      await store.upsertActionRecords('run-1', [
        { name: 'Compose', path: 'Compose', type: 'Compose', status: 'Running', startTime: '2026-01-01T00:00:01Z' },
        {
          name: 'Compose',
          path: 'For_each[0]/Compose',
          type: 'Compose',
          status: 'Succeeded',
          startTime: '2026-01-01T00:00:02Z',
        },
      ]);
      await store.commitStep('run-1', {
        records: [
          {
            name: 'Compose',
            path: 'Compose',
            type: 'Compose',
            status: 'Succeeded',
            outputs: 42,
            startTime: '2026-01-01T00:00:01Z',
            endTime: '2026-01-01T00:00:03Z',
            retryHistory: [],
          },
        ],
        runUpdate: {
          status: 'Succeeded',
          endTime: 99,
          response: { statusCode: 200, headers: {}, body: { ok: true } },
          outputs: { total: 3 },
        },
      });
      const r = await store.getRun('run-1', { withActions: true });
      assert.ok(r);
      assert.deepEqual([r.status, r.endTime, r.error], ['Succeeded', 99, null]);
      assert.deepEqual(r.response, { statusCode: 200, headers: {}, body: { ok: true } });
      assert.deepEqual(r.outputs, { total: 3 });
      assert.deepEqual(
        r.actions?.map((a) => [a.path, a.status, a.outputs]),
        [
          ['Compose', 'Succeeded', 42],
          ['For_each[0]/Compose', 'Succeeded', undefined],
        ],
      );
      assert.equal((await store.getRun('run-1'))?.actions, undefined);
      assert.equal(await store.getRun('nope'), undefined);
      await store.updateRun('run-1', { error: { code: 'ActionFailed', message: 'x' } });
      assert.deepEqual((await store.getRun('run-1'))?.error, { code: 'ActionFailed', message: 'x' });
      await rejectsWith(
        store.upsertActionRecords('run-1', [{ name: 'x', status: 'Running' } as never]),
        'InvalidArgument',
      );
      await rejectsWith(store.updateRun('nope', { status: 'Failed' }), 'NotFound');
    },
  ],
  [
    'a step is all or nothing: a conflicting callback key leaves no event, record or status behind',
    async ({ store }) => {
      await flowWithRun(store);
      await store.commitStep('run-1', { callbacks: [{ key: 'cb-1', path: 'Approve' }] });
      await rejectsWith(
        store.commitStep('run-1', {
          events: [{ kind: 'timer', key: 'x', now: 1 }],
          records: [{ name: 'A', path: 'A', status: 'Succeeded' }],
          runUpdate: { status: 'Failed' },
          callbacks: [{ key: 'cb-1', path: 'Other' }],
        }),
        'Conflict',
      );
      const r = await store.getRun('run-1', { withActions: true });
      assert.deepEqual([r?.status, r?.lastSeq, r?.actions?.length], ['Running', 0, 0]);
      assert.deepEqual((await store.loadRunHistory('run-1')).events, []);
    },
  ],
  [
    "group commit: an early batch goes while one is out (both backends); a run's steps still commit in order",
    async ({ store }) => {
      const { flow } = await store.createFlow({ name: 'f', definition: {} });
      const size = Math.max(THREAD_EAGER_BATCH, PG_EAGER_BATCH);
      const ids = Array.from({ length: 2 * size }, (_, i) => `q${i}`);
      await Promise.all(
        ids.map((id) => store.createRun({ id, flowId: flow.id, flowVersion: 1, triggerName: 't', init: {} })),
      );
      // Three groups a microtask apart, each an early batch: the second goes beside the first;
      // the third holds second steps of the first group's runs, which wait for the first's commit.
      const steps: Array<Promise<{ seqs: number[] }>> = [];
      const group = (g: number, n: number): void => {
        for (const id of ids.slice(g * size, (g + 1) * size)) steps.push(store.commitStep(id, { events: [{ n }] }));
      };
      group(0, 1);
      await Promise.resolve();
      group(1, 1);
      await Promise.resolve();
      group(0, 2);
      const results = await Promise.all(steps);
      assert.deepEqual(
        results.map((r) => r.seqs),
        [...Array(2 * size).fill([1]), ...Array(size).fill([2])],
      );
      assert.equal(store.groupCommitStats.mostInFlight, 2);
      assert.deepEqual((await store.loadRunHistory('q0')).events, [{ n: 1 }, { n: 2 }]);
    },
  ],
  [
    'group commit: 200 concurrent steps over 10 runs share transactions; seqs are gapless per run',
    async ({ store }) => {
      const { flow } = await store.createFlow({ name: 'f', definition: {} });
      for (let i = 0; i < 10; i++) {
        await store.createRun({ id: `r${i}`, flowId: flow.id, flowVersion: 1, triggerName: 't', init: {} });
      }
      const before = store.groupCommitStats.batches;
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          store.commitStep(`r${i % 10}`, {
            events: [{ i }, { i, second: true }],
            records: [{ name: 'A', path: `A[${i}]`, status: 'Succeeded' }],
          }),
        ),
      );
      const stats = store.groupCommitStats;
      assert.ok(stats.batches - before < 200, `expected batching, got ${stats.batches - before} batches`);
      assert.ok(stats.largestBatch > 1);
      for (let r = 0; r < 10; r++) {
        const seqs = results.filter((_, i) => i % 10 === r).flatMap((x) => x.seqs);
        assert.deepEqual(
          seqs,
          Array.from({ length: 40 }, (_, k) => k + 1),
        );
        const h = await store.loadRunHistory(`r${r}`);
        assert.equal(h.events.length, 40);
        // Each step's two events are adjacent and in order.
        for (let k = 0; k < 40; k += 2) assert.deepEqual(h.events[k + 1], { ...(h.events[k] as object), second: true });
      }
    },
  ],
  [
    'group commit: one bad step in a batch fails alone; the others are written',
    async ({ store }) => {
      await flowWithRun(store);
      const outcomes = await Promise.allSettled([
        store.appendEvents('run-1', [{ n: 1 }]),
        store.appendEvents('missing-run', [{ n: 2 }]),
        store.appendEvents('run-1', [{ n: 3 }]),
      ]);
      assert.equal(outcomes[0]?.status, 'fulfilled');
      assert.equal(outcomes[2]?.status, 'fulfilled');
      const bad = outcomes[1];
      assert.ok(bad?.status === 'rejected' && isStoreError(bad.reason, 'NotFound'));
      assert.deepEqual((await store.loadRunHistory('run-1')).events, [{ n: 1 }, { n: 3 }]);
    },
  ],
  [
    'history reads the same whether the newest steps are staged or moved (mergeThreshold), across reopening',
    async (f, clock) => {
      // SQLite stages events, records and event counts, and moves them every `mergeThreshold` rows
      // (here every other step, so a path is often staged twice); PostgreSQL writes them in place.
      await f.store.close();
      const store = await f.reopen({ now: clock.now, mergeThreshold: 4 });
      await flowWithRun(store);
      const expectActions = (steps: number) => [
        { name: 'A', path: 'A', status: steps === 10 ? 'Succeeded' : 'Running', outputs: steps - 1 },
        ...Array.from({ length: steps }, (_, i) => ({ name: 'B', path: `B[${i}]`, status: 'Succeeded' })),
      ];
      const step = (s: typeof store, i: number) =>
        s.commitStep('run-1', {
          events: [{ i }],
          records: [
            { name: 'A', path: 'A', status: i === 9 ? 'Succeeded' : 'Running', outputs: i },
            { name: 'B', path: `B[${i}]`, status: 'Succeeded' },
          ],
          runUpdate: { status: 'Running' },
        });
      for (let i = 0; i < 6; i++) {
        assert.deepEqual((await step(store, i)).seqs, [i + 1]);
        const h = await store.loadRunHistory('run-1');
        assert.deepEqual(
          h.events,
          Array.from({ length: i + 1 }, (_, k) => ({ i: k })),
        );
        assert.equal(h.lastSeq, i + 1);
        const r = await store.getRun('run-1', { withActions: true });
        assert.deepEqual([r?.lastSeq, r?.status], [i + 1, 'Running']);
        assert.deepEqual(r?.actions, expectActions(i + 1));
        assert.equal((await store.listRuns()).items[0]?.lastSeq, i + 1);
      }
      // A restart (a fresh count of what is staged) goes on where the last one stopped.
      await store.close();
      const again = await f.reopen({ now: clock.now, mergeThreshold: 4 });
      for (let i = 6; i < 10; i++) assert.deepEqual((await step(again, i)).seqs, [i + 1]);
      await again.updateRun('run-1', { status: 'Succeeded', endTime: clock.now() });
      const r = await again.getRun('run-1', { withActions: true });
      assert.deepEqual([r?.lastSeq, r?.status, r?.actions], [10, 'Succeeded', expectActions(10)]);
      assert.deepEqual((await again.listUnfinishedRuns()).length, 0);
      assert.equal((await again.loadRunHistory('run-1')).events.length, 10);
      // Pruning takes staged rows too.
      clock.advance(1000);
      const counts = await again.pruneRunsOlderThan(clock.now());
      assert.deepEqual([counts.runs, counts.events, counts.actionRecords], [1, 10, 11]);
      for (const table of ['run_events', 'run_events_recent', 'action_records', 'action_records_recent']) {
        assert.equal(Number((await f.query(`SELECT COUNT(*) AS n FROM ${table}`))[0]?.n), 0, table);
      }
      assert.equal(Number((await f.query('SELECT COUNT(*) AS n FROM run_seqs_recent'))[0]?.n), 0);
    },
  ],
  [
    'payloads over 256 KiB are stored out of line and read back transparently',
    async (f) => {
      const big = { text: 'é'.repeat(150 * 1024), n: 1 }; // ~300 KiB of UTF-8
      const small = { text: 'x'.repeat(1000) };
      await flowWithRun(f.store, 'run-1', { init: big });
      await f.store.commitStep('run-1', {
        events: [big, small],
        records: [{ name: 'Big', path: 'Big', status: 'Succeeded', outputs: big }],
        runUpdate: { outputs: big },
      });
      const h = await f.store.loadRunHistory('run-1');
      assert.deepEqual(h.init, big);
      assert.deepEqual(h.events, [big, small]);
      const r = await f.store.getRun('run-1', { withActions: true });
      assert.deepEqual(r?.actions?.[0]?.outputs, big);
      assert.deepEqual(r?.outputs, big);
      const rows = await f.query('SELECT COUNT(*) AS n FROM payloads');
      assert.equal(Number(rows[0]?.n), 4); // init, one event, one record, outputs
      // SQLite stages new events in run_events_recent before moving them to run_events (step-batch.ts).
      const inline = await f.query(
        `SELECT (SELECT COUNT(*) FROM run_events WHERE event_ref IS NULL)
           + (SELECT COUNT(*) FROM run_events_recent WHERE event_ref IS NULL) AS n`,
      );
      assert.equal(Number(inline[0]?.n), 1);
    },
  ],
  [
    'fencing: a step that names a stale seq is refused with Conflict and writes nothing (PostgreSQL)',
    async ({ store }) => {
      await flowWithRun(store);
      const first = await store.commitStep('run-1', { events: [{ e: 1 }], expectSeq: 0 });
      assert.deepEqual(first.seqs, [1]);
      const ok = await store.commitStep('run-1', {
        events: [{ e: 2 }],
        expectSeq: 1,
        runUpdate: { status: 'Waiting' },
      });
      assert.deepEqual(ok.seqs, [2]);
      if (store.backend !== 'postgres') return; // one process: nobody else can write the run
      await rejectsWith(
        store.commitStep('run-1', { events: [{ stale: true }], expectSeq: 1, runUpdate: { status: 'Failed' } }),
        'Conflict',
      );
      const history = await store.loadRunHistory('run-1');
      assert.deepEqual(history.events, [{ e: 1 }, { e: 2 }]);
      assert.equal((await store.getRun('run-1'))?.status, 'Waiting');
      // Without expectSeq a step is not fenced; an unknown run is still NotFound.
      await rejectsWith(store.commitStep('nope', { events: [{}], expectSeq: 0 }), 'NotFound');
    },
  ],
  [
    'a step may replace the run init (a queued run starts later than it was accepted)',
    async ({ store }) => {
      await flowWithRun(store, 'run-1', { status: 'Queued' });
      await store.commitStep('run-1', { runUpdate: { status: 'Running', init: { runId: 'run-1', now: 42 } } });
      const history = await store.loadRunHistory('run-1');
      assert.deepEqual(history.init, { runId: 'run-1', now: 42 });
      await store.commitStep('run-1', { runUpdate: { init: { big: 'x'.repeat(300 * 1024) } } });
      assert.equal(((await store.getRun('run-1'))?.init as { big: string }).big.length, 300 * 1024);
    },
  ],
];
