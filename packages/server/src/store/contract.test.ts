// The store contract: one table of cases, run against both backends. Every case gets a fresh
// database and removes it afterwards, also when it fails.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isStoreError } from './errors.js';
import type { StoreErrorCode } from './errors.js';
import type { SqlStore, SqlStoreOptions } from './sql-store.js';
import { migrations } from './schema.js';
import type { Run, StepWrite } from './types.js';
import { manualClock, postgresAvailable, postgresBackend, sqliteBackend } from './test-support/backends.js';
import type { Backend, Fresh } from './test-support/backends.js';

const pgUp = await postgresAvailable();

async function rejectsWith(p: Promise<unknown>, code: StoreErrorCode): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isStoreError(e), `expected a StoreError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

async function withFresh(backend: Backend, options: SqlStoreOptions, fn: (f: Fresh) => Promise<void>): Promise<void> {
  const f = await backend.fresh(options);
  try {
    await fn(f);
  } finally {
    await f.dispose();
  }
}

async function flowWithRun(
  store: SqlStore,
  runId = 'run-1',
  extra: Partial<Parameters<SqlStore['createRun']>[0]> = {},
) {
  const { flow } = await store.createFlow({ name: 'f', definition: { actions: {} } });
  const run = await store.createRun({
    id: runId,
    flowId: flow.id,
    flowVersion: 1,
    triggerName: 'manual',
    init: { runId, trigger: { name: 'manual' } },
    ...extra,
  });
  return { flow, run };
}

type Case = [name: string, fn: (f: Fresh, clock: ReturnType<typeof manualClock>) => Promise<void>];

const cases: Case[] = [
  [
    'a new database has the default environment; reopening it migrates nothing twice',
    async (f) => {
      assert.deepEqual(
        (await f.store.listEnvironments()).map((e) => [e.id, e.name]),
        [['default', 'Default']],
      );
      await f.store.createEnvironment({ id: 'prod', name: 'Production' });
      const again = await f.reopen();
      assert.deepEqual((await again.listEnvironments()).map((e) => e.id).sort(), ['default', 'prod']);
      const versions = await f.query('SELECT version FROM schema_migrations ORDER BY version');
      assert.deepEqual(
        versions.map((r) => Number(r.version)),
        migrations.map((m) => m.version),
      );
    },
  ],
  [
    'users: e-mail unique whatever its case; tokens, OAuth clients, audit, settings',
    async ({ store }) => {
      const u = await store.createUser({ email: 'Ann@Example.com', displayName: 'Ann', role: 'Admin' });
      assert.equal(u.email, 'ann@example.com');
      await rejectsWith(store.createUser({ email: 'ANN@example.com', displayName: 'x', role: 'Viewer' }), 'Conflict');
      assert.equal((await store.getUserByEmail('ann@EXAMPLE.com'))?.id, u.id);
      const disabled = await store.updateUser(u.id, { disabled: true, role: 'Maker' });
      assert.deepEqual([disabled.disabled, disabled.role], [true, 'Maker']);
      await rejectsWith(store.updateUser('nobody', { role: 'Admin' }), 'NotFound');

      const t = await store.createAccessToken({ userId: u.id, hash: 'h1', name: 'cli' });
      await rejectsWith(store.createAccessToken({ userId: 'nobody', hash: 'h2', name: 'x' }), 'NotFound');
      await store.touchAccessToken(t.id, 1234);
      assert.equal((await store.findAccessTokenByHash('h1'))?.lastUsedAt, 1234);
      assert.equal((await store.listAccessTokens(u.id)).length, 1);
      assert.equal(await store.deleteAccessToken(t.id), true);
      assert.equal(await store.findAccessTokenByHash('h1'), undefined);

      const c = await store.createOAuthClient({ secretHash: 's', roles: ['flows.read', 'runs.write'] });
      assert.deepEqual((await store.getOAuthClient(c.id))?.roles, ['flows.read', 'runs.write']);
      assert.equal((await store.listOAuthClients()).length, 1);
      await rejectsWith(store.createOAuthClient({ secretHash: 's', environmentId: 'nowhere', roles: [] }), 'NotFound');

      const a1 = await store.appendAudit({ actor: u.id, action: 'flow.create', target: 'f1', details: { b: 1, a: 2 } });
      const a2 = await store.appendAudit({ actor: u.id, action: 'flow.delete', target: 'f1' });
      assert.ok(a2 > a1);
      const audit = await store.listAudit({ limit: 10 });
      assert.deepEqual(
        audit.map((e) => e.action),
        ['flow.delete', 'flow.create'],
      );
      assert.deepEqual(audit[1]?.details, { b: 1, a: 2 });
      assert.deepEqual(
        (await store.listAudit({ before: a2 })).map((e) => e.id),
        [a1],
      );

      assert.equal(await store.getSetting('smtp'), undefined);
      await store.setSetting('smtp', { host: 'mail', port: 25 });
      await store.setSetting('smtp', { host: 'mail2' });
      await store.setSetting('flag', false);
      assert.deepEqual(await store.getSetting('smtp'), { host: 'mail2' });
      assert.equal(await store.getSetting('flag'), false);
      assert.equal(await store.deleteSetting('smtp'), true);
      assert.equal(await store.getSetting('smtp'), undefined);
    },
  ],
  [
    'flows: immutable versions, optimistic saves, soft delete',
    async ({ store }, clock) => {
      const { flow, version } = await store.createFlow({
        name: 'Orders',
        definition: { triggers: { manual: {} }, actions: { b: 1, a: 2 } },
        parameters: { p: 1 },
        createdBy: 'ann',
      });
      assert.deepEqual([flow.currentVersion, flow.state, flow.kind, version.version], [1, 'Enabled', 'Stateful', 1]);
      assert.ok(flow.accessKey.length >= 32);
      clock.advance(1000);
      const v2 = await store.saveFlowVersion(flow.id, { definition: { v: 2 }, expectedVersion: 1 });
      assert.equal(v2.version, 2);
      await rejectsWith(store.saveFlowVersion(flow.id, { definition: { v: 3 }, expectedVersion: 1 }), 'Conflict');
      await rejectsWith(store.saveFlowVersion('nope', { definition: {} }), 'NotFound');
      const v3 = await store.saveFlowVersion(flow.id, { definition: { v: 3 } });
      assert.equal(v3.version, 3);
      assert.deepEqual((await store.getFlowVersion(flow.id))?.definition, { v: 3 });
      const v1 = await store.getFlowVersion(flow.id, 1);
      assert.equal(
        JSON.stringify(v1?.definition),
        JSON.stringify({ triggers: { manual: {} }, actions: { b: 1, a: 2 } }),
      );
      assert.deepEqual(v1?.parameters, { p: 1 });
      assert.deepEqual(
        (await store.listFlowVersions(flow.id)).map((v) => v.version),
        [1, 2, 3],
      );
      const updated = await store.updateFlow(flow.id, { state: 'Disabled', name: 'Orders 2' });
      assert.deepEqual([updated.state, updated.name, updated.currentVersion], ['Disabled', 'Orders 2', 3]);
      assert.ok(updated.updatedAt > flow.updatedAt);
      await store.createEnvironment({ id: 'prod', name: 'Prod' });
      await store.createFlow({ environmentId: 'prod', name: 'Other', definition: {} });
      await rejectsWith(store.createFlow({ environmentId: 'missing', name: 'x', definition: {} }), 'NotFound');
      assert.equal((await store.listFlows({ environmentId: 'prod' })).length, 1);
      assert.equal(await store.deleteFlow(flow.id), true);
      assert.equal(await store.deleteFlow(flow.id), false);
      assert.equal(await store.getFlow(flow.id), undefined);
      assert.ok((await store.getFlow(flow.id, { includeDeleted: true }))?.deletedAt);
      assert.deepEqual(
        (await store.listFlows()).map((f) => f.name),
        ['Other'],
      );
      await rejectsWith(store.updateFlow(flow.id, { name: 'zombie' }), 'NotFound');
    },
  ],
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
  [
    'trigger concurrency: queued runs are admitted oldest first while active runs stay under the limit',
    async ({ store }, clock) => {
      const { flow } = await store.createFlow({ name: 'f', definition: {} });
      const { flow: other } = await store.createFlow({ name: 'g', definition: {} });
      const mk = (id: string, startTime: number, status: 'Running' | 'Waiting' | 'Queued', flowId = flow.id) =>
        store.createRun({ id, flowId, flowVersion: 1, triggerName: 't', startTime, status, init: { id } });
      await mk('active-1', 1, 'Running');
      await mk('active-2', 2, 'Waiting');
      await mk('q-3', 30, 'Queued');
      await mk('q-1', 10, 'Queued');
      await mk('q-2', 20, 'Queued');
      await mk('other-q', 5, 'Queued', other.id);
      assert.deepEqual(await store.countUnfinishedRuns(flow.id), { queued: 3, active: 2 });
      assert.deepEqual(await store.admitQueuedRuns(flow.id, 2), []);
      assert.deepEqual(await store.admitQueuedRuns(flow.id, 3), ['q-1']);
      assert.equal((await store.getRun('q-1'))?.status, 'Running');
      await store.updateRun('active-1', { status: 'Succeeded', endTime: 100 });
      clock.set(1000);
      const owned = await store.admitQueuedRuns(flow.id, 4, {
        workerId: 'w1',
        leaseMs: 500,
        item: (runId) => ({ id: `run:${runId}`, kind: 'own' }),
      });
      assert.deepEqual(owned, ['q-2', 'q-3']);
      // The ownership items are leased to the admitting worker: nobody else claims them before expiry.
      assert.deepEqual(await store.claim('w2', 10, 1000), []);
      clock.set(1600);
      assert.deepEqual((await store.claim('w2', 10, 1000)).map((w) => w.id).sort(), ['run:q-2', 'run:q-3']);
      assert.deepEqual(await store.countUnfinishedRuns(flow.id), { queued: 0, active: 4 });
      assert.deepEqual(await store.countUnfinishedRuns(other.id), { queued: 1, active: 0 });
      // A queued run can be cancelled until it is admitted, once.
      assert.equal(await store.cancelQueuedRun('other-q', 1700), true);
      assert.equal(await store.cancelQueuedRun('other-q', 1800), false);
      assert.equal(await store.cancelQueuedRun('q-2'), false);
      const cancelled = await store.getRun('other-q');
      assert.equal(cancelled?.status, 'Cancelled');
      assert.equal(cancelled?.endTime, 1700);
      // queueRun counts and inserts in one turn: ten racing callers, room for three more, three win.
      const { flow: third } = await store.createFlow({ name: 'h', definition: {} });
      await mk('h-active', 1, 'Running', third.id);
      const wins = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.queueRun({ id: `h-${i}`, flowId: third.id, flowVersion: 1, triggerName: 't', init: { i } }, 4),
        ),
      );
      assert.equal(wins.filter(Boolean).length, 3);
      assert.deepEqual(await store.countUnfinishedRuns(third.id), { queued: 3, active: 1 });
      const queuedRun = await store.getRun(`h-${wins.indexOf(true)}`);
      assert.equal(queuedRun?.status, 'Queued');
      assert.deepEqual(queuedRun?.init, { i: wins.indexOf(true) });
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
  [
    'work queue: claim leases, expired leases come back, release, extend, complete',
    async ({ store }, clock) => {
      const ids = await store.enqueue([
        { kind: 'a', payload: { n: 1 } },
        { kind: 'b', availableAt: clock.now() + 10_000 },
        { kind: 'c' },
      ]);
      assert.equal(ids.length, 3);
      const first = await store.claim('w1', 10, 1000);
      assert.deepEqual(
        first.map((w) => [w.kind, w.leaseOwner, w.attempts]),
        [
          ['a', 'w1', 1],
          ['c', 'w1', 1],
        ],
      );
      assert.deepEqual(first[0]?.payload, { n: 1 });
      assert.equal((await store.claim('w2', 10, 1000)).length, 0); // leased, b not yet due
      assert.equal(await store.extendLease(ids[0] as string, 'w2', 5000), false); // not w2's
      assert.equal(await store.extendLease(ids[0] as string, 'w1', 5000), true);
      clock.advance(1500); // c's lease expired, a's was extended
      const second = await store.claim('w2', 10, 1000);
      assert.deepEqual(
        second.map((w) => [w.kind, w.attempts]),
        [['c', 2]],
      );
      assert.equal(await store.extendLease(ids[2] as string, 'w1', 1000), false); // w1 lost it
      assert.equal(await store.complete(ids[0] as string), true);
      assert.equal(await store.complete(ids[0] as string), false);
      assert.equal(await store.release(ids[2] as string, 'w1'), false);
      assert.equal(await store.release(ids[2] as string, 'w2', 2000), true);
      assert.equal((await store.claim('w3', 10, 1000)).length, 0);
      clock.advance(10_000);
      // Oldest availability first: c (released until +2 s) before b (due at +10 s).
      assert.deepEqual(
        (await store.claim('w3', 1, 1000)).map((w) => w.kind),
        ['c'],
      );
      assert.deepEqual(
        (await store.claim('w3', 5, 1000)).map((w) => w.kind),
        ['b'],
      );
    },
  ],
  [
    'work queue: acquireLease takes an item by id unless another worker holds it',
    async (f, clock) => {
      const { store } = f;
      const other = await f.peer();
      const item = { runId: null, kind: 'run', payload: { p: 1 } };
      assert.equal(await store.acquireLease('own:1', 'w1', 1000, item), true); // inserted, leased
      assert.equal(await other.acquireLease('own:1', 'w2', 1000, item), false);
      assert.equal(await store.acquireLease('own:1', 'w1', 1000, item), true); // already mine
      assert.equal((await store.claim('w3', 10, 1000)).length, 0);
      clock.advance(1500); // w1's lease expired: the item is claimable, and acquirable
      const raced = await Promise.all([other.acquireLease('own:1', 'w2', 1000, item), store.claim('w3', 10, 1000)]);
      assert.equal(Number(raced[0]) + raced[1].length, 1);
      clock.advance(1500);
      const [claimed] = await store.claim('w3', 10, 1000);
      assert.deepEqual([claimed?.id, claimed?.kind, claimed?.payload], ['own:1', 'run', { p: 1 }]);
      assert.equal(await store.release('own:1', 'w3'), true);
      assert.equal(await other.acquireLease('own:1', 'w2', 1000, item), true); // released: free
      assert.equal(await store.extendLease('own:1', 'w2', 1000), true);
      assert.equal(await store.complete('own:1'), true);
    },
  ],
  [
    'work queue: concurrent claimers never get the same item',
    async (f) => {
      await f.store.enqueue(Array.from({ length: 60 }, (_, i) => ({ kind: 'k', payload: i })));
      const other = await f.peer();
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? other : f.store).claim(`w${i}`, 10, 60_000)),
      );
      const all = claims.flat().map((w) => w.id);
      assert.equal(all.length, 60);
      assert.equal(new Set(all).size, 60);
    },
  ],
  [
    'onWork: subscribers hear about committed enqueues',
    async (f) => {
      let heard = 0;
      const off = f.store.onWork(() => heard++);
      await f.store.whenListening();
      await f.store.enqueue([{ kind: 'x' }]);
      for (let i = 0; i < 100 && heard === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(heard >= 1);
      off();
      const before = heard;
      await f.store.enqueue([{ kind: 'y' }]);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(heard, before);
    },
  ],
  [
    'timers: due ones in order, fired once, cancelled with cancelWaits',
    async ({ store }) => {
      await flowWithRun(store);
      await store.commitStep('run-1', {
        timers: [
          { key: 'late', dueAt: 300 },
          { key: 'early', dueAt: 100 },
          { key: 'gone', dueAt: 50 },
        ],
      });
      await store.commitStep('run-1', { cancelWaits: ['gone'] });
      assert.deepEqual(
        (await store.dueTimers(200, 10)).map((t) => t.key),
        ['early'],
      );
      const race = await Promise.all([store.markFired('run-1', 'early'), store.markFired('run-1', 'early')]);
      assert.deepEqual(race.sort(), [false, true]);
      assert.deepEqual(
        (await store.dueTimers(1000, 10)).map((t) => t.key),
        ['late'],
      );
      // Re-arming a timer makes it due again.
      await store.commitStep('run-1', { timers: [{ key: 'early', dueAt: 150 }] });
      assert.deepEqual(
        (await store.dueTimers(1000, 1)).map((t) => [t.key, t.fired]),
        [['early', false]],
      );
    },
  ],
  [
    'callbacks resolve exactly once, also when ten race; the follow-up step is written with it',
    async (f) => {
      await flowWithRun(f.store);
      await f.store.commitStep('run-1', { callbacks: [{ key: 'k1', path: 'Webhook' }] });
      const other = await f.peer();
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? other : f.store).resolveCallback(
            'k1',
            { from: i },
            {
              events: [{ kind: 'callback', key: 'k1', payload: { from: i }, now: 1 }],
              enqueue: [{ kind: 'run' }],
            },
          ),
        ),
      );
      assert.equal(outcomes.filter(Boolean).length, 1);
      const winner = outcomes.indexOf(true);
      const cb = await f.store.getCallback('k1');
      assert.deepEqual(cb?.payload, { from: winner });
      assert.ok(cb?.resolvedAt);
      const h = await f.store.loadRunHistory('run-1');
      assert.deepEqual(h.events, [{ kind: 'callback', key: 'k1', payload: { from: winner }, now: 1 }]);
      assert.equal((await f.store.claim('w', 10, 1000)).length, 1);
      assert.equal(await f.store.resolveCallback('unknown', {}), false);
    },
  ],
  [
    'recurrence compare-and-set: two schedulers never take the same occurrence',
    async (f) => {
      const other = await f.peer();
      const first = await Promise.all([
        f.store.casRecurrence('flow', 'Recurrence', undefined, { lastScheduledTime: 1000, nextTime: 2000 }),
        other.casRecurrence('flow', 'Recurrence', undefined, { lastScheduledTime: 1000, nextTime: 2000 }),
      ]);
      assert.deepEqual(first.sort(), [false, true]);
      const next = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 ? other : f.store).casRecurrence('flow', 'Recurrence', 1000, {
            lastScheduledTime: 2000,
            nextTime: 3000,
          }),
        ),
      );
      assert.equal(next.filter(Boolean).length, 1);
      const state = await f.store.getRecurrence('flow', 'Recurrence');
      assert.deepEqual([state?.lastScheduledTime, state?.nextTime], [2000, 3000]);
      assert.equal(await f.store.getRecurrence('flow', 'Other'), undefined);
    },
  ],
  [
    'approvals: responses while pending, completed once',
    async ({ store }) => {
      const a = await store.createApproval({
        runId: 'r',
        path: 'Start_approval',
        details: { title: 'Buy?', assignedTo: ['ann'] },
      });
      assert.equal(a.status, 'Pending');
      await store.addApprovalResponse(a.id, { responderId: 'ann', response: 'Approve', comments: 'ok' });
      assert.equal(await store.completeApproval(a.id, 'Approved'), true);
      assert.equal(await store.completeApproval(a.id, 'Rejected'), false);
      await rejectsWith(store.addApprovalResponse(a.id, { responderId: 'bob', response: 'Reject' }), 'Conflict');
      await rejectsWith(store.addApprovalResponse('nope', { responderId: 'bob', response: 'Reject' }), 'NotFound');
      const got = await store.getApproval(a.id);
      assert.deepEqual(
        [got?.status, got?.responses.map((r) => [r.responderId, r.response, r.comments])],
        ['Approved', [['ann', 'Approve', 'ok']]],
      );
      assert.ok(got?.completedAt);
      assert.equal((await store.listApprovals({ status: 'Pending' })).length, 0);
      assert.equal((await store.listApprovals({ runId: 'r' })).length, 1);
      // A bookkeeping row may follow the end; lists read every approval's responses at once.
      await store.addApprovalResponse(a.id, { responderId: 'system', response: '$fb.note', afterEnd: true });
      const b = await store.createApproval({ details: {} });
      await store.addApprovalResponse(b.id, { responderId: 'cat', response: 'Reject' });
      const all = await store.listApprovalResponses([a.id, b.id, 'nope']);
      assert.deepEqual(
        all.map((r) => [r.approvalId === a.id ? 'a' : 'b', r.responderId]),
        [
          ['a', 'ann'],
          ['a', 'system'],
          ['b', 'cat'],
        ],
      );
      assert.deepEqual(await store.listApprovalResponses([]), []);
    },
  ],
  [
    'desktop: groups, machines, flow versions, the session queue and its compare-and-set moves',
    async ({ store }, clock) => {
      const d = store.desktop;
      const g = await d.createMachineGroup({ id: 'g1', environmentId: 'default', name: 'Robots', keyHash: 'k1' });
      await rejectsWith(
        d.createMachineGroup({ id: 'g2', environmentId: 'default', name: 'Robots', keyHash: 'k2' }),
        'Conflict',
      );
      assert.equal((await d.findMachineGroup({ keyHash: 'k1' }))?.id, 'g1');
      assert.equal((await d.findMachineGroup({ environmentId: 'default', name: 'robots' }))?.id, 'g1');
      assert.ok(await d.setMachineGroupKey('g1', 'k3'));
      assert.equal(await d.findMachineGroup({ keyHash: 'k1' }), undefined);

      const a = await d.registerMachine({
        id: 'm1',
        groupId: g.id,
        name: 'a',
        credentialHash: 'c1',
        attended: true,
        agent: {},
      });
      const b = await d.registerMachine({
        id: 'm2',
        groupId: g.id,
        name: 'b',
        credentialHash: 'c2',
        attended: false,
        agent: {},
      });
      assert.deepEqual([a.replaced, b.replaced], [false, false]);
      const again = await d.registerMachine({
        id: 'm9',
        groupId: g.id,
        name: 'b',
        credentialHash: 'c9',
        attended: false,
        agent: { version: '2' },
      });
      assert.deepEqual([again.replaced, again.machine.id], [true, 'm2']);
      assert.equal(await d.findMachineByCredential('c2'), undefined, 'the old credential stops working');
      assert.equal((await d.findMachineByCredential('c9'))?.agent.version, '2');

      const script = { language: 'bash' as const, script: 'echo', inputs: { type: 'object' }, outputs: {} };
      const { flow } = await d.createDesktopFlow({
        id: 'f1',
        environmentId: 'default',
        name: 'F',
        ownerId: null,
        version: script,
      });
      await d.saveDesktopFlowVersion(flow.id, { ...script, script: 'echo 2' }, { expectedVersion: 1 });
      await rejectsWith(d.saveDesktopFlowVersion(flow.id, script, { expectedVersion: 1 }), 'Conflict');
      assert.equal((await d.getDesktopFlowVersion(flow.id))?.script, 'echo 2');
      assert.equal((await d.getDesktopFlowVersion(flow.id, 1))?.script, 'echo');
      assert.deepEqual((await d.listDesktopFlows(['other'])).length, 0);

      const base = {
        environmentId: 'default',
        flowId: flow.id,
        flowVersion: 2,
        groupId: g.id,
        targetMachineId: null,
        runMode: 2 as const,
        priority: 50,
        triggerType: 3,
        connectionName: null,
        inputs: { x: 1 },
        timeoutSeconds: 60,
        callbackUrl: null,
        runId: null,
        createdBy: null,
      };
      await d.createSession({ ...base, id: 's-normal' });
      clock.advance(1);
      await d.createSession({ ...base, id: 's-attended', runMode: 1, priority: 100 });
      clock.advance(1);
      await d.createSession({ ...base, id: 's-high', priority: 100, callbackUrl: 'http://hook' });
      clock.advance(1);
      await d.createSession({ ...base, id: 's-for-a', targetMachineId: 'm1', priority: 1000 });
      // b is not attended-capable and s-for-a is a's: b gets the high one, then the normal one.
      const forB = await d.claimSession({ id: 'm2', groupId: g.id, attended: false }, clock.now());
      assert.equal(forB?.id, 's-high');
      const forA = await d.claimSession({ id: 'm1', groupId: g.id, attended: true }, clock.now());
      assert.equal(forA?.id, 's-for-a');
      assert.equal((await d.claimSession({ id: 'm1', groupId: g.id, attended: true }, clock.now()))?.id, 's-attended');
      assert.equal((await d.claimSession({ id: 'm2', groupId: g.id, attended: false }, clock.now()))?.id, 's-normal');
      assert.equal(await d.claimSession({ id: 'm2', groupId: g.id, attended: false }, clock.now()), undefined);

      assert.ok(await d.releaseSession('s-normal', 'm2'));
      assert.equal(await d.startSession('s-normal', 'm2', clock.now()), undefined, 'released: not startable');
      const started = await d.startSession('s-high', 'm2', clock.now());
      assert.equal(started?.status, 2);
      assert.equal(await d.startSession('s-high', 'm2', clock.now()), undefined, 'started once');
      assert.deepEqual(
        (await d.machineSessions('m2')).map((s) => s.id),
        ['s-high'],
      );
      assert.ok(await d.requestCancel('s-high'));
      assert.equal(await d.requestCancel('s-normal'), false, 'only Running sessions are marked');

      const end = { status: 4, from: [2], outputs: { y: 2 }, completedAt: clock.now(), machineId: 'm2' };
      assert.equal(await d.finishSession('s-high', { ...end, machineId: 'm1' }), undefined, 'not its machine');
      const done = await d.finishSession('s-high', end);
      assert.deepEqual([done?.status, done?.outputs, done?.callbackState], [4, { y: 2 }, 'pending']);
      assert.equal(await d.finishSession('s-high', { ...end, status: 9 }), undefined, 'ended once');
      assert.deepEqual(
        (await d.pendingCallbacks(0)).map((s) => s.id),
        ['s-high'],
      );
      await d.setCallbackState('s-high', 'delivered');
      assert.deepEqual(await d.pendingCallbacks(0), []);

      await d.startSession('s-for-a', 'm1', clock.now());
      await d.touchMachine('m1', clock.now() - 10_000);
      assert.deepEqual((await d.sessionsOfLostMachines(clock.now())).map((s) => s.id).sort(), [
        's-attended',
        's-for-a',
      ]);
      await d.touchMachine('m1', clock.now() + 1);
      assert.deepEqual(await d.sessionsOfLostMachines(clock.now()), []);
      assert.ok(await d.removeMachine('m1'));
      assert.equal((await d.sessionsOfLostMachines(0)).length, 2, 'a removed machine loses its sessions');

      clock.advance(61_000);
      assert.deepEqual((await d.expiredSessions(clock.now(), 0)).map((s) => s.id).sort(), ['s-attended', 's-normal']);
      assert.deepEqual(
        (await d.expiredSessions(0, clock.now())).map((s) => s.id),
        ['s-for-a'],
      );

      assert.ok(await d.appendSessionLog('s-normal', 'hello\n', clock.now(), 10));
      assert.ok(await d.appendSessionLog('s-normal', 'world, and more\n', clock.now(), 10));
      assert.equal(await d.appendSessionLog('s-normal', 'dropped', clock.now(), 10), false);
      assert.match((await d.readSessionLog('s-normal')).map((l) => l.text).join(''), /^hello\nworl\n\[log truncated\]/);
      assert.deepEqual(
        (await d.listSessions({ flowId: flow.id, limit: 2 })).map((s) => s.id),
        ['s-for-a', 's-high'],
      );
    },
  ],
  [
    'a closed store refuses work with Closed',
    async ({ store }) => {
      await store.close();
      await rejectsWith(store.listRuns(), 'Closed');
      await rejectsWith(store.appendEvents('r', [{}]), 'Closed');
    },
  ],
];

for (const backend of [sqliteBackend, postgresBackend]) {
  const skip = backend.name === 'postgres' && !pgUp ? 'PostgreSQL test server not reachable' : false;
  describe(`store contract: ${backend.name}`, { skip }, () => {
    for (const [name, fn] of cases) {
      test(name, async () => {
        const clock = manualClock();
        await withFresh(backend, { now: clock.now }, (f) => fn(f, clock));
      });
    }
  });
}
