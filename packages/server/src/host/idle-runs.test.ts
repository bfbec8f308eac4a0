// Idle runs cost nothing (issue #18): a durable run that only waits (timers, callbacks) is parked:
// not held in memory, not replayed when a host starts; its wake-up (a fired timer, a cancel) rebuilds
// it from its events. A run with an effect in flight is not parked, so a start still resumes it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EffectCommand, EffectResult } from '../effects/types.js';
import { openStore, type Flow, type SqlStore } from '../store/index.js';
import { RunHost } from './run-host.js';

const options = { baseUrl: () => 'http://flowbridge.test', callbackSecret: 'secret', pollMs: 20 };

/** Request → Wait until `dueAt` → Compose (reads the trigger body). */
function waitFlow(store: SqlStore, dueAt: number): Promise<{ flow: Flow }> {
  return store.createFlow({
    name: `wait-${dueAt}`,
    definition: {
      triggers: { manual: { type: 'Request', kind: 'Http' } },
      actions: {
        Wait: { type: 'Wait', inputs: { until: { timestamp: new Date(dueAt).toISOString() } } },
        Done: { type: 'Compose', inputs: "@triggerBody()?['n']", runAfter: { Wait: ['Succeeded'] } },
      },
    },
  });
}

async function until(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`timed out waiting for ${what}`);
}

async function withStore(fn: (store: SqlStore) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-idle-'));
  const store = await openStore({ dataDir: dir });
  try {
    await fn(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const statusOf = async (store: SqlStore, runId: string) => (await store.getRun(runId))?.status;
const start = (host: RunHost, flow: Flow, n: number) =>
  host.startRun({ flow, version: 1, triggerName: 'manual', outputs: { body: { n } } });

describe('idle runs', () => {
  it('a waiting run leaves memory when it parks and completes from its events when its timer fires', async () => {
    await withStore(async (store) => {
      const host = new RunHost({ ...options, store });
      try {
        const { flow } = await waitFlow(store, Date.now() + 300);
        const { runId } = await start(host, flow, 7);
        // Parked by the step that set the timer: nothing of it in memory, and a start would not replay it.
        assert.equal(host.liveCount, 0);
        assert.equal(await statusOf(store, runId), 'Running');
        assert.deepEqual(await store.listUnfinishedRuns({ exceptParked: true }), []);
        assert.equal((await store.pendingTimers()).count, 1);
        // Its result is read from the store meanwhile.
        assert.equal((await host.resultOf(runId))?.actions.Wait?.status, 'Waiting');

        host.startTimers();
        host.startWorker();
        await until('the run to end', async () => (await statusOf(store, runId)) === 'Succeeded');
        const result = await host.resultOf(runId);
        assert.equal(result?.actions.Wait?.status, 'Succeeded');
        assert.equal(result?.actions.Done?.outputs, 7);
        assert.equal(host.liveCount, 0);
      } finally {
        await host.stop(100);
      }
    });
  });

  it('a host started on waiting runs replays none of them and completes them after their due time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowbridge-idle-'));
    try {
      const store = await openStore({ dataDir: dir });
      const first = new RunHost({ ...options, store });
      const { flow } = await waitFlow(store, Date.now() + 400);
      const runIds = [];
      for (let n = 0; n < 3; n++) runIds.push((await start(first, flow, n)).runId);
      await first.stop(100);
      await store.close();

      const again = await openStore({ dataDir: dir });
      const second = new RunHost({ ...options, store: again });
      try {
        assert.equal(await second.recover(), 0);
        assert.equal(second.liveCount, 0);
        assert.equal(await second.pendingTimers(), 0, 'no timer loop here yet');
        second.startTimers();
        assert.equal(await second.pendingTimers(), 3);
        second.startWorker();
        for (const runId of runIds)
          await until(`run ${runId} to end`, async () => (await statusOf(again, runId)) === 'Succeeded');
        assert.deepEqual(
          await Promise.all(runIds.map(async (id) => (await second.resultOf(id))?.actions.Done?.outputs)),
          [0, 1, 2],
        );
        assert.equal(await second.pendingTimers(), 0);
      } finally {
        await second.stop(100);
        await again.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a run with an effect in flight is not parked: a start resumes it and sends the effect again', async () => {
    await withStore(async (store) => {
      const calls: EffectCommand[] = [];
      const held = (command: EffectCommand) => {
        calls.push(command);
        return new Promise<EffectResult>(() => {}); // never answers: the process "dies" meanwhile
      };
      const first = new RunHost({ ...options, store, executor: held });
      const { flow } = await store.createFlow({
        name: 'call-and-wait',
        definition: {
          triggers: { manual: { type: 'Request', kind: 'Http' } },
          actions: {
            Call: { type: 'Http', inputs: { method: 'GET', uri: 'https://example.test/x' } },
            Wait: { type: 'Wait', inputs: { interval: { count: 1, unit: 'Hour' } }, runAfter: {} },
          },
        },
      });
      const { runId } = await start(first, flow, 1);
      await until('the call', () => calls.length === 1);
      assert.equal(first.liveCount, 1, 'held while its call is in flight');
      assert.deepEqual(
        (await store.listUnfinishedRuns({ exceptParked: true })).map((r) => r.id),
        [runId],
      );
      // A second host on the same data (as after a crash): it replays the run and calls again.
      const answered: EffectCommand[] = [];
      const second = new RunHost({
        ...options,
        store,
        executor: (command) => {
          answered.push(command);
          return Promise.resolve({ status: 'Succeeded', outputs: { statusCode: 200, body: 'ok' } });
        },
      });
      try {
        assert.equal(await second.recover(), 1);
        await until('the call again', () => answered.length === 1);
        assert.equal(answered[0]!.idempotencyKey, calls[0]!.idempotencyKey);
        // Answered: the run only waits now, so it is parked and leaves memory.
        await until('the run to park', async () => second.liveCount === 0);
        assert.deepEqual(await store.listUnfinishedRuns({ exceptParked: true }), []);
        assert.equal((await second.resultOf(runId))?.actions.Call?.status, 'Succeeded');
      } finally {
        await second.stop(100);
        await first.stop(100);
      }
    });
  });

  it('a parked run can be cancelled: the cancel rebuilds it, and its timer is dropped', async () => {
    await withStore(async (store) => {
      const host = new RunHost({ ...options, store });
      try {
        const { flow } = await waitFlow(store, Date.now() + 3_600_000);
        const { runId } = await start(host, flow, 1);
        assert.equal(host.liveCount, 0);
        assert.equal(await host.cancel(runId), true);
        host.startTimers();
        host.startWorker();
        await until('the run to be cancelled', async () => (await statusOf(store, runId)) === 'Cancelled');
        assert.equal((await store.pendingTimers()).count, 0);
        assert.equal(host.liveCount, 0);
        assert.equal(await host.cancel(runId), false);
      } finally {
        await host.stop(100);
      }
    });
  });
});
