import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withReadCache } from './read-cache.js';
import { sqliteBackend } from './test-support/backends.js';

test('the read cache serves flows and automation settings for ttlMs, and forgets them on any write through it', async () => {
  const fresh = await sqliteBackend.fresh();
  try {
    let t = 0;
    const raw = fresh.store;
    const store = withReadCache(raw, { ttlMs: 1000, now: () => t });
    assert.equal(store.backend, 'sqlite');
    const { flow } = await store.createFlow({ name: 'f', definition: {} });
    assert.equal((await store.getFlow(flow.id))?.state, 'Enabled');
    // A change made behind its back (another process) shows after ttlMs...
    await raw.updateFlow(flow.id, { state: 'Disabled' });
    assert.equal((await store.getFlow(flow.id))?.state, 'Enabled');
    t = 1000;
    assert.equal((await store.getFlow(flow.id))?.state, 'Disabled');
    // ...one made through it, at once.
    await store.updateFlow(flow.id, { state: 'Enabled' });
    assert.equal((await store.getFlow(flow.id))?.state, 'Enabled');
    await store.setSetting('auth.automation', { enabled: false });
    assert.deepEqual(await store.getSetting('auth.automation'), { enabled: false });
    await raw.setSetting('auth.automation', { enabled: true });
    assert.deepEqual(await store.getSetting('auth.automation'), { enabled: false }, 'cached');
    await store.deleteSetting('nothing');
    assert.deepEqual(await store.getSetting('auth.automation'), { enabled: true }, 'a write cleared it');
    assert.equal(await store.getSetting('auth.automation.u1'), undefined);
    await raw.setSetting('auth.automation.u1', { enabled: true });
    assert.deepEqual(await store.initSetting('auth.automation.u1', { enabled: false }), { enabled: true });
    assert.deepEqual(await store.getSetting('auth.automation.u1'), { enabled: true }, 'initSetting cleared it');
    // Other settings are never cached (readiness checks must reach the database).
    await raw.setSetting('other', 1);
    assert.equal(await store.getSetting('other'), 1);
    await raw.setSetting('other', 2);
    assert.equal(await store.getSetting('other'), 2);
    // Deleted flows are read through (includeDeleted is not cached).
    await store.deleteFlow(flow.id);
    assert.equal(await store.getFlow(flow.id), undefined);
    assert.ok(await store.getFlow(flow.id, { includeDeleted: true }));
  } finally {
    await fresh.dispose();
  }
});
