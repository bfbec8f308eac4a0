// A stateless run answers its caller before its single write (stateless-writes.ts, afterAnswer):
// the caller is not held by the store, the run is written afterwards, a stop waits for those
// writes, and no more than STATELESS_WRITES_AHEAD answered runs wait for theirs at a time.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../store/index.js';
import { RunHost } from './run-host.js';

const definition = {
  triggers: { manual: { type: 'Request', kind: 'Http' } },
  actions: { Response: { type: 'Response', inputs: { statusCode: 200, body: "@triggerBody()?['n']" } } },
};

/** Whether each stateless write the host made was marked background (StepWrite.background), in order. */
let backgrounds: boolean[] = [];

async function withHost(fn: (host: RunHost, store: Store, release: () => void) => Promise<void>): Promise<void> {
  backgrounds = [];
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-stateless-'));
  const store = await openStore({ dataDir: dir });
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  // Runs are created by stateless runs' single write only: held until the test opens the gate.
  const held: Store = {
    ...store,
    createRun: async (run, step) => {
      backgrounds.push(step?.background === true);
      return gate.then(() => store.createRun(run, step));
    },
  };
  const host = new RunHost({ store: held, baseUrl: () => 'http://flowbridge.test', callbackSecret: 's' });
  try {
    await fn(host, store, open);
  } finally {
    open();
    await host.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('stateless runs answer before their write', () => {
  it('the caller has the Response while the write waits; the run is stored afterwards', () =>
    withHost(async (host, store, release) => {
      const { flow } = await store.createFlow({ name: 'fast', definition, kind: 'Stateless' });
      const { runId } = await host.startRun({ flow, version: 1, triggerName: 'manual', outputs: { body: { n: 7 } } });
      const answer = await host.waitForResponse(runId);
      assert.deepEqual('body' in answer ? answer.body : answer, 7);
      assert.equal(await store.getRun(runId), undefined);
      release();
      await host.stop();
      assert.equal((await store.getRun(runId))?.status, 'Succeeded');
      assert.deepEqual(backgrounds, [true], 'no caller waits for the write: it is marked background');
    }));

  it('a read of the run while its write waits answers once written, from the store', () =>
    withHost(async (host, store, release) => {
      const { flow } = await store.createFlow({ name: 'read', definition, kind: 'Stateless' });
      const { runId } = await host.startRun({ flow, version: 1, triggerName: 'manual', outputs: { body: { n: 3 } } });
      await host.waitForResponse(runId);
      let read = false;
      const result = host.resultOf(runId).then((r) => {
        read = true;
        return r;
      });
      await settle();
      assert.equal(read, false, 'the read waits for the write');
      release();
      assert.equal((await result)?.status, 'Succeeded');
    }));

  it('at most 256 answered runs wait for their write; the next starts wait with them', () =>
    withHost(async (host, store, release) => {
      const { flow } = await store.createFlow({ name: 'many', definition, kind: 'Stateless' });
      let started = 0;
      const starts = Array.from({ length: 300 }, (_, n) =>
        host.startRun({ flow, version: 1, triggerName: 'manual', outputs: { body: { n } } }).then((r) => {
          started++;
          return r.runId;
        }),
      );
      while (started < 256) await settle();
      await settle();
      assert.equal(started, 256);
      release();
      const runIds = await Promise.all(starts);
      await host.stop();
      const stored = await Promise.all(runIds.map((id) => store.getRun(id)));
      assert.equal(stored.filter((r) => r?.status === 'Succeeded').length, 300);
    }));
});
