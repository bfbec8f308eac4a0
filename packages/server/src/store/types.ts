// The durable store's records and its one interface. Both backends (SQLite, PostgreSQL) implement
// `Store`; contract.test.ts pins the behaviour for both. Times are epoch milliseconds (numbers);
// JSON payloads are plain values (what JSON.parse returns) and are given back exactly as stored.

import type { ActionRecord } from '@flowbridge/engine';
import type { DesktopStore } from './desktop.js';

/** A JSON value as the store holds it (anything JSON.stringify accepts). */
export type Json = unknown;

export const DEFAULT_ENVIRONMENT_ID = 'default';

export interface Environment {
  id: string;
  name: string;
  createdAt: number;
}

export type UserRole = 'Admin' | 'Maker' | 'Viewer' | (string & {});

export interface User {
  id: string;
  email: string; // stored lower-case: unique regardless of case
  displayName: string;
  role: UserRole;
  createdAt: number;
  disabled: boolean;
}

export interface AccessToken {
  id: string;
  userId: string;
  hash: string; // the store never sees the token itself
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface OAuthClient {
  id: string;
  secretHash: string;
  environmentId: string;
  roles: string[];
  createdAt: number;
}

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  details: Json;
}

export type FlowState = 'Enabled' | 'Disabled';
export type FlowKind = 'Stateful' | 'Stateless';

export interface Flow {
  id: string;
  environmentId: string;
  name: string;
  ownerId: string | null;
  state: FlowState;
  kind: FlowKind;
  accessKey: string; // HMAC key for signed trigger URLs
  currentVersion: number;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
}

export interface FlowVersion {
  flowId: string;
  version: number;
  definition: Json;
  parameters: Json;
  createdAt: number;
  createdBy: string | null;
}

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

export type ApprovalStatus = 'Pending' | 'Approved' | 'Rejected' | 'Completed' | 'Cancelled' | (string & {});

export interface Approval {
  id: string;
  runId: string | null;
  path: string | null;
  status: ApprovalStatus;
  details: Json;
  createdAt: number;
  completedAt: number | null;
}

export interface ApprovalResponse {
  id: number;
  approvalId: string;
  responderId: string;
  response: string;
  comments: string | null;
  at: number;
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
}

export interface StepResult {
  seqs: number[]; // the seq of each appended event, in order
  workIds: string[]; // the id of each enqueued item, in order
}

export interface Store {
  readonly backend: 'sqlite' | 'postgres';
  /** Desktop flows, machines and their sessions (store/desktop.ts). */
  readonly desktop: DesktopStore;

  // ---- environments, users, tokens, clients, audit, settings
  listEnvironments(): Promise<Environment[]>;
  getEnvironment(id: string): Promise<Environment | undefined>;
  createEnvironment(input: { id?: string; name: string }): Promise<Environment>;

  createUser(input: { id?: string; email: string; displayName: string; role: UserRole }): Promise<User>;
  getUser(id: string): Promise<User | undefined>;
  getUserByEmail(email: string): Promise<User | undefined>;
  listUsers(): Promise<User[]>;
  updateUser(id: string, patch: { displayName?: string; role?: UserRole; disabled?: boolean }): Promise<User>;

  createAccessToken(input: { id?: string; userId: string; hash: string; name: string }): Promise<AccessToken>;
  findAccessTokenByHash(hash: string): Promise<AccessToken | undefined>;
  listAccessTokens(userId: string): Promise<AccessToken[]>;
  touchAccessToken(id: string, at?: number): Promise<void>;
  deleteAccessToken(id: string): Promise<boolean>;

  createOAuthClient(input: {
    id?: string;
    secretHash: string;
    environmentId?: string;
    roles: string[];
  }): Promise<OAuthClient>;
  getOAuthClient(id: string): Promise<OAuthClient | undefined>;
  listOAuthClients(): Promise<OAuthClient[]>;
  deleteOAuthClient(id: string): Promise<boolean>;

  appendAudit(entry: { at?: number; actor: string; action: string; target: string; details?: Json }): Promise<number>;
  /** Newest first; `before` is an id from a previous page. */
  listAudit(query?: { limit?: number; before?: number }): Promise<AuditEntry[]>;

  getSetting(key: string): Promise<Json | undefined>;
  setSetting(key: string, value: Json): Promise<void>;
  deleteSetting(key: string): Promise<boolean>;

  // ---- flows and their immutable versions
  createFlow(input: {
    id?: string;
    environmentId?: string;
    name: string;
    ownerId?: string | null;
    state?: FlowState;
    kind?: FlowKind;
    accessKey?: string;
    definition: Json;
    parameters?: Json;
    createdBy?: string | null;
  }): Promise<{ flow: Flow; version: FlowVersion }>;
  /** Saves a new version; with expectedVersion, fails with Conflict when someone saved in between. */
  saveFlowVersion(
    flowId: string,
    input: { definition: Json; parameters?: Json; createdBy?: string | null; expectedVersion?: number },
  ): Promise<FlowVersion>;
  getFlow(id: string, options?: { includeDeleted?: boolean }): Promise<Flow | undefined>;
  listFlows(query?: { environmentId?: string; includeDeleted?: boolean }): Promise<Flow[]>;
  updateFlow(
    id: string,
    patch: { name?: string; state?: FlowState; kind?: FlowKind; accessKey?: string; ownerId?: string | null },
  ): Promise<Flow>;
  /** Soft delete: the flow disappears from lists, its runs and versions stay until pruned. */
  deleteFlow(id: string): Promise<boolean>;
  getFlowVersion(flowId: string, version?: number): Promise<FlowVersion | undefined>;
  listFlowVersions(flowId: string): Promise<FlowVersion[]>;

  // ---- runs (writes go through group commit)
  createRun(run: NewRun, step?: StepWrite): Promise<Run & StepResult>;
  commitStep(runId: string, step: StepWrite): Promise<StepResult>;
  appendEvents(runId: string, events: Json[]): Promise<number[]>;
  upsertActionRecords(runId: string, records: ActionRecordInput[]): Promise<void>;
  updateRun(runId: string, update: RunUpdate): Promise<void>;
  loadRunHistory(runId: string): Promise<RunHistory>;
  getRun(id: string, options?: { withActions?: boolean }): Promise<RunDetail | undefined>;
  listRuns(query?: RunQuery): Promise<Page<Run>>;
  listUnfinishedRuns(): Promise<Run[]>;
  /** Trigger concurrency: a flow's unfinished runs, as `queued` (waiting for a slot) and `active`. */
  countUnfinishedRuns(flowId: string): Promise<{ queued: number; active: number }>;
  /**
   * Trigger concurrency: writes the run as Queued if the flow has fewer than `capacity` unfinished
   * runs (running, waiting and queued), counted and inserted in one turn per flow; false when full.
   */
  queueRun(run: NewRun, capacity: number): Promise<boolean>;
  /**
   * Trigger concurrency: moves the flow's oldest Queued runs to Running while fewer than `limit` of
   * its runs are active, one caller at a time per flow, and returns their ids in order. With
   * `ownership`, each admitted run's ownership item is written in the same transaction, leased to
   * the caller, so a process that dies right after admitting hands the run to another worker.
   */
  admitQueuedRuns(
    flowId: string,
    limit: number,
    ownership?: { workerId: string; leaseMs: number; item: (runId: string) => { id: string; kind: string } },
  ): Promise<string[]>;
  /** Cancels a run still Queued (never started); false when it was admitted or ended meanwhile. */
  cancelQueuedRun(runId: string, at?: number): Promise<boolean>;
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

  // ---- approvals
  createApproval(input: {
    id?: string;
    runId?: string | null;
    path?: string | null;
    details?: Json;
  }): Promise<Approval>;
  getApproval(id: string): Promise<(Approval & { responses: ApprovalResponse[] }) | undefined>;
  listApprovals(query?: { status?: ApprovalStatus; runId?: string }): Promise<Approval[]>;
  /** The responses of many approvals at once, in the order they were added. */
  listApprovalResponses(approvalIds: string[]): Promise<ApprovalResponse[]>;
  /**
   * Adds a response while the approval is Pending (Conflict after). `afterEnd`: a bookkeeping row
   * that never counts as an answer (e.g. a linked host acknowledged the outcome) may come later.
   */
  addApprovalResponse(
    approvalId: string,
    input: { responderId: string; response: string; comments?: string | null; at?: number; afterEnd?: boolean },
  ): Promise<ApprovalResponse>;
  /** Pending -> status, once: false when it was no longer Pending. */
  completeApproval(id: string, status: ApprovalStatus, details?: Json): Promise<boolean>;

  // ---- scheduler leadership (SQLite: the one process is always the leader)
  tryAcquireLeadership(name: string): Promise<boolean>;
  releaseLeadership(name: string): Promise<void>;

  close(): Promise<void>;
}
