// A run that ends in its first write (a request/response flow) lets its engine state go while that
// write commits (live-run.ts, endedRun): what a caller reads meanwhile must not change. Its caller
// gets the Response, and a read of its full result waits for the commit and reads the store.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../store/index.js';
import { RunHost } from './run-host.js';

const definition = {
  triggers: { manual: { type: 'Request', kind: 'Http' } },
  actions: {
    Compose: { type: 'Compose', inputs: "@triggerBody()?['n']" },
    Response: {
      type: 'Response',
      inputs: { statusCode: 200, body: { n: "@outputs('Compose')" } },
      runAfter: { Compose: ['Succeeded'] },
    },
  },
};

describe('a run that ends in its first write', () => {
  it('answers and reads as before while that write commits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowbridge-ended-run-'));
    const store = await openStore({ dataDir: dir });
    // New runs' writes wait at this gate, so that the test reads the run in between.
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    const gated = new Proxy<Store>(store, {
      get(target, prop) {
        if (prop === 'createRun')
          return async (...args: Parameters<Store['createRun']>) => {
            await gate;
            return target.createRun(...args);
          };
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const host = new RunHost({ store: gated, baseUrl: () => 'http://flowbridge.test', callbackSecret: 's' });
    try {
      const { flow } = await store.createFlow({ name: 'f', definition });
      const runId = 'ended-run';
      const started = host.startRun({ flow, version: 1, triggerName: 'manual', outputs: { body: { n: 7 } }, runId });
      for (let i = 0; i < 500 && host.liveCount === 0; i++) await new Promise((r) => setTimeout(r, 2));
      assert.equal(host.liveCount, 1, 'the run is live, its write waiting');
      assert.equal(await store.getRun(runId), undefined);

      const response = host.waitForResponse(runId);
      const result = host.resultOf(runId);
      open();
      await started;
      assert.deepEqual(await response, { statusCode: 200, headers: {}, body: { n: 7 } });
      const read = await result;
      assert.equal(read?.status, 'Succeeded');
      assert.equal(read?.actions.Compose?.status, 'Succeeded');
      assert.deepEqual(read?.actions.Response?.outputs, { statusCode: 200, headers: {}, body: { n: 7 } });
      assert.equal((await store.getRun(runId))?.status, 'Succeeded');
      assert.equal(host.liveCount, 0);
    } finally {
      open();
      await host.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
