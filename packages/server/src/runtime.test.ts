// The composition root: roles, the lifecycle it gives extensions, and what `flowbridge start` wires.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type Role } from './config.js';
import { testAuth } from './http/test-support.js';
import { createRuntime, type Extension, type ExtensionDeps, type ServerRoles } from './runtime.js';
import { runtimeFromConfig } from './runtime-config.js';
import { openStore, type SqlStore } from './store/index.js';

let dir: string;
let store: SqlStore;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flowbridge-runtime-'));
  store = await openStore({ dataDir: dir });
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** An extension that records what the runtime does with it. */
function recorder() {
  const seen: string[] = [];
  let deps: ExtensionDeps | undefined;
  const extension = (d: ExtensionDeps): Extension => {
    deps = d;
    return { resume: () => void seen.push('resume'), close: async () => void seen.push('close') };
  };
  return { seen, extension, deps: () => deps! };
}

describe('createRuntime', () => {
  const cases: Array<{ roles: Partial<ServerRoles>; seen: string[] }> = [
    { roles: {}, seen: ['resume', 'close'] },
    { roles: { worker: false }, seen: ['close'] },
    { roles: { api: false, scheduler: false }, seen: ['resume', 'close'] },
  ];
  for (const c of cases) {
    it(`extensions resume with the worker role only: ${JSON.stringify(c.roles)}`, async () => {
      const r = recorder();
      const runtime = await createRuntime({ store, auth: testAuth(), roles: c.roles, extensions: [r.extension] });
      await runtime.start();
      await runtime.stop();
      assert.deepEqual(r.seen, c.seen);
    });
  }

  it('extensions see the base URL the runtime hands out, and the same callback sink', async () => {
    const r = recorder();
    const runtime = await createRuntime({ store, auth: testAuth(), extensions: [r.extension] });
    assert.equal(r.deps().baseUrl(), 'http://127.0.0.1:7780');
    runtime.setBaseUrl('http://localhost:1234//');
    assert.equal(r.deps().baseUrl(), 'http://localhost:1234');
    assert.equal(runtime.baseUrl(), 'http://localhost:1234');
    assert.equal(r.deps().callbacks, runtime.callbacks);
    assert.equal(r.deps().store, store);
    await runtime.stop();
  });

  it('the callback secret is created once and kept for the next process', async () => {
    const first = await createRuntime({ store, auth: testAuth() });
    const second = await createRuntime({ store, auth: testAuth() });
    assert.ok(first.callbackSecret.length >= 16);
    assert.equal(second.callbackSecret, first.callbackSecret);
    await Promise.all([first.stop(), second.stop()]);
  });
});

describe('runtimeFromConfig', () => {
  const roles: Array<[Role, ServerRoles]> = [
    ['all', { api: true, worker: true, scheduler: true }],
    ['api', { api: true, worker: false, scheduler: false }],
    ['worker', { api: false, worker: true, scheduler: false }],
    ['scheduler', { api: false, worker: false, scheduler: true }],
  ];
  for (const [role, expected] of roles) {
    it(`--role ${role}`, async () => {
      const parsed = parseConfig(['--role', role, '--data-dir', dir], {});
      assert.ok('config' in parsed);
      const log = (await import('pino')).default({ level: 'silent' });
      const { runtime } = await runtimeFromConfig(
        { ...parsed.config, adminToken: 'an-admin-token-0123456789' },
        { store, log },
      );
      assert.deepEqual(runtime.roles, expected);
      // Approvals, desktop flows, then connectors, are wired in: their connector handlers and their
      // routes; connectors also follow flow changes (webhook subscriptions).
      assert.equal(runtime.extensions.length, 3);
      for (const extension of runtime.extensions) {
        assert.ok(extension.routes);
        assert.equal(extension.connectorHandlers?.length, 1);
      }
      assert.ok(runtime.extensions[2]!.flowLifecycle?.flowSaved);
      assert.equal(
        runtime.baseUrl(),
        'http://127.0.0.1:7780',
        'the configured address until the listen address is known',
      );
      await runtime.stop();
    });
  }

  it('hands back the one-time setup token when no admin token is configured and nobody exists', async () => {
    const parsed = parseConfig(['--data-dir', dir], {});
    assert.ok('config' in parsed);
    const log = (await import('pino')).default({ level: 'silent' });
    const { runtime, setupToken } = await runtimeFromConfig(parsed.config, { store, log });
    assert.match(setupToken ?? '', /^fbs_/);
    assert.ok(await runtime.auth.authenticate(`Bearer ${setupToken}`));
    await runtime.stop();
  });
});
