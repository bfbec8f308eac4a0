// A stateless run keeps no per-action history unless its flow's app setting
// `Workflows.<name>.OperationOptions` is `WithStatelessRunHistory`; one that does not succeed
// keeps it all the same (stateless-history.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunInit } from '@flowbridge/engine';
import { openStore, type Store } from '../store/index.js';
import { RunHost } from './run-host.js';
import { historyNotKept, keepsStatelessHistory } from './stateless-history.js';

const definition = {
  parameters: { greeting: { type: 'string', defaultValue: 'hi' } },
  triggers: { manual: { type: 'Request', kind: 'Http' } },
  actions: {
    Compose: { type: 'Compose', inputs: "@triggerBody()?['n']" },
    Response: {
      type: 'Response',
      inputs: { statusCode: 200, body: "@outputs('Compose')" },
      runAfter: { Compose: ['Succeeded'] },
    },
  },
};

const failing = {
  triggers: { manual: { type: 'Request', kind: 'Http' } },
  actions: {
    Response: { type: 'Response', inputs: { statusCode: 202, body: 'accepted' } },
    Stop: { type: 'Terminate', inputs: { runStatus: 'Failed' }, runAfter: { Response: ['Succeeded'] } },
  },
};

async function withHost(
  appSettings: Record<string, string>,
  fn: (host: RunHost, store: Store) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-stateless-history-'));
  const store = await openStore({ dataDir: dir });
  const host = new RunHost({ store, baseUrl: () => 'http://flowbridge.test', callbackSecret: 's', appSettings });
  try {
    await fn(host, store);
  } finally {
    await host.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the flow once and returns its id once written (a stop waits for the writes). */
async function runOnce(host: RunHost, store: Store, name: string, def: object, n: number): Promise<string> {
  const { flow } = await store.createFlow({ name, definition: def, kind: 'Stateless' });
  const { runId } = await host.startRun({ flow, version: 1, triggerName: 'manual', outputs: { body: { n } } });
  await host.waitForResponse(runId);
  for (let i = 0; i < 200 && !(await store.getRun(runId)); i++) await new Promise((r) => setTimeout(r, 10));
  return runId;
}

describe('stateless run history', () => {
  it('by default, a run keeps its row (trigger outputs, Response, outputs) and no actions', () =>
    withHost({ Unrelated: 'x' }, async (host, store) => {
      const runId = await runOnce(host, store, 'lean', definition, 7);
      const stored = await store.getRun(runId, { withActions: true });
      assert.equal(stored?.status, 'Succeeded');
      assert.equal(stored?.lastSeq, 0);
      assert.deepEqual(stored?.actions ?? [], []);
      assert.ok(stored && historyNotKept(stored));
      // Nothing a replay alone needs: parameters, app settings, callback base.
      assert.deepEqual(Object.keys(stored.init as object).sort(), ['historyKept', 'runId', 'trigger', 'workflow']);
      const read = await host.readRun(runId);
      assert.deepEqual(read?.result.actions, {});
      assert.equal(read?.result.status, 'Succeeded');
      assert.deepEqual(read?.result.trigger, { name: 'manual', outputs: { body: { n: 7 } } });
      assert.deepEqual(read?.result.response, { statusCode: 200, headers: {}, body: 7 });
      assert.deepEqual((await host.resultOf(runId))?.actions, {});
    }));

  it('with WithStatelessRunHistory, a run keeps its actions as a stateful run does', () =>
    withHost({ 'Workflows.kept.OperationOptions': 'WithStatelessRunHistory' }, async (host, store) => {
      const runId = await runOnce(host, store, 'kept', definition, 8);
      const stored = await store.getRun(runId, { withActions: true });
      assert.equal(stored?.status, 'Succeeded');
      assert.deepEqual(stored?.actions?.map((a) => a.name).sort(), ['Compose', 'Response']);
      assert.ok(stored && !historyNotKept(stored));
      const read = await host.readRun(runId);
      assert.deepEqual(Object.keys(read?.result.actions ?? {}).sort(), ['Compose', 'Response']);
      assert.equal(read?.result.actions.Compose?.outputs, 8);
    }));

  it('a run that does not succeed keeps its history, for debugging', () =>
    withHost({}, async (host, store) => {
      const runId = await runOnce(host, store, 'failing', failing, 1);
      const read = await host.readRun(runId);
      assert.equal(read?.result.status, 'Failed');
      assert.deepEqual(Object.keys(read?.result.actions ?? {}).sort(), ['Response', 'Stop']);
      assert.ok(read && !historyNotKept(read.run));
    }));

  it('reads the option as Logic Apps does: any case, in a comma-separated list; None turns it off', () => {
    const init = (settings?: Record<string, string>): RunInit => ({
      runId: 'r',
      workflow: { id: 'f', name: 'Orders' },
      trigger: { name: 'manual', outputs: {}, startTime: '2026-01-01T00:00:00Z' },
      now: 0,
      ...(settings ? { appSettings: settings } : {}),
    });
    assert.equal(keepsStatelessHistory(init()), false);
    assert.equal(keepsStatelessHistory(init({ 'Workflows.Orders.OperationOptions': 'WithStatelessRunHistory' })), true);
    assert.equal(keepsStatelessHistory(init({ 'workflows.orders.operationoptions': 'withstatelessrunhistory' })), true);
    assert.equal(
      keepsStatelessHistory(init({ 'Workflows.Orders.OperationOptions': 'Other, WithStatelessRunHistory' })),
      true,
    );
    assert.equal(keepsStatelessHistory(init({ 'Workflows.Orders.OperationOptions': 'None' })), false);
    assert.equal(keepsStatelessHistory(init({ 'Workflows.Other.OperationOptions': 'WithStatelessRunHistory' })), false);
  });
});
