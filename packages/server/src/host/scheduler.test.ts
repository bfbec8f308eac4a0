import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { StartRunRequest } from './run-host.js';
import { HostError } from './errors.js';
import { RecurrenceScheduler, type RecurrenceSchedulerOptions } from './scheduler.js';
import { WorkflowCache } from './workflows.js';
import type { SqlStore } from '../store/index.js';
import { postgresAvailable, postgresBackend, sqliteBackend, type Fresh } from '../store/test-support/backends.js';

const ms = (iso: string): number => Date.parse(iso);
const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

function definition(recurrence: unknown, extra: Record<string, unknown> = {}): unknown {
  return {
    triggers: { Every: { type: 'Recurrence', recurrence, ...extra } },
    actions: { Compose: { type: 'Compose', inputs: 'tick' } },
  };
}

interface Fired {
  flowId: string;
  scheduledTime: string;
  runs: number;
}

const created: RecurrenceScheduler[] = [];
/** Stops the schedulers a test made: on PostgreSQL that gives the leadership back. */
afterEach(async () => {
  for (const s of created.splice(0)) await s.stop();
});

/** A scheduler over `store` whose host records the runs it is asked to start. */
function scheduler(
  store: SqlStore,
  clock: () => number,
  options: Partial<RecurrenceSchedulerOptions> = {},
): { scheduler: RecurrenceScheduler; fired: Fired[]; started: StartRunRequest[] } {
  const fired: Fired[] = [];
  const started: StartRunRequest[] = [];
  const host = {
    workflows: new WorkflowCache(store),
    startRun: async (request: StartRunRequest) => {
      started.push(request);
      return { runId: `run-${started.length}` };
    },
  };
  const s = new RecurrenceScheduler({
    store,
    host,
    now: clock,
    onFired: (e) => fired.push({ flowId: e.flowId, scheduledTime: iso(e.scheduledTime)!, runs: started.length }),
    ...options,
  });
  created.push(s);
  return { scheduler: s, fired, started };
}

const pgUp = await postgresAvailable();

for (const backend of [sqliteBackend, postgresBackend]) {
  const skip = backend.name === 'postgres' && !pgUp ? 'PostgreSQL test server not reachable' : false;

  describe(`RecurrenceScheduler (${backend.name})`, { skip }, () => {
    let now = ms('2024-06-03T10:00:00Z');
    const clock = (): number => now;
    let fresh: Fresh;
    let store: SqlStore;
    before(async () => {
      fresh = await backend.fresh({ now: clock });
      store = fresh.store;
    });
    after(async () => {
      await fresh?.dispose();
    });

    it('fires each occurrence once, anchored at startTime', async () => {
      now = ms('2024-06-03T10:00:00Z');
      const { flow } = await store.createFlow({
        name: 'every-5-min',
        definition: definition({ frequency: 'Minute', interval: 5, startTime: '2024-06-03T09:58:00Z' }),
      });
      const { scheduler: s, fired, started } = scheduler(store, clock);
      // 09:58 is before the flow existed: not fired; the first occurrence is 10:03.
      assert.equal(iso(await s.tick()), '2024-06-03T10:03:00.000Z');
      assert.equal(fired.length, 0);
      const steps: Array<[string, string[]]> = [
        ['2024-06-03T10:02:59Z', []],
        ['2024-06-03T10:03:00Z', ['2024-06-03T10:03:00.000Z']],
        ['2024-06-03T10:03:00Z', []],
        ['2024-06-03T10:05:00Z', []],
        ['2024-06-03T10:08:01Z', ['2024-06-03T10:08:00.000Z']],
        ['2024-06-03T10:09:00Z', []],
      ];
      for (const [at, expected] of steps) {
        now = ms(at);
        const count: number = fired.length;
        await s.tick();
        assert.deepEqual(
          fired.slice(count).map((f) => f.scheduledTime),
          expected,
          at,
        );
      }
      assert.ok(started.every((r) => r.flow.id === flow.id && r.triggerName === 'Every' && r.version === 1));
      assert.deepEqual(started[0]!.outputs, {});
      // trigger().scheduledTime: the occurrence, not the (later) moment the scheduler saw it.
      assert.deepEqual(
        started.map((r) => iso(r.scheduledTime!)),
        ['2024-06-03T10:03:00.000Z', '2024-06-03T10:08:00.000Z'],
      );
      await store.updateFlow(flow.id, { state: 'Disabled' });
    });

    it('does not fire again after a restart on the same store', async () => {
      now = ms('2024-06-03T11:00:00Z');
      const { flow } = await store.createFlow({
        name: 'restart',
        definition: definition({ frequency: 'Hour', interval: 1, startTime: '2024-06-03T11:00:00Z' }),
      });
      const first = scheduler(store, clock);
      await first.scheduler.tick();
      assert.deepEqual(
        first.fired.filter((f) => f.flowId === flow.id).map((f) => f.scheduledTime),
        ['2024-06-03T11:00:00.000Z'],
      );
      await first.scheduler.stop();
      // A new process: another store on the same database, a new scheduler, same instant.
      const reopened = await fresh.reopen({ now: clock });
      const second = scheduler(reopened, clock);
      now = ms('2024-06-03T11:00:30Z');
      assert.equal(iso(await second.scheduler.tick()), '2024-06-03T12:00:00.000Z');
      assert.equal(second.fired.length, 0);
      now = ms('2024-06-03T12:00:00Z');
      await second.scheduler.tick();
      assert.deepEqual(
        second.fired.map((f) => f.scheduledTime),
        ['2024-06-03T12:00:00.000Z'],
      );
      await store.updateFlow(flow.id, { state: 'Disabled' });
    });

    it('two schedulers racing on one store fire each occurrence once', async () => {
      now = ms('2024-06-03T12:00:00Z');
      const { flow } = await store.createFlow({
        name: 'race',
        definition: definition({ frequency: 'Second', interval: 30 }),
      });
      const peer = await fresh.peer();
      // Leadership off: the compare-and-set alone must keep them apart.
      const a = scheduler(store, clock, { leadership: null });
      const b = scheduler(peer, clock, { leadership: null });
      const times: string[] = [];
      for (let i = 0; i < 6; i++) {
        now = ms('2024-06-03T12:00:00Z') + i * 15_000;
        await Promise.all([a.scheduler.tick(), b.scheduler.tick(), a.scheduler.tick(), b.scheduler.tick()]);
      }
      for (const f of [...a.fired, ...b.fired]) if (f.flowId === flow.id) times.push(f.scheduledTime);
      // No startTime: the first run at creation, then every 30 s from it.
      assert.deepEqual(times.sort(), [
        '2024-06-03T12:00:00.000Z',
        '2024-06-03T12:00:30.000Z',
        '2024-06-03T12:01:00.000Z',
      ]);
      await store.updateFlow(flow.id, { state: 'Disabled' });
    });

    it('after downtime fires the most recent missed occurrence once, then keeps the schedule', async () => {
      now = ms('2024-06-03T13:00:00Z');
      const { flow } = await store.createFlow({
        name: 'downtime',
        definition: definition({ frequency: 'Minute', interval: 5, startTime: '2024-06-03T13:00:00Z' }),
      });
      const { scheduler: s, fired } = scheduler(store, clock);
      await s.tick();
      now = ms('2024-06-03T13:37:10Z'); // down from 13:00 to 13:37: 13:05 … 13:35 missed
      assert.equal(iso(await s.tick()), '2024-06-03T13:40:00.000Z');
      await s.tick();
      now = ms('2024-06-03T13:40:00Z');
      await s.tick();
      assert.deepEqual(
        fired.filter((f) => f.flowId === flow.id).map((f) => f.scheduledTime),
        ['2024-06-03T13:00:00.000Z', '2024-06-03T13:35:00.000Z', '2024-06-03T13:40:00.000Z'],
      );
      await store.updateFlow(flow.id, { state: 'Disabled' });
    });

    it('a flow created with a startTime in the past fires no backlog', async () => {
      now = ms('2024-06-03T14:00:00Z');
      const { flow } = await store.createFlow({
        name: 'past-start',
        definition: definition({
          frequency: 'Day',
          interval: 1,
          startTime: '2024-01-01T08:00:00',
          timeZone: 'W. Europe Standard Time',
        }),
      });
      const { scheduler: s, fired } = scheduler(store, clock);
      assert.equal(iso(await s.tick()), '2024-06-04T06:00:00.000Z'); // 08:00 CEST
      assert.equal(fired.length, 0);
      await store.updateFlow(flow.id, { state: 'Disabled' });
    });

    it('a disabled flow does not fire; enabled again, it skips what it missed', async () => {
      now = ms('2024-06-03T15:00:00Z');
      const { flow } = await store.createFlow({
        name: 'disabled',
        state: 'Disabled',
        definition: definition({ frequency: 'Minute', interval: 10, startTime: '2024-06-03T15:00:00Z' }),
      });
      const { scheduler: s, fired } = scheduler(store, clock);
      for (const at of ['2024-06-03T15:00:00Z', '2024-06-03T15:10:00Z']) {
        now = ms(at);
        await s.tick();
      }
      assert.equal(fired.length, 0);
      now = ms('2024-06-03T15:25:00Z');
      await store.updateFlow(flow.id, { state: 'Enabled' });
      assert.equal(iso(await s.tick()), '2024-06-03T15:30:00.000Z');
      assert.equal(fired.length, 0);
      // Disabled after one run, enabled again after two missed occurrences: none replayed.
      now = ms('2024-06-03T15:30:00Z');
      await s.tick();
      await store.updateFlow(flow.id, { state: 'Disabled' });
      now = ms('2024-06-03T15:55:00Z');
      await s.tick();
      await store.updateFlow(flow.id, { state: 'Enabled' });
      await s.tick();
      now = ms('2024-06-03T16:00:00Z');
      await s.tick();
      assert.deepEqual(
        fired.map((f) => f.scheduledTime),
        ['2024-06-03T15:30:00.000Z', '2024-06-03T16:00:00.000Z'],
      );
      await store.updateFlow(flow.id, { state: 'Disabled' });
    });

    it('without startTime: fires on save, then from that run; a new version re-plans', async () => {
      now = ms('2024-06-03T17:00:00Z');
      const { flow } = await store.createFlow({
        name: 'no-start',
        definition: definition({ frequency: 'Hour', interval: 1 }),
      });
      const { scheduler: s, fired } = scheduler(store, clock);
      now = ms('2024-06-03T17:00:02Z');
      assert.equal(iso(await s.tick()), '2024-06-03T18:00:00.000Z');
      now = ms('2024-06-03T17:20:00Z');
      await store.saveFlowVersion(flow.id, { definition: definition({ frequency: 'Minute', interval: 15 }) });
      now = ms('2024-06-03T17:20:01Z');
      assert.equal(iso(await s.tick()), '2024-06-03T17:35:00.000Z');
      now = ms('2024-06-03T17:35:00Z');
      await s.tick();
      assert.deepEqual(
        fired.map((f) => f.scheduledTime),
        ['2024-06-03T17:00:00.000Z', '2024-06-03T17:20:00.000Z', '2024-06-03T17:35:00.000Z'],
      );
      await store.updateFlow(flow.id, { state: 'Disabled' });
    });

    it('consumes an occurrence whose trigger conditions do not hold, and skips invalid recurrences', async () => {
      now = ms('2024-06-03T18:00:00Z');
      const { flow: conditional } = await store.createFlow({
        name: 'conditions',
        definition: definition({ frequency: 'Minute', interval: 1 }, { conditions: [{ expression: '@equals(1, 2)' }] }),
      });
      await store.createFlow({
        name: 'invalid',
        definition: definition({ frequency: 'Fortnight', interval: 1 }),
      });
      const { scheduler: s, fired } = scheduler(store, clock);
      assert.equal(iso(await s.tick()), '2024-06-03T18:01:00.000Z');
      assert.equal(fired.length, 0);
      // The skipped occurrence is in the trigger's history.
      const history = await store.listTriggerHistory(conditional.id, 'Every');
      assert.deepEqual(
        history.map((h) => [iso(h.at), h.status]),
        [['2024-06-03T18:00:00.000Z', 'Skipped']],
      );
    });

    it('an occurrence refused by the concurrency limit, or whose condition fails, is in the history as Failed', async () => {
      now = ms('2024-06-03T19:00:00Z');
      const { flow: refused } = await store.createFlow({
        name: 'refused',
        definition: definition({ frequency: 'Minute', interval: 1 }),
      });
      const { flow: broken } = await store.createFlow({
        name: 'broken',
        definition: definition({ frequency: 'Minute', interval: 1 }, { conditions: [{ expression: '@add(1, 2)' }] }),
      });
      const s = new RecurrenceScheduler({
        store,
        now: clock,
        host: {
          workflows: new WorkflowCache(store),
          startRun: () => Promise.reject(new HostError('TooManyRuns', 'full')),
        },
      });
      created.push(s);
      // Neither stops the schedule: the next occurrence is planned.
      assert.equal(iso(await s.tick()), '2024-06-03T19:01:00.000Z');
      const failures = async (id: string) =>
        (await store.listTriggerHistory(id, 'Every')).map((h) => [iso(h.at), h.status, h.code]);
      assert.deepEqual(await failures(refused.id), [['2024-06-03T19:00:00.000Z', 'Failed', 'TooManyRequests']]);
      assert.deepEqual(await failures(broken.id), [['2024-06-03T19:00:00.000Z', 'Failed', 'InvalidTemplate']]);
      await store.updateFlow(refused.id, { state: 'Disabled' });
      await store.updateFlow(broken.id, { state: 'Disabled' });
    });
  });
}

describe('RecurrenceScheduler leadership (postgres)', { skip: pgUp ? false : 'PostgreSQL not reachable' }, () => {
  it('only the leader fires', async () => {
    let now = ms('2024-06-03T10:00:00Z');
    const clock = (): number => now;
    const fresh = await postgresBackend.fresh({ now: clock });
    try {
      await fresh.store.createFlow({ name: 'led', definition: definition({ frequency: 'Minute', interval: 1 }) });
      const other = await fresh.peer();
      const leader = scheduler(fresh.store, clock);
      const follower = scheduler(other, clock);
      assert.equal(iso(await leader.scheduler.tick()), '2024-06-03T10:01:00.000Z');
      now = ms('2024-06-03T10:01:00Z');
      assert.equal(await follower.scheduler.tick(), null);
      await leader.scheduler.tick();
      assert.equal(follower.fired.length, 0);
      assert.equal(leader.fired.length, 2);
    } finally {
      await fresh.dispose();
    }
  });
});

describe('RecurrenceScheduler loop', () => {
  it('wakes on poke, fires, and stops', async () => {
    const fresh = await sqliteBackend.fresh();
    try {
      const { scheduler: s, fired } = scheduler(fresh.store, Date.now, { maxSleepMs: 60_000 });
      s.start();
      await new Promise((r) => setTimeout(r, 20));
      await fresh.store.createFlow({ name: 'poked', definition: definition({ frequency: 'Day', interval: 1 }) });
      s.poke();
      const deadline = Date.now() + 5000;
      while (fired.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.equal(fired.length, 1);
      const t0 = Date.now();
      await s.stop();
      assert.ok(Date.now() - t0 < 1000, 'stop does not wait for the sleep');
    } finally {
      await fresh.dispose();
    }
  });
});
