// The Store over a Driver: one aggregate per role (people, flows, runs, queue with admission,
// approvals, settings), each owning its SQL, assembled here around what they share: the clock,
// the closed flag, the step writer (group commit) and the work signal. Dialect differences are
// few and marked where they are (claim's SKIP LOCKED, the seq bump in step-batch.ts, the flow
// row lock, notifications, leadership).
import { admissionStore } from './admission.js';
import { approvalStore } from './approvals.js';
import { clusterStore } from './cluster.js';
import type { StoreContext } from './context.js';
import { connectorStore } from './connectors.js';
import type { Driver } from './driver.js';
import { desktopStore } from './desktop.js';
import { StoreError } from './errors.js';
import { flowStore } from './flows.js';
import { DEFAULT_PAYLOAD_THRESHOLD } from './json.js';
import { peopleStore } from './people.js';
import { queueStore } from './queue.js';
import { runStore } from './runs.js';
import { sessionStore } from './sessions.js';
import { settingStore } from './settings.js';
import { StepWriter } from './step-writer.js';
import { templateStore } from './templates.js';
import type { StepWriterOptions } from './step-writer.js';
import type { Store } from './types.js';
import { WorkSignal } from './work-signal.js';
import type { GroupCommitStats } from './writer.js';

export interface SqlStoreOptions extends StepWriterOptions {
  /** The clock for created/updated times and lease expiry (tests move it). */
  now?: () => number;
  /** JSON larger than this many bytes is stored out of line (default 256 KiB). */
  payloadThreshold?: number;
}

/** The Store with what the benchmark, metrics and tests look at besides. */
export interface SqlStore extends Store {
  /** How group commit has batched so far (for the benchmark and metrics). */
  readonly groupCommitStats: GroupCommitStats;
  /** Resolves once this process receives other processes' work notifications (PostgreSQL; tests). */
  whenListening(): Promise<void>;
}

export function createSqlStore(driver: Driver, options: SqlStoreOptions = {}): SqlStore {
  let closed = false;
  const ctx: StoreContext = {
    driver,
    now: options.now ?? Date.now,
    payloadThreshold: options.payloadThreshold ?? DEFAULT_PAYLOAD_THRESHOLD,
    check: () => {
      if (closed) throw new StoreError('Closed', `${driver.place}: the store is closed`);
    },
  };
  const signal = new WorkSignal(driver);
  const writer = new StepWriter(ctx, signal, options);
  return {
    backend: driver.dialect,
    shared: driver.shared,
    ...peopleStore(ctx),
    ...flowStore(ctx),
    ...runStore(ctx, writer),
    ...queueStore(ctx, writer, signal),
    ...admissionStore(ctx, writer),
    ...approvalStore(ctx),
    ...connectorStore(ctx),
    ...templateStore(ctx),
    ...settingStore(ctx),
    sessions: sessionStore(driver),
    ...clusterStore(ctx),
    desktop: desktopStore(driver, ctx.check, ctx.now),
    get groupCommitStats() {
      return writer.stats;
    },
    whenListening: () => signal.whenListening(),
    async close() {
      if (closed) return;
      closed = true;
      await writer.close(); // what callers were promised is committed before the connection goes
      await signal.close();
      await driver.close();
    },
  };
}
