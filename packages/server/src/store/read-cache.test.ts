import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MISS, cachedFlow, cachedSetting, withReadCache, type CachePeers } from './read-cache.js';
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

test('cachedFlow and cachedSetting answer what a read would, only while the entry is settled and fresh', async () => {
  const fresh = await sqliteBackend.fresh();
  try {
    let t = 0;
    const raw = fresh.store;
    const listeners: Array<() => void> = [];
    const peers: CachePeers = { changed: () => {}, onChanged: (l) => listeners.push(l) };
    const store = withReadCache(raw, { ttlMs: 1000, now: () => t, peers });
    const { flow } = await raw.createFlow({ name: 'f', definition: {} });
    assert.equal(cachedFlow(raw, flow.id), MISS, 'a store without a read cache has nothing to peek');
    assert.equal(cachedFlow(store, flow.id), MISS, 'not read yet');
    const reading = store.getFlow(flow.id);
    assert.equal(cachedFlow(store, flow.id), MISS, 'not settled yet');
    const read = await reading;
    assert.equal(cachedFlow(store, flow.id), read, 'what the read resolved to');
    assert.equal(await store.getFlow('nope'), undefined);
    assert.equal(cachedFlow(store, 'nope'), undefined, 'an unknown flow is known to be unknown');
    t = 1000;
    assert.equal(cachedFlow(store, flow.id), MISS, 'stale after ttlMs');
    await store.getFlow(flow.id);
    await store.updateFlow(flow.id, { state: 'Disabled' });
    assert.equal(cachedFlow(store, flow.id), MISS, 'a write through it clears it');
    assert.equal((await store.getFlow(flow.id))?.state, 'Disabled');
    for (const l of listeners) l();
    assert.equal(cachedFlow(store, flow.id), MISS, "a peer's write clears it");
    // A write that lands while a read is under way: that read is not kept, so not peeked either.
    const racing = store.getFlow(flow.id);
    for (const l of listeners) l();
    await racing;
    assert.equal(cachedFlow(store, flow.id), MISS);

    assert.equal(cachedSetting(store, 'auth.automation'), MISS);
    await store.getSetting('auth.automation');
    assert.equal(cachedSetting(store, 'auth.automation'), undefined, 'no row: known to be none');
    await raw.setSetting('other', 1);
    await store.getSetting('other');
    assert.equal(cachedSetting(store, 'other'), MISS, 'settings the cache does not keep are never peeked');
  } finally {
    await fresh.dispose();
  }
});
