import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withReadCache, type CachePeers } from './read-cache.js';
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
    // An environment's app settings (read as each run starts): cached, and cleared by a write.
    await raw.setSetting('environment.appSettings:e1', { A: '1' });
    assert.deepEqual(await store.getSetting('environment.appSettings:e1'), { A: '1' });
    await raw.setSetting('environment.appSettings:e1', { A: '2' });
    assert.deepEqual(await store.getSetting('environment.appSettings:e1'), { A: '1' }, 'cached');
    await store.setSetting('environment.appSettings:e1', { A: '3' });
    assert.deepEqual(await store.getSetting('environment.appSettings:e1'), { A: '3' }, 'a write cleared it');
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

test('peers (the other workers of --workers) are told of writes, and their writes clear this cache at once', async () => {
  const fresh = await sqliteBackend.fresh();
  try {
    const listeners: Array<() => void> = [];
    let told = 0;
    const peers: CachePeers = { changed: () => told++, onChanged: (l) => listeners.push(l) };
    const raw = fresh.store;
    const store = withReadCache(raw, { ttlMs: 60_000, peers });
    const { flow } = await store.createFlow({ name: 'f', definition: {} });
    assert.equal(told, 1, 'a write through it tells the peers once it is done');
    assert.equal((await store.getFlow(flow.id))?.state, 'Enabled');
    await raw.updateFlow(flow.id, { state: 'Disabled' }); // another worker's write...
    assert.equal((await store.getFlow(flow.id))?.state, 'Enabled', 'cached');
    for (const l of listeners) l(); // ...and its message, relayed by the primary
    assert.equal((await store.getFlow(flow.id))?.state, 'Disabled');
    assert.equal(told, 1, 'reads tell nobody');
  } finally {
    await fresh.dispose();
  }
});
