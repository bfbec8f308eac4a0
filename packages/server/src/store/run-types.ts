// The runs aggregate: runs, their events and action records, trigger history and retention. A
// step (StepWrite) is the unit of a run's writes; besides the run's own rows it may enqueue work
// and set timers and callbacks (the queue aggregate's rows), all in one transaction, so the shape
// of an enqueued item is defined here.
import type { ActionRecord } from '@flowbridge/engine';
import type { Json } from './json.js';

export type RunStatus =
  'Queued' | 'Running' | 'Waiting' | 'Succeeded' | 'Failed' | 'Cancelled' | 'TimedOut' | 'Skipped' | 'Aborted';

/** Statuses of a run that has not finished: what crash recovery resumes. */
export const UNFINISHED_RUN_STATUSES: readonly RunStatus[] = ['Queued', 'Running', 'Waiting'];

export interface Run {
  id: string;
  flowId: string;
  flowVersion: number;
  environmentId: string;
  triggerName: string;
  status: RunStatus;
  startTime: number;
  endTime: number | null;
  error: Json | null;
  clientTrackingId: string | null;
  lastSeq: number; // seq of the newest event, 0 when none
}

export interface RunDetail extends Run {
  init: Json;
  response: Json | null;
  outputs: Json | null;
  actions?: StoredActionRecord[];
}

/**
 * An action record as the store takes it: the engine's ActionRecord, which the host writes as is.
 * The store reads name, path, status and the times (checked when written: status as any string);
 * it keeps the rest as given, and needs no `type`.
 */
export type ActionRecordInput = Omit<ActionRecord, 'type' | 'status'> & { type?: string; status: string };
export type StoredActionRecord = ActionRecordInput;

export interface NewRun {
  id?: string;
  flowId: string;
  flowVersion: number;
  triggerName: string;
  status?: RunStatus; // default Running
  startTime?: number; // default now
  clientTrackingId?: string | null;
  init: Json; // the engine's RunInit
  /**
   * The flow's environment, when the caller has the flow at hand: with startTime also given, the
   * store returns the new run from what it was given instead of reading it back.
   */
  environmentId?: string;
}

export interface RunUpdate {
  status?: RunStatus;
  endTime?: number | null;
  error?: Json | null;
  response?: Json | null;
  outputs?: Json | null;
  /** Replaces the engine's RunInit (a run admitted after waiting for a concurrency slot starts now). */
  init?: Json;
  /**
   * The run only waits (on timers and callbacks, with no effect in flight): the host holds nothing
   * of it, and a start does not replay it (listUnfinishedRuns `exceptParked`). New runs are not.
   */
  parked?: boolean;
}

export interface RunHistory {
  init: Json;
  events: Json[]; // in seq order; events[i] has seq i + 1
  lastSeq: number;
}

export interface RunQuery {
  flowId?: string;
  status?: RunStatus | RunStatus[];
  environmentId?: string;
  from?: number; // startTime >= from
  to?: number; // startTime < to
  limit?: number; // default 50, at most 1000
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PruneCounts {
  runs: number;
  events: number;
  actionRecords: number;
  payloads: number;
  workItems: number;
  timers: number;
  callbacks: number;
  triggerHistory: number;
}

/** A trigger evaluation that started no run (a run is its own record of firing). */
export interface TriggerHistoryEntry {
  id: number;
  flowId: string;
  triggerName: string;
  at: number;
  status: 'Skipped' | 'Failed';
  code: string | null;
  message: string | null;
}

export interface EnqueueItem {
  id?: string;
  runId?: string | null;
  kind: string;
  payload?: Json;
  availableAt?: number; // default now
}

/**
 * Everything one caller writes for one step of one run. The store applies it all or nothing,
 * batched with other callers' steps into one transaction (group commit).
 */
export interface StepWrite {
  events?: Json[];
  records?: ActionRecordInput[];
  runUpdate?: RunUpdate;
  enqueue?: EnqueueItem[];
  timers?: Array<{ key: string; dueAt: number }>;
  callbacks?: Array<{ key: string; path: string }>;
  /** Timers and callbacks of this run that are no longer awaited (the engine's cancelWait). */
  cancelWaits?: string[];
  /** Work items this step finishes (deleted in the same transaction). */
  completeWork?: string[];
  /**
   * Fencing (PostgreSQL): the run's last seq as this writer knows it. The events are appended only
   * if no other writer appended since; otherwise the step fails with Conflict and nothing is written.
   */
  expectSeq?: number;
  /**
   * No caller waits for this write (a Stateless run's single write, made after its answer): the
   * store may take a path that spares the event loop at some latency (SQLite: the writer thread,
   * whatever the size of the batch). Nothing else changes: it commits as any other step.
   */
  background?: boolean;
}

export interface StepResult {
  seqs: number[]; // the seq of each appended event, in order
  workIds: string[]; // the id of each enqueued item, in order
}

/** Runs and their history (writes go through group commit). */
export interface RunStore {
  createRun(run: NewRun, step?: StepWrite): Promise<Run & StepResult>;
  commitStep(runId: string, step: StepWrite): Promise<StepResult>;
  appendEvents(runId: string, events: Json[]): Promise<number[]>;
  upsertActionRecords(runId: string, records: ActionRecordInput[]): Promise<void>;
  updateRun(runId: string, update: RunUpdate): Promise<void>;
  loadRunHistory(runId: string): Promise<RunHistory>;
  getRun(id: string, options?: { withActions?: boolean }): Promise<RunDetail | undefined>;
  /**
   * The run and its history read in one snapshot (both agree on every commit), for reads that
   * show the run's row and its replayed result together; undefined when there is no such run.
   */
  readRun(id: string): Promise<{ run: RunDetail; history: RunHistory } | undefined>;
  listRuns(query?: RunQuery): Promise<Page<Run>>;
  /**
   * Runs not finished, oldest first. `exceptParked`: without the parked ones (what a start replays:
   * a parked run is woken by its timer or callback, which are rows of their own).
   */
  listUnfinishedRuns(options?: { exceptParked?: boolean }): Promise<Run[]>;
  /** Records a trigger evaluation that started no run (conditions false, bad input). */
  recordTriggerHistory(
    entry: Omit<TriggerHistoryEntry, 'id' | 'code' | 'message'> & {
      code?: string | null;
      message?: string | null;
    },
  ): Promise<number>;
  /** A trigger's evaluations that started no run, newest first, before (at, id) when given. */
  listTriggerHistory(
    flowId: string,
    triggerName: string,
    query?: { limit?: number; before?: { at: number; id: number } },
  ): Promise<TriggerHistoryEntry[]>;
  /** Retention: deletes finished runs that started before `before`, with everything that hangs off them. */
  pruneRunsOlderThan(before: number | Date): Promise<PruneCounts>;
}
