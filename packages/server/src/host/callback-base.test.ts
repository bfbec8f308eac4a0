// A run's callback base URL is signed when first needed and never stored: the stored init keeps the
// public URL the run started under (callbackOrigin), and a replay derives the same URL from it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../store/index.js';
import { withCallbackBase, type HostRunInit } from './live-run.js';
import { RunHost } from './run-host.js';

const waiting = {
  triggers: { manual: { type: 'Request', kind: 'Http' } },
  actions: { Wait: { type: 'Wait', inputs: { interval: { count: 1, unit: 'Hour' } } } },
};

function init(runId: string, extra: Partial<HostRunInit> = {}): HostRunInit {
  return {
    runId,
    workflow: { id: 'f', name: 'f', version: '1' },
    trigger: { name: 'manual', outputs: {}, startTime: '2026-01-01T00:00:00.000Z' },
    now: 0,
    ...extra,
  };
}

describe('callback base URLs', () => {
  it('a run stores the origin it started under, not its signed callback URL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowbridge-callback-base-'));
    const store = await openStore({ dataDir: dir });
    const host = new RunHost({ store, baseUrl: () => 'http://a.test', callbackSecret: 's' });
    try {
      const { flow } = await store.createFlow({ name: 'wait', definition: waiting });
      const { runId } = await host.startRun({ flow, version: 1, triggerName: 'manual', outputs: {} });
      let init: Record<string, unknown> | undefined;
      for (let i = 0; i < 200 && !init; i++) {
        init = (await store.getRun(runId))?.init as Record<string, unknown> | undefined;
        if (!init) await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal(init?.callbackOrigin, 'http://a.test');
      assert.equal(init !== undefined && 'callbackBaseUrl' in init, false);
    } finally {
      await host.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('read back, an init derives its URL under its own origin; an older row keeps its URL', () => {
    const signer = { callbackBase: (runId: string, origin = 'http://this.test') => `${origin}/cb/${runId}/sig` };
    const stored = init('r1', { callbackOrigin: 'http://a.test' });
    const base = withCallbackBase(stored, signer).callbackBaseUrl;
    assert.equal(typeof base === 'function' ? base() : base, 'http://a.test/cb/r1/sig');
    const noOrigin = withCallbackBase(init('r2'), signer).callbackBaseUrl;
    assert.equal(typeof noOrigin === 'function' ? noOrigin() : noOrigin, 'http://this.test/cb/r2/sig');
    const old = init('r3', { callbackBaseUrl: 'http://old.test/cb/r3/x' });
    assert.equal(withCallbackBase(old, signer).callbackBaseUrl, 'http://old.test/cb/r3/x');
  });
});
