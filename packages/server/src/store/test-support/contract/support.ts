// What the store contract's case tables share (store/contract.test.ts runs them).
import assert from 'node:assert/strict';
import { isStoreError } from '../../errors.js';
import type { StoreErrorCode } from '../../errors.js';
import type { SqlStore } from '../../sql-store.js';
import type { Fresh, manualClock } from '../backends.js';

/** One contract case: a name and what it checks on a fresh store (and a clock the store uses). */
export type Case = [name: string, fn: (f: Fresh, clock: ReturnType<typeof manualClock>) => Promise<void>];

export async function rejectsWith(p: Promise<unknown>, code: StoreErrorCode): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isStoreError(e), `expected a StoreError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

export async function flowWithRun(
  store: SqlStore,
  runId = 'run-1',
  extra: Partial<Parameters<SqlStore['createRun']>[0]> = {},
) {
  const { flow } = await store.createFlow({ name: 'f', definition: { actions: {} } });
  const run = await store.createRun({
    id: runId,
    flowId: flow.id,
    flowVersion: 1,
    triggerName: 'manual',
    init: { runId, trigger: { name: 'manual' } },
    ...extra,
  });
  return { flow, run };
}
