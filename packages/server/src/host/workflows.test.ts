// The compiled-workflow cache: get() loads once per version, peek() answers only once loaded, and
// a failed load does not stick.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../store/index.js';
import { WorkflowCache } from './workflows.js';

const definition = {
  triggers: { manual: { type: 'Request', kind: 'Http' } },
  actions: { Compose: { type: 'Compose', inputs: 1 } },
};

test('WorkflowCache: one load per version, peek once loaded, a failed load tried again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-workflows-'));
  const store = await openStore({ dataDir: dir });
  try {
    const cache = new WorkflowCache(store);
    const { flow } = await store.createFlow({ name: 'w', definition });
    assert.equal(cache.peek(flow.id, 1), undefined);
    const loading = cache.get(flow.id, 1);
    assert.equal(cache.get(flow.id, 1), loading);
    assert.equal(cache.peek(flow.id, 1), undefined);
    const compiled = await loading;
    assert.equal(cache.peek(flow.id, 1), compiled);
    assert.equal(await cache.get(flow.id, 1), compiled);
    assert.equal(compiled.version.version, 1);

    const missing = cache.get(flow.id, 2);
    await assert.rejects(missing, /has no version 2/);
    assert.equal(cache.peek(flow.id, 2), undefined);
    assert.notEqual(cache.get(flow.id, 2), missing);
    await assert.rejects(cache.get(flow.id, 2), /has no version 2/);
    assert.equal(cache.peek(flow.id, 1), compiled);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
