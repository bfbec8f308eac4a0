// Trigger concurrency, the queue aggregate's admission of runs: a run that finds no slot waits as
// Queued, and is admitted (moved to Running) when one frees. Each flow's admissions take turns
// (the flow's row lock on PostgreSQL, the one writer on SQLite), so racing triggers and workers
// can neither overfill the waiting list nor the slots.
import { randomUUID } from 'node:crypto';
import type { StoreContext } from './context.js';
import { lockFlowTurn } from './flows.js';
import { leaseOwnershipItem } from './queue-rows.js';
import type { QueueStore } from './queue-types.js';
import { cancelIfQueued, countAllUnfinished, countUnfinished, startQueuedRuns } from './run-rows.js';
import type { StepWriter } from './step-writer.js';

export type AdmissionStore = Pick<
  QueueStore,
  'countUnfinishedRuns' | 'queueRun' | 'admitQueuedRuns' | 'cancelQueuedRun'
>;

export function admissionStore(ctx: StoreContext, writer: StepWriter): AdmissionStore {
  const { driver, now, check } = ctx;
  return {
    async countUnfinishedRuns(flowId) {
      check();
      return countUnfinished(driver, flowId);
    },

    async queueRun(run, capacity) {
      check();
      const id = run.id ?? randomUUID();
      const unit = writer.prepare(id, { ...run, id, status: 'Queued' }, {});
      return driver.transaction(
        async (c) => {
          // The same per-flow turn as admitQueuedRuns: the count and the insert see no one in between.
          await lockFlowTurn(driver, c, run.flowId);
          if ((await countAllUnfinished(c, run.flowId)) >= capacity) return false;
          await writer.applyIn(c, [unit], now());
          return true;
        },
        { retryable: true },
      );
    },

    async admitQueuedRuns(flowId, limit, ownership) {
      check();
      const at = now();
      return driver.transaction(
        async (c) => {
          await lockFlowTurn(driver, c, flowId);
          const { active } = await countUnfinished(c, flowId);
          const room = limit - active;
          if (room <= 0) return [];
          const ids = await startQueuedRuns(c, flowId, room);
          if (ownership) {
            for (const id of ids) {
              const item = ownership.item(id);
              await leaseOwnershipItem(c, {
                id: item.id,
                runId: id,
                kind: item.kind,
                workerId: ownership.workerId,
                now: at,
                leaseMs: ownership.leaseMs,
              });
            }
          }
          return ids;
        },
        { retryable: true },
      );
    },

    async cancelQueuedRun(runId, at) {
      check();
      return cancelIfQueued(driver, runId, at ?? now());
    },
  };
}
