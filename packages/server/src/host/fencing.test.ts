// Scale-out fencing (PostgreSQL): a worker that lost its lease on a run without noticing (a long
// pause, no renewals) and then finishes an effect must not write into the run another worker took
// over. Its commit names the seq it holds; the store refuses it; it drops its copy.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EffectCommand, EffectResult } from '../effects/types.js';
import { postgresAvailable, postgresBackend } from '../store/test-support/backends.js';
import { RunHost } from './run-host.js';

const pgUp = await postgresAvailable();

/** An executor whose effects finish when the test says so. */
function heldExecutor() {
  const calls: Array<{ command: EffectCommand; finish: (r: EffectResult) => void }> = [];
  return {
    calls,
    executor: (command: EffectCommand) =>
      new Promise<EffectResult>((finish) => {
        calls.push({ command, finish });
      }),
  };
}

async function until(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('fencing', { skip: pgUp ? false : 'PostgreSQL is not reachable' }, () => {
  it('a worker that lost its lease unnoticed cannot write into the run another worker took over', async () => {
    const fresh = await postgresBackend.fresh();
    const storeB = await fresh.reopen();
    const a = heldExecutor();
    const b = heldExecutor();
    const common = { baseUrl: () => 'http://flowbridge.test', callbackSecret: 'secret', leaseMs: 300, pollMs: 50 };
    // A never renews its leases (its worker loop is not started): as if it were paused.
    const hostA = new RunHost({ ...common, store: fresh.store, executor: a.executor, workerId: 'A' });
    const hostB = new RunHost({ ...common, store: storeB, executor: b.executor, workerId: 'B' });
    try {
      const { flow } = await fresh.store.createFlow({
        name: 'fenced',
        definition: {
          triggers: { manual: { type: 'Request', kind: 'Http' } },
          actions: { Call: { type: 'Http', inputs: { method: 'GET', uri: 'https://example.test/x' } } },
        },
      });
      const { runId } = await hostA.startRun({ flow, version: 1, triggerName: 'manual', outputs: {} });
      await until('A to call', () => a.calls.length === 1);
      // A's lease lapses; B takes the run over and sends the call again, with the same key.
      hostB.startWorker();
      await until('B to call', () => b.calls.length === 1);
      assert.equal(b.calls[0]!.command.idempotencyKey, a.calls[0]!.command.idempotencyKey);
      b.calls[0]!.finish({ status: 'Succeeded', outputs: { statusCode: 200, body: 'from B' } });
      await until('the run to end', async () => (await storeB.getRun(runId))?.status === 'Succeeded');
      // Now A's call answers: its step names a seq that is no longer the run's.
      a.calls[0]!.finish({ status: 'Succeeded', outputs: { statusCode: 200, body: 'from A' } });
      await until('A to drop its copy', () => hostA.liveCount === 0);
      const history = await storeB.loadRunHistory(runId);
      const results = (history.events as Array<{ kind: string; result?: { outputs?: { body?: unknown } } }>).filter(
        (e) => e.kind === 'effectResult',
      );
      assert.deepEqual(
        results.map((e) => e.result?.outputs?.body),
        ['from B'],
      );
      assert.equal((await storeB.getRun(runId))?.status, 'Succeeded');
    } finally {
      await hostB.stop(100);
      await hostA.stop(100);
      await storeB.close();
      await fresh.dispose();
    }
  });
});
