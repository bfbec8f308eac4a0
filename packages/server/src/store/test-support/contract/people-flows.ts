// Store contract cases (run by store/contract.test.ts on both backends): people, environments,
// settings and flows.
import assert from 'node:assert/strict';
import { migrations } from '../../schema.js';
import { rejectsWith } from './support.js';
import type { Case } from './support.js';

export const peopleFlowCases: Case[] = [
  [
    'a new database has the default environment; reopening it migrates nothing twice',
    async (f) => {
      assert.deepEqual(
        (await f.store.listEnvironments()).map((e) => [e.id, e.name]),
        [['default', 'Default']],
      );
      await f.store.createEnvironment({ id: 'prod', name: 'Production' });
      const again = await f.reopen();
      assert.deepEqual((await again.listEnvironments()).map((e) => e.id).sort(), ['default', 'prod']);
      const versions = await f.query('SELECT version FROM schema_migrations ORDER BY version');
      assert.deepEqual(
        versions.map((r) => Number(r.version)),
        migrations.map((m) => m.version),
      );
    },
  ],
  [
    'users: e-mail unique whatever its case; tokens, OAuth clients, audit, settings',
    async ({ store }) => {
      const u = await store.createUser({ email: 'Ann@Example.com', displayName: 'Ann', role: 'Admin' });
      assert.equal(u.email, 'ann@example.com');
      await rejectsWith(store.createUser({ email: 'ANN@example.com', displayName: 'x', role: 'Viewer' }), 'Conflict');
      assert.equal((await store.getUserByEmail('ann@EXAMPLE.com'))?.id, u.id);
      const disabled = await store.updateUser(u.id, { disabled: true, role: 'Maker' });
      assert.deepEqual([disabled.disabled, disabled.role], [true, 'Maker']);
      await rejectsWith(store.updateUser('nobody', { role: 'Admin' }), 'NotFound');

      const t = await store.createAccessToken({ userId: u.id, hash: 'h1', name: 'cli' });
      await rejectsWith(store.createAccessToken({ userId: 'nobody', hash: 'h2', name: 'x' }), 'NotFound');
      await store.touchAccessToken(t.id, 1234);
      assert.equal((await store.findAccessTokenByHash('h1'))?.lastUsedAt, 1234);
      assert.equal((await store.listAccessTokens(u.id)).length, 1);
      assert.equal(await store.deleteAccessToken(t.id), true);
      assert.equal(await store.findAccessTokenByHash('h1'), undefined);

      const c = await store.createOAuthClient({ secretHash: 's', roles: ['flows.read', 'runs.write'] });
      assert.deepEqual((await store.getOAuthClient(c.id))?.roles, ['flows.read', 'runs.write']);
      assert.equal((await store.listOAuthClients()).length, 1);
      await rejectsWith(store.createOAuthClient({ secretHash: 's', environmentId: 'nowhere', roles: [] }), 'NotFound');

      const a1 = await store.appendAudit({ actor: u.id, action: 'flow.create', target: 'f1', details: { b: 1, a: 2 } });
      const a2 = await store.appendAudit({ actor: u.id, action: 'flow.delete', target: 'f1' });
      assert.ok(a2 > a1);
      const audit = await store.listAudit({ limit: 10 });
      assert.deepEqual(
        audit.map((e) => e.action),
        ['flow.delete', 'flow.create'],
      );
      assert.deepEqual(audit[1]?.details, { b: 1, a: 2 });
      assert.deepEqual(
        (await store.listAudit({ before: a2 })).map((e) => e.id),
        [a1],
      );

      assert.equal(await store.getSetting('smtp'), undefined);
      await store.setSetting('smtp', { host: 'mail', port: 25 });
      await store.setSetting('smtp', { host: 'mail2' });
      await store.setSetting('flag', false);
      assert.deepEqual(await store.getSetting('smtp'), { host: 'mail2' });
      assert.equal(await store.getSetting('flag'), false);
      assert.equal(await store.deleteSetting('smtp'), true);
      assert.equal(await store.getSetting('smtp'), undefined);
    },
  ],
  [
    'initSetting keeps the first value: racing callers with different values all get the same winner',
    async (f) => {
      const stores = [f.store, await f.peer(), await f.peer()];
      const offered = Array.from({ length: 12 }, (_, i) => ({ key: `k${i}` }));
      const got = await Promise.all(
        offered.map((v, i) => (stores[i % stores.length] ?? f.store).initSetting('jwk', v)),
      );
      const stored = await f.store.getSetting('jwk');
      assert.ok(
        offered.some((v) => v.key === (stored as { key?: unknown } | undefined)?.key),
        'one of the offers won',
      );
      for (const g of got) assert.deepEqual(g, stored);
      // Once there, it stays; a value set since is what the next caller gets. JSON null is a value.
      assert.deepEqual(await f.store.initSetting('jwk', { key: 'late' }), stored);
      await f.store.setSetting('jwk', { key: 'rotated' });
      assert.deepEqual(await f.store.initSetting('jwk', { key: 'later' }), { key: 'rotated' });
      assert.equal(await f.store.initSetting('nothing', null), null);
      assert.equal(await f.store.initSetting('nothing', 1), null);
      await rejectsWith(f.store.initSetting('bad', 10n), 'InvalidArgument');
    },
  ],
  [
    'flows: immutable versions, optimistic saves, soft delete',
    async ({ store }, clock) => {
      const { flow, version } = await store.createFlow({
        name: 'Orders',
        definition: { triggers: { manual: {} }, actions: { b: 1, a: 2 } },
        parameters: { p: 1 },
        createdBy: 'ann',
      });
      assert.deepEqual([flow.currentVersion, flow.state, flow.kind, version.version], [1, 'Enabled', 'Stateful', 1]);
      assert.ok(flow.accessKey.length >= 32);
      clock.advance(1000);
      const v2 = await store.saveFlowVersion(flow.id, { definition: { v: 2 }, expectedVersion: 1 });
      assert.equal(v2.version, 2);
      await rejectsWith(store.saveFlowVersion(flow.id, { definition: { v: 3 }, expectedVersion: 1 }), 'Conflict');
      await rejectsWith(store.saveFlowVersion('nope', { definition: {} }), 'NotFound');
      const v3 = await store.saveFlowVersion(flow.id, { definition: { v: 3 } });
      assert.equal(v3.version, 3);
      assert.deepEqual((await store.getFlowVersion(flow.id))?.definition, { v: 3 });
      const v1 = await store.getFlowVersion(flow.id, 1);
      assert.equal(
        JSON.stringify(v1?.definition),
        JSON.stringify({ triggers: { manual: {} }, actions: { b: 1, a: 2 } }),
      );
      assert.deepEqual(v1?.parameters, { p: 1 });
      assert.deepEqual(
        (await store.listFlowVersions(flow.id)).map((v) => v.version),
        [1, 2, 3],
      );
      const updated = await store.updateFlow(flow.id, { state: 'Disabled', name: 'Orders 2' });
      assert.deepEqual([updated.state, updated.name, updated.currentVersion], ['Disabled', 'Orders 2', 3]);
      assert.ok(updated.updatedAt > flow.updatedAt);
      await store.createEnvironment({ id: 'prod', name: 'Prod' });
      await store.createFlow({ environmentId: 'prod', name: 'Other', definition: {} });
      await rejectsWith(store.createFlow({ environmentId: 'missing', name: 'x', definition: {} }), 'NotFound');
      assert.equal((await store.listFlows({ environmentId: 'prod' })).length, 1);
      assert.equal(await store.deleteFlow(flow.id), true);
      assert.equal(await store.deleteFlow(flow.id), false);
      assert.equal(await store.getFlow(flow.id), undefined);
      assert.ok((await store.getFlow(flow.id, { includeDeleted: true }))?.deletedAt);
      assert.deepEqual(
        (await store.listFlows()).map((f) => f.name),
        ['Other'],
      );
      await rejectsWith(store.updateFlow(flow.id, { name: 'zombie' }), 'NotFound');
    },
  ],
];
