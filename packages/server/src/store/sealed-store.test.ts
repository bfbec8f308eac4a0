import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSealed, secretBox } from '../secrets/index.js';
import { openStore } from './index.js';
import { withSealedSecrets } from './sealed-store.js';

async function harness() {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-sealed-'));
  const raw = await openStore({ dataDir: dir });
  const store = withSealedSecrets(raw, secretBox(randomBytes(32), 'env-key'));
  return { raw, store, close: async () => (await raw.close(), rmSync(dir, { recursive: true, force: true })) };
}

const definition = {
  parameters: { token: { type: 'SecureString' }, region: { type: 'string' } },
  triggers: {
    manual: { type: 'Request', kind: 'Http', runtimeConfiguration: { secureData: { properties: ['outputs'] } } },
  },
  actions: {
    Scope: {
      type: 'Scope',
      actions: { Secret: { type: 'Http', runtimeConfiguration: { secureData: { properties: ['outputs'] } } } },
    },
    Plain: { type: 'Http' },
  },
};

test('secret settings are sealed at rest; a clear value of an earlier version reads and is resealed', async () => {
  const h = await harness();
  try {
    const cases: Array<{ key: string; sealed: boolean }> = [
      { key: 'host.callbackSecret', sealed: true },
      { key: 'approvals.linkSecret', sealed: true },
      { key: 'auth.jwtSigningKey', sealed: true },
      { key: 'auth.setupTokenHash', sealed: false },
    ];
    for (const c of cases) {
      const value = c.key === 'auth.jwtSigningKey' ? { kty: 'EC', d: 'secret-d' } : 'a-secret-value-0123456789';
      assert.deepEqual(await h.store.initSetting(c.key, value), value);
      assert.equal(isSealed(await h.raw.getSetting(c.key)), c.sealed, c.key);
      assert.deepEqual(await h.store.getSetting(c.key), value);
      // Written in clear (an earlier version): still read, and sealed on that read.
      await h.raw.setSetting(c.key, value);
      assert.deepEqual(await h.store.getSetting(c.key), value);
      assert.equal(isSealed(await h.raw.getSetting(c.key)), c.sealed, c.key);
    }
  } finally {
    await h.close();
  }
});

test('access keys and secure parameter values are sealed in the flows aggregate', async () => {
  const h = await harness();
  try {
    const { flow } = await h.store.createFlow({
      name: 'f',
      accessKey: 'the-access-key',
      definition,
      parameters: { token: 's3cret', region: 'eu' },
    });
    assert.equal(flow.accessKey, 'the-access-key');
    assert.match((await h.raw.getFlow(flow.id))!.accessKey, /^fb1:/);
    assert.equal((await h.store.getFlow(flow.id))!.accessKey, 'the-access-key');
    const stored = (await h.raw.getFlowVersion(flow.id))!.parameters as Record<string, unknown>;
    assert.equal(stored.region, 'eu');
    assert.ok(!JSON.stringify(stored).includes('s3cret'));
    assert.deepEqual((await h.store.getFlowVersion(flow.id))!.parameters, { token: 's3cret', region: 'eu' });
    await h.store.updateFlow(flow.id, { accessKey: 'new-key' });
    assert.match((await h.raw.getFlow(flow.id))!.accessKey, /^fb1:/);
    assert.equal((await h.store.listFlows())[0]!.accessKey, 'new-key');
    // A key written in clear before sealing existed still works.
    await h.raw.updateFlow(flow.id, { accessKey: 'clear-key' });
    assert.equal((await h.store.getFlow(flow.id))!.accessKey, 'clear-key');
  } finally {
    await h.close();
  }
});

test("a run's parameters and its secured trigger outputs are sealed in the store, open when read", async () => {
  const h = await harness();
  try {
    const { flow } = await h.store.createFlow({ name: 'f', definition, parameters: { token: 's3cret' } });
    const init = {
      runId: 'r1',
      workflow: { id: flow.id, name: 'f', version: '1' },
      trigger: { name: 'manual', outputs: { body: 'trigger-secret' }, startTime: '2026-01-01T00:00:00Z' },
      parameters: { token: 's3cret' },
      now: 1,
    };
    await h.store.createRun({ id: 'r1', flowId: flow.id, flowVersion: 1, triggerName: 'manual', init });
    const raw = JSON.stringify((await h.raw.getRun('r1'))!.init);
    assert.ok(!raw.includes('s3cret') && !raw.includes('trigger-secret'), raw);
    assert.deepEqual((await h.store.getRun('r1'))!.init, init);
    assert.deepEqual((await h.store.loadRunHistory('r1')).init, init);

    // The event journal: results of actions that secure their outputs are sealed, others not.
    const events = [
      { kind: 'effectResult', id: 'e1', path: 'Scope/Secret', attempt: 1, result: { body: 'out-secret' }, now: 2 },
      { kind: 'effectResult', id: 'e2', path: 'Plain', attempt: 1, result: { body: 'plain-value' }, now: 3 },
      { kind: 'timer', key: 't', now: 4 },
    ];
    await h.store.commitStep('r1', { events });
    const rawEvents = JSON.stringify((await h.raw.loadRunHistory('r1')).events);
    assert.ok(!rawEvents.includes('out-secret') && rawEvents.includes('plain-value'), rawEvents);
    assert.deepEqual((await h.store.loadRunHistory('r1')).events, events);

    // Callbacks: what they deliver is sealed in the callbacks table and in the journal.
    await h.store.commitStep('r1', { callbacks: [{ key: 'cb1', path: 'Wait' }] });
    assert.equal(await h.store.resolveCallback('cb1', { body: 'callback-secret' }), true);
    assert.ok(!JSON.stringify(await h.raw.getCallback('cb1')).includes('callback-secret'));
    assert.deepEqual((await h.store.getCallback('cb1'))?.payload, { body: 'callback-secret' });
    const delivered = { kind: 'callback', key: 'cb1', payload: { body: 'callback-secret' }, now: 5 };
    await h.store.commitStep('r1', { events: [delivered] });
    assert.ok(!JSON.stringify((await h.raw.loadRunHistory('r1')).events).includes('callback-secret'));
    assert.deepEqual((await h.store.loadRunHistory('r1')).events.at(-1), delivered);
  } finally {
    await h.close();
  }
});

test('once it is known whether a trigger secures its outputs, later runs are sealed alike, without changing what the caller gave', async () => {
  const h = await harness();
  try {
    const { flow } = await h.store.createFlow({ name: 'f', definition, parameters: { token: 's3cret' } });
    const plainFlow = (
      await h.store.createFlow({ name: 'p', definition: { triggers: { manual: { type: 'Request' } } } })
    ).flow;
    const initOf = (runId: string, flowId: string, secret: string) => ({
      runId,
      workflow: { id: flowId, name: 'f', version: '1' },
      trigger: { name: 'manual', outputs: { body: secret }, startTime: '2026-01-01T00:00:00Z' },
      now: 1,
    });
    for (const [runId, secret] of [
      ['r1', 'first-secret'],
      ['r2', 'second-secret'], // the answer is known by now: sealed without waiting
    ] as const) {
      const init = initOf(runId, flow.id, secret);
      const given = structuredClone(init);
      await h.store.createRun({ id: runId, flowId: flow.id, flowVersion: 1, triggerName: 'manual', init });
      assert.deepEqual(init, given, 'the caller’s init is left as it was');
      const raw = JSON.stringify((await h.raw.getRun(runId))!.init);
      assert.ok(!raw.includes(secret), raw);
      assert.deepEqual((await h.store.getRun(runId))!.init, init);
    }
    for (const runId of ['p1', 'p2']) {
      const init = initOf(runId, plainFlow.id, 'not-secret');
      await h.store.createRun({ id: runId, flowId: plainFlow.id, flowVersion: 1, triggerName: 'manual', init });
      assert.ok(
        JSON.stringify((await h.raw.getRun(runId))!.init).includes('not-secret'),
        'a plain trigger stays clear',
      );
    }
  } finally {
    await h.close();
  }
});
