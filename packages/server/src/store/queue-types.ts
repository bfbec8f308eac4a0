// The queue aggregate: work items and their leases, timers, callbacks, recurrence state, trigger
// concurrency (admission of queued runs) and scheduler leadership.
import type { Json } from './json.js';
import type { EnqueueItem, NewRun, StepWrite } from './run-types.js';

export interface WorkItem {
  id: string;
  runId: string | null;
  kind: string;
  payload: Json;
  availableAt: number;
  attempts: number; // claims so far, this one included
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
}

export interface Timer {
  runId: string;
  key: string;
  dueAt: number;
  fired: boolean;
}

export interface Callback {
  key: string;
  runId: string;
  path: string;
  createdAt: number;
  resolvedAt: number | null;
  payload: Json | null;
}

export interface RecurrenceState {
  flowId: string;
  triggerName: string;
  lastScheduledTime: number;
  nextTime: number | null;
  updatedAt: number;
}

export interface QueueStore {
  // ---- work queue
  enqueue(items: EnqueueItem[]): Promise<string[]>;
  /** Leases up to `limit` available items (not leased, or lease expired) to workerId for leaseMs. */
  claim(workerId: string, limit: number, leaseMs: number): Promise<WorkItem[]>;
  complete(id: string): Promise<boolean>;
  /** Gives the item back (only by its lease owner), available again after delayMs. */
  release(id: string, workerId: string, delayMs?: number): Promise<boolean>;
  extendLease(id: string, workerId: string, leaseMs: number): Promise<boolean>;
  /**
   * Takes the lease on the item `id` for workerId, inserting `item` when no such item exists;
   * false when another worker holds an unexpired lease on it. (Scale-out: the lease on a run's
   * ownership item says which process may hold that run in memory.)
   */
  acquireLease(
    id: string,
    workerId: string,
    leaseMs: number,
    item: { runId?: string | null; kind: string; payload?: Json },
  ): Promise<boolean>;
  /** Called (at most once per commit) when work was enqueued, by this process or, on PostgreSQL, any. */
  onWork(callback: () => void): () => void;

  // ---- timers, callbacks, recurrence
  dueTimers(now: number, limit: number): Promise<Timer[]>;
  /** Timers not fired yet (every run's, due or not) and the earliest due time among them. */
  pendingTimers(): Promise<{ count: number; nextDueAt: number | null }>;
  /**
   * Turns up to `limit` due timers into `timer` work items and marks them fired, in one
   * transaction; concurrent callers (workers on PostgreSQL) each take different timers. Returns
   * how many it fired.
   */
  fireDueTimers(now: number, limit: number): Promise<number>;
  /** True for the one caller that marks it fired. */
  markFired(runId: string, key: string): Promise<boolean>;
  getCallback(key: string): Promise<Callback | undefined>;
  /**
   * Resolves a callback exactly once: true for the first resolution, false afterwards (also when two
   * race) or when the key is unknown. `then` is written in the same transaction when it succeeds,
   * so the callback event and the wake-up of its run cannot be lost in between.
   */
  resolveCallback(key: string, payload: Json, then?: StepWrite): Promise<boolean>;
  getRecurrence(flowId: string, triggerName: string): Promise<RecurrenceState | undefined>;
  /**
   * Compare-and-set: `expectedLast` undefined means "no state yet". True when this caller won;
   * two schedulers racing for the same occurrence get one true.
   */
  casRecurrence(
    flowId: string,
    triggerName: string,
    expectedLast: number | undefined,
    next: { lastScheduledTime: number; nextTime: number | null },
  ): Promise<boolean>;

  // ---- trigger concurrency: runs waiting for a slot
  /** A flow's unfinished runs, as `queued` (waiting for a slot) and `active`. */
  countUnfinishedRuns(flowId: string): Promise<{ queued: number; active: number }>;
  /**
   * Writes the run as Queued if the flow has fewer than `capacity` unfinished runs (running,
   * waiting and queued), counted and inserted in one turn per flow; false when full.
   */
  queueRun(run: NewRun, capacity: number): Promise<boolean>;
  /**
   * Moves the flow's oldest Queued runs to Running while fewer than `limit` of its runs are active,
   * one caller at a time per flow, and returns their ids in order. With `ownership`, each admitted
   * run's ownership item is written in the same transaction, leased to the caller, so a process
   * that dies right after admitting hands the run to another worker.
   */
  admitQueuedRuns(
    flowId: string,
    limit: number,
    ownership?: { workerId: string; leaseMs: number; item: (runId: string) => { id: string; kind: string } },
  ): Promise<string[]>;
  /** Cancels a run still Queued (never started); false when it was admitted or ended meanwhile. */
  cancelQueuedRun(runId: string, at?: number): Promise<boolean>;

  // ---- scheduler leadership (SQLite: the one process is always the leader)
  tryAcquireLeadership(name: string): Promise<boolean>;
  releaseLeadership(name: string): Promise<void>;
}
