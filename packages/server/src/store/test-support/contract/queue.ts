// Store contract cases (run by store/contract.test.ts on both backends): the queue: admission, work
// items and leases, notifications, timers, callbacks, recurrence.
import assert from 'node:assert/strict';
import { flowWithRun } from './support.js';
import type { Case } from './support.js';

export const queueCases: Case[] = [
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
    'cluster: heartbeats upsert one row per process; silent ones drop out of the list and are pruned',
    async ({ store }, clock) => {
      const base = { roles: ['worker'], host: 'h', pid: 1, version: '1', startedAt: 5, liveRuns: 0, leader: false };
      await store.heartbeat({ ...base, id: 'a' });
      clock.advance(1000);
      await store.heartbeat({ ...base, id: 'b', roles: ['api', 'worker'], leader: true });
      await store.heartbeat({ ...base, id: 'a', liveRuns: 3 });
      const all = await store.listProcesses(0);
      assert.deepEqual(
        all.map((p) => [p.id, p.liveRuns, p.leader, p.roles]),
        [
          ['a', 3, false, ['worker']],
          ['b', 0, true, ['api', 'worker']],
        ],
      );
      clock.advance(5000);
      await store.heartbeat({ ...base, id: 'b', leader: true });
      const since = clock.now() - 2000;
      assert.deepEqual(
        (await store.listProcesses(since)).map((p) => p.id),
        ['b'],
      );
      assert.equal(await store.pruneProcesses(since), 1);
      assert.equal(await store.removeProcess('b'), true);
      assert.equal(await store.removeProcess('b'), false);
      assert.deepEqual(await store.listProcesses(0), []);
    },
  ],
  [
    'fireDueTimers: each due timer becomes one timer work item, also when workers race',
    async (f) => {
      await flowWithRun(f.store);
      const keys = Array.from({ length: 30 }, (_, i) => `t${String(i).padStart(2, '0')}`);
      await f.store.commitStep('run-1', {
        timers: [...keys.map((key, i) => ({ key, dueAt: 100 + i })), { key: 'later', dueAt: 5000 }],
      });
      const other = await f.peer();
      const fired = await Promise.all(
        Array.from({ length: 6 }, (_, i) => (i % 2 ? other : f.store).fireDueTimers(1000, 7)),
      );
      let total = fired.reduce((a, b) => a + b, 0);
      while (total < keys.length) {
        const more = await f.store.fireDueTimers(1000, 7);
        assert.ok(more > 0, `only ${total} of ${keys.length} fired`);
        total += more;
      }
      assert.equal(total, keys.length);
      assert.equal(await f.store.fireDueTimers(1000, 100), 0);
      const items = await f.store.claim('w', 100, 1000);
      assert.deepEqual(
        items.map((i) => [i.runId, i.kind, (i.payload as { key: string }).key]).sort(),
        keys.map((key) => ['run-1', 'timer', key]),
      );
      assert.deepEqual(
        (await f.store.dueTimers(10_000, 10)).map((t) => t.key),
        ['later'],
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
];
