import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../store/index.js';
import { ResponseWaiters } from './response-waiters.js';
import type { HostContext } from './types.js';

test('the outcomes of the last 1,000 runs that ended here answer a late waiter from memory; older ones are read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-waiters-'));
  const store = await openStore({ dataDir: dir });
  try {
    const ctx: HostContext = {
      store,
      now: () => 0,
      log: undefined,
      observer: undefined,
      shared: false,
      executeRuns: true,
      stopping: () => false,
      callbackBase: () => '',
    };
    const waiters = new ResponseWaiters(ctx, { live: () => undefined, waitingForSlot: () => false });
    const outcome = (i: number) => ({ statusCode: 200, headers: {}, body: i });
    for (let i = 0; i < 2500; i++) waiters.end(`run-${i}`, outcome(i));
    for (let i = 1500; i < 2500; i++) assert.deepEqual(await waiters.wait(`run-${i}`), outcome(i));
    // Long gone from memory, and never in this store: read, and not found.
    await assert.rejects(waiters.wait('run-0'), { code: 'NotFound' });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
