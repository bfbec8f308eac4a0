/**
 * RunHost: executes runs durably on the store (DESIGN §2). Each engine step is persisted with
 * store.commitStep (events, records, run status, timers, callbacks) BEFORE its commands are acted
 * on, so a process killed at any instant resumes from the store: recover() replays unfinished runs
 * and re-issues the effects that had no recorded result, with the same idempotency key.
 *
 * Wake-ups from outside the run (timers, callbacks, cancel) are work items in the store's queue; a
 * worker claims them with a lease and feeds them to the run. A run that is live in this process
 * keeps its engine state in memory, so steps never re-read the history.
 *
 * Stateless flows run in memory and write the run once, at the end.
 *
 * Scale-out (PostgreSQL, many processes): a process holds a durable run in memory only while it
 * holds the lease on the run's ownership item (`run:<id>` in the queue), renewed while the run has
 * effects in flight. The item is written with the run, and deleted in the same commit as the step
 * that leaves the run only waiting (timers, callbacks) or finished. When a process dies, its leases
 * expire, another worker claims the item, replays the run from the store and re-sends the
 * unanswered effects with the same idempotency keys. A wake-up for a run no one holds takes the
 * lease first. A caller waiting for a Response on another process polls the run's row.
 */
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  Run,
  replay,
  type ActionRecord,
  type Command,
  type RunEvent,
  type RunInit,
  type Step,
} from '@flowbridge/engine';
import type { RunResult, TriggerConcurrency, Workflow } from '@flowbridge/engine';
import { createEffectExecutor, type ConnectorHandler, type EffectExecutorOptions } from '../effects/index.js';
import type { WorkflowContextData } from '../effects/javascript.js';
import type { EffectCommand, EffectContext, EffectExecutor, EffectResult } from '../effects/types.js';
import type { ChildWorkflowOutcome, WorkflowResolver } from '../effects/workflow.js';
import type { Flow, Run as Run_, RunStatus, StepWrite, Store, WorkItem } from '../store/index.js';
import { UNFINISHED_RUN_STATUSES, sortableId } from '../store/index.js';
import { ConcurrencyGates } from './concurrency-gates.js';
import { HostError } from './errors.js';
import { signRunCallback } from './signing.js';
import { WorkflowCache, isRecord } from './workflows.js';

export interface HostLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface RunResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: unknown;
}

/** What the caller of a Request trigger gets when the run ended without sending a Response. */
export interface NoResponse {
  noResponse: true;
  status: string;
}

/** Hooks for metrics: the HTTP layer counts what the host reports. */
export interface HostObserver {
  runStarted?(flowId: string): void;
  runEnded?(flowId: string, status: string, runId: string): void;
  actionDone?(actionType: string, status: string, ms: number): void;
}

export interface RunHostOptions {
  store: Store;
  log?: HostLogger;
  now?: () => number;
  effects?: EffectExecutorOptions;
  /** Replaces the standard executors entirely (tests). */
  executor?: EffectExecutor;
  /** Connector actions the standard executors cannot perform (approvals, mail); null = not mine. */
  connectorHandlers?: ConnectorHandler[];
  /** The server's public base URL (for callback URLs); read when a run starts. */
  baseUrl: () => string;
  /** Secret for callback URL signatures. */
  callbackSecret: string;
  workerId?: string;
  observer?: HostObserver;
  /** Lease on claimed work items (default 30 s). */
  leaseMs?: number;
  /** How often workers and the timer loop look at the store without being woken (default 1000 ms). */
  pollMs?: number;
  /**
   * Whether durable runs started here are executed here (default true). False (an api-only process
   * on PostgreSQL): the run is written with its ownership item for a worker to take.
   */
  executeRuns?: boolean;
}

export interface StartRunRequest {
  flow: Flow;
  version: number;
  triggerName: string;
  outputs: unknown;
  clientTrackingId?: string | null;
  /** A fixed run id (child workflows derive it from the parent's idempotency key). */
  runId?: string;
  /** Recurrence: the occurrence (epoch ms) the run is for, as `trigger().scheduledTime`. */
  scheduledTime?: number;
}

type Waiter = (outcome: RunResponse | NoResponse) => void;

interface Live {
  runId: string;
  flowId: string;
  durable: boolean;
  workflow: Workflow;
  init: RunInit;
  run: Run;
  chain: Promise<void>;
  done: boolean;
  status: RunStatus;
  inflight: Map<string, AbortController>;
  records: Map<string, ActionRecord>;
  /**
   * Action records not yet written, by path. Records are derived data (replaying the events gives
   * them back), so a durable run writes them when it ends or goes idle, not with every step: the
   * events alone make a step durable, and the writes stay small.
   */
  unwritten: Map<string, ActionRecord>;
  /** The seq of the run's last event as this copy knows it (scale-out: fences its next commit). */
  seq: number;
  callbacks: Map<string, { key: string; url?: string }>; // by action path
  // Stateless runs keep their history here until the single write at the end.
  memory?: { events: RunEvent[]; records: ActionRecord[]; timers: Map<string, NodeJS.Timeout> };
  executor: EffectExecutor;
  /** The first Response the run sent (a waiter that comes late still gets it). */
  response?: RunResponse;
  /** Scale-out: this process holds the lease on the run's ownership item (renewed while live). */
  owned?: boolean;
  /** Dropped from memory: events still queued for this copy go back to the queue. */
  evicted?: boolean;
}

const FINISHED = new Set<string>(['Succeeded', 'Failed', 'Cancelled', 'TimedOut', 'Skipped', 'Aborted']);

export class RunHost {
  readonly store: Store;
  readonly workflows: WorkflowCache;
  private readonly log: HostLogger | undefined;
  private readonly now: () => number;
  private readonly live = new Map<string, Live>();
  private readonly loading = new Map<string, Promise<Live | undefined>>();
  private readonly waiters = new Map<string, Waiter[]>();
  /** Outcomes of the runs that ended here most recently (for a waitForResponse that comes late). */
  private readonly ended = new Map<string, RunResponse | NoResponse>();
  private readonly workerId: string;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private stopping = false;
  private readonly loops: Promise<void>[] = [];
  private wakeWorker: (() => void) | undefined;
  private wakeTimers: (() => void) | undefined;
  private timerHandle: NodeJS.Timeout | undefined;
  private nextTimerWake = Infinity;
  private unsubscribeWork: (() => void) | undefined;
  private readonly activeWork = new Set<Promise<void>>();
  /** PostgreSQL: other processes share the store, so runs are owned through leases. */
  private readonly shared: boolean;
  private readonly executeRuns: boolean;
  private renewHandle: NodeJS.Timeout | undefined;
  /** Trigger concurrency of stateless flows (their runs are never in the store while they run). */
  private readonly gates = new ConcurrencyGates();

  constructor(private readonly options: RunHostOptions) {
    this.store = options.store;
    this.workflows = new WorkflowCache(options.store);
    this.log = options.log;
    this.now = options.now ?? Date.now;
    // Host and pid in the id: an operator (or a test) can tell which process holds a lease.
    this.workerId = options.workerId ?? `worker-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollMs = options.pollMs ?? 1000;
    this.shared = options.store.backend === 'postgres';
    this.executeRuns = options.executeRuns ?? true;
  }

  /** Runs live in this process (for drain and tests). */
  get liveCount(): number {
    return this.live.size;
  }

  /** Work items claimed and not yet finished (for metrics). */
  get workInProgress(): number {
    return this.activeWork.size;
  }

  // ---------------------------------------------------------------- starting runs

  async startRun(request: StartRunRequest): Promise<{ runId: string }> {
    if (this.stopping) throw new HostError('Stopping', 'The server is shutting down.');
    const { flow } = request;
    const compiled = await this.workflows.get(flow.id, request.version);
    // Time-ordered (UUIDv7 layout): a run's rows land next to the other new runs' in every index.
    const runId = request.runId ?? sortableId(this.now());
    const now = this.now();
    const init: RunInit = {
      runId,
      workflow: { id: flow.id, name: flow.name, version: String(request.version) },
      trigger: {
        name: request.triggerName,
        outputs: request.outputs,
        startTime: new Date(now).toISOString(),
        ...(request.clientTrackingId ? { clientTrackingId: request.clientTrackingId } : {}),
        ...(request.scheduledTime !== undefined
          ? { scheduledTime: new Date(request.scheduledTime).toISOString() }
          : {}),
      },
      ...(compiled.parameters ? { parameters: compiled.parameters } : {}),
      now,
      callbackBaseUrl: this.callbackBase(runId),
    };
    const durable = flow.kind !== 'Stateless';
    const limit = concurrencyOf(compiled.workflow, request.triggerName);
    if (limit && durable) {
      await this.queue(request, init, limit);
      return { runId };
    }
    if (limit) {
      // Stateless runs live only in memory: so does their concurrency gate.
      const startLater = (): void => {
        // The clock of a run that waited for its slot starts when it starts.
        this.launch(request, compiled.workflow, { ...init, now: this.now() }, false).catch((error: unknown) => {
          this.log?.error({ err: error, runId }, 'could not start a waiting run');
          this.gates.leave(flow.id);
          this.resolveWaiters(runId, { noResponse: true, status: 'Failed' });
        });
      };
      const entry = this.gates.enter(flow.id, runId, limit, startLater);
      if (entry === 'full') throw tooManyRuns(flow.name, limit);
      if (entry === 'queued') return { runId };
      try {
        await this.launch(request, compiled.workflow, init, false);
      } catch (error) {
        this.gates.leave(flow.id);
        throw error;
      }
      return { runId };
    }
    await this.launch(request, compiled.workflow, init, durable);
    return { runId };
  }

  /** Starts a run now: its first step is committed (durable) or kept (stateless), then acted on. */
  private async launch(request: StartRunRequest, workflow: Workflow, init: RunInit, durable: boolean): Promise<void> {
    const { flow } = request;
    const { runId, now } = init;
    const { run, step } = Run.start(workflow, init);
    const live = this.register(runId, flow.id, durable, workflow, init, run);
    this.options.observer?.runStarted?.(flow.id);
    // Scale-out: a run with effects to perform gets its ownership item; a worker takes it at once
    // when this process does not execute runs, else this process leases it right away.
    const handOff = durable && this.shared && !step.done && !this.idleAfter(live, step);
    const here = !handOff || this.executeRuns;
    try {
      if (durable) {
        const write = this.toWrite(live, step, []);
        if (handOff) write.enqueue = [{ ...ownershipItem(runId), availableAt: here ? now + this.leaseMs : now }];
        await this.store.createRun(
          {
            id: runId,
            flowId: flow.id,
            environmentId: flow.environmentId,
            flowVersion: request.version,
            triggerName: request.triggerName,
            status: step.status,
            startTime: now,
            clientTrackingId: request.clientTrackingId ?? null,
            init,
          },
          write,
        );
        if (handOff && here) live.owned = await this.acquire(runId);
      } else {
        this.remember(live, step, []);
      }
    } catch (error) {
      this.live.delete(runId);
      throw error;
    }
    if (handOff && !live.owned) {
      // A worker performs the effects (the step and its Response, if any, are in the store).
      this.evict(live);
      return;
    }
    await this.act(live, step);
  }

  // ---------------------------------------------------------------- trigger concurrency

  /**
   * A durable run of a flow whose trigger limits concurrent runs: written as Queued, then admitted
   * (oldest first) while the flow has fewer active runs than the limit. 429 when the waiting-runs
   * queue is full. Both the queueing and the admission take one turn per flow in the store, so
   * neither limit can be overrun by racing triggers (or processes).
   */
  private async queue(request: StartRunRequest, init: RunInit, limit: TriggerConcurrency): Promise<void> {
    const { flow } = request;
    const queued = await this.store.queueRun(
      {
        id: init.runId,
        flowId: flow.id,
        flowVersion: request.version,
        triggerName: request.triggerName,
        startTime: init.now,
        clientTrackingId: request.clientTrackingId ?? null,
        init,
      },
      limit.runs + limit.maximumWaitingRuns,
    );
    if (!queued) throw tooManyRuns(flow.name, limit);
    await this.admit(flow.id, limit.runs);
  }

  /** Starts the flow's oldest queued runs that fit under its limit. */
  private async admit(flowId: string, runs: number): Promise<void> {
    const ownership = this.shared
      ? {
          workerId: this.workerId,
          // An api-only process admits but does not execute: the item is free for a worker at once.
          leaseMs: this.executeRuns ? this.leaseMs : 0,
          item: (runId: string) => ({ id: ownershipId(runId), kind: OWNERSHIP_KIND }),
        }
      : undefined;
    const ids = await this.store.admitQueuedRuns(flowId, runs, ownership);
    if (this.shared && !this.executeRuns) return;
    for (const id of ids) {
      try {
        await this.begin(id);
      } catch (error) {
        // The run is Running in the store: recovery (or, scale-out, its ownership item) resumes it.
        this.log?.error({ err: error, runId: id }, 'could not start an admitted run');
      }
    }
  }

  /** Runs the first step of an admitted run, with its clock starting now. */
  private async begin(runId: string): Promise<void> {
    const stored = await this.store.getRun(runId);
    if (!stored || stored.status !== 'Running' || this.live.has(runId)) return;
    const { workflow } = await this.workflows.get(stored.flowId, stored.flowVersion);
    const init: RunInit = { ...(stored.init as RunInit), now: this.now() };
    const { run, step } = Run.start(workflow, init);
    const live = this.register(runId, stored.flowId, true, workflow, init, run);
    if (this.shared) live.owned = true;
    this.options.observer?.runStarted?.(stored.flowId);
    const write = this.toWrite(live, step, []);
    write.runUpdate = { ...write.runUpdate, init };
    try {
      await this.store.commitStep(runId, write);
    } catch (error) {
      this.live.delete(runId);
      throw error;
    }
    await this.act(live, step);
  }

  /** After a run of a limited flow ended: the next queued ones may start. */
  private admitNext(live: Live): void {
    const limit = concurrencyOf(live.workflow, live.init.trigger.name);
    if (!limit) return;
    if (!live.durable) {
      this.gates.leave(live.flowId);
      return;
    }
    if (this.stopping) return;
    this.admit(live.flowId, limit.runs).catch((error: unknown) =>
      this.log?.error({ err: error, flowId: live.flowId }, 'admitting queued runs failed'),
    );
  }

  /**
   * Queued runs nobody admitted (their flow's last run ended in a process that died, or before a
   * restart): admits what fits. Called at start and now and then by the timer loop.
   */
  async admitQueued(): Promise<number> {
    const page = await this.store.listRuns({ status: 'Queued', limit: 1000 });
    const flows = new Map<string, Run_>();
    for (const r of page.items) if (!flows.has(r.flowId)) flows.set(r.flowId, r);
    let admitted = 0;
    for (const r of flows.values()) {
      try {
        const { workflow } = await this.workflows.get(r.flowId, r.flowVersion);
        const limit = concurrencyOf(workflow, r.triggerName);
        const before = (await this.store.countUnfinishedRuns(r.flowId)).queued;
        await this.admit(r.flowId, limit?.runs ?? Number.MAX_SAFE_INTEGER);
        admitted += before - (await this.store.countUnfinishedRuns(r.flowId)).queued;
      } catch (error) {
        this.log?.error({ err: error, flowId: r.flowId }, 'admitting queued runs failed');
      }
    }
    return admitted;
  }

  /** Resolves with the run's Response (or NoResponse when it ended without one). */
  async waitForResponse(runId: string): Promise<RunResponse | NoResponse> {
    const live = this.live.get(runId);
    if (live?.response) return live.response;
    const ended = this.ended.get(runId);
    if (ended) return ended;
    if (!live && !this.gates.isWaiting(runId)) {
      const stored = await this.store.getRun(runId);
      if (stored?.response) return stored.response as RunResponse;
      if (stored && FINISHED.has(stored.status)) return { noResponse: true, status: stored.status };
      if (!stored) throw new HostError('NotFound', `Run ${runId} does not exist.`, runId);
    }
    const waiting = new Promise<RunResponse | NoResponse>((resolve) => {
      const list = this.waiters.get(runId) ?? [];
      list.push(resolve);
      this.waiters.set(runId, list);
    });
    if (this.shared && !live) void this.pollResponse(runId);
    return waiting;
  }

  /** Scale-out: the run executes in another process; its Response arrives in the run's row. */
  private async pollResponse(runId: string): Promise<void> {
    let delay = 20;
    while (this.waiters.has(runId) && !this.stopping) {
      await sleep(delay);
      delay = Math.min(250, Math.round(delay * 1.5));
      if (!this.waiters.has(runId) || this.live.has(runId)) return;
      try {
        const stored = await this.store.getRun(runId);
        if (stored?.response) this.resolveWaiters(runId, stored.response as RunResponse);
        else if (stored && FINISHED.has(stored.status))
          this.resolveWaiters(runId, { noResponse: true, status: stored.status });
      } catch (error) {
        this.log?.warn({ err: error, runId }, 'polling for a response failed');
      }
    }
  }

  private resolveWaiters(runId: string, outcome: RunResponse | NoResponse): void {
    const waiters = this.waiters.get(runId);
    if (!waiters) return;
    this.waiters.delete(runId);
    for (const w of waiters) w(outcome);
  }

  /** Drops a waiter that gave up (504): the run goes on. */
  forgetWaiters(runId: string): void {
    this.waiters.delete(runId);
  }

  // ---------------------------------------------------------------- outside events

  /** Delivers a webhook/approval callback to the run waiting on `key`, exactly once. */
  async deliverCallback(key: string, payload: unknown): Promise<boolean> {
    for (const live of this.live.values()) {
      if (live.durable || live.done) continue;
      const pending = live.run.pending().find((c) => c.kind === 'awaitCallback' && c.key === key);
      if (pending) {
        await this.process(live, { kind: 'callback', key, payload, now: this.now() });
        return true;
      }
    }
    const callback = await this.store.getCallback(key);
    if (!callback || callback.resolvedAt !== null) return false;
    return this.store.resolveCallback(key, payload ?? null, {
      enqueue: [{ runId: callback.runId, kind: 'callback', payload: { key } }],
    });
  }

  /** Asks a run to stop; false when it does not exist or has finished. */
  async cancel(runId: string): Promise<boolean> {
    const live = this.live.get(runId);
    if (live && !live.durable) {
      if (live.done) return false;
      await this.process(live, { kind: 'cancel', now: this.now() });
      return true;
    }
    if (this.gates.cancel(runId)) {
      this.resolveWaiters(runId, { noResponse: true, status: 'Cancelled' });
      return true;
    }
    const run = await this.store.getRun(runId);
    if (!run || !UNFINISHED_RUN_STATUSES.includes(run.status)) return false;
    if (run.status === 'Queued' && (await this.store.cancelQueuedRun(runId, this.now()))) {
      this.options.observer?.runEnded?.(run.flowId, 'Cancelled', runId);
      this.resolveWaiters(runId, { noResponse: true, status: 'Cancelled' });
      return true;
    }
    await this.store.enqueue([{ runId, kind: 'cancel' }]);
    return true;
  }

  /** The run result JSON (DESIGN §4): from memory while live here, else replayed from the store. */
  async resultOf(runId: string): Promise<RunResult | undefined> {
    const live = this.live.get(runId);
    if (live) return live.run.result();
    const stored = await this.store.getRun(runId);
    if (!stored) return undefined;
    if (stored.status === 'Queued' || (stored.status === 'Cancelled' && stored.lastSeq === 0)) {
      // Never started (waiting for a concurrency slot, or cancelled while waiting): no actions yet.
      const init = stored.init as RunInit;
      return {
        status: stored.status === 'Queued' ? 'Waiting' : 'Cancelled',
        error: null,
        trigger: { name: stored.triggerName, outputs: init.trigger?.outputs ?? null },
        actions: {},
        response: null,
        outputs: {},
      };
    }
    const history = await this.store.loadRunHistory(runId);
    const { workflow } = await this.workflows.get(stored.flowId, stored.flowVersion);
    const { run } = replay(workflow, history.init as RunInit, history.events as RunEvent[]);
    return run.result();
  }

  // ---------------------------------------------------------------- loops

  /** Replays every unfinished run and re-issues its outstanding effects (crash recovery). */
  async recover(): Promise<number> {
    const runs = await this.store.listUnfinishedRuns();
    let resumed = 0;
    for (const r of runs) {
      if (r.status === 'Queued') continue; // admitted below, as slots allow
      try {
        const live = await this.load(r.id, true);
        if (live) resumed++;
      } catch (error) {
        this.log?.error({ err: error, runId: r.id }, 'could not resume run');
      }
    }
    if (resumed > 0) this.log?.info({ resumed }, 'resumed unfinished runs');
    if (runs.some((r) => r.status === 'Queued')) resumed += await this.admitQueued();
    return resumed;
  }

  /** Claims wake-ups (timers, callbacks, cancel) from the queue and feeds them to their runs. */
  startWorker(concurrency = 16): void {
    this.unsubscribeWork = this.store.onWork(() => this.wakeWorker?.());
    this.loops.push(this.workLoop(concurrency));
    if (this.shared && !this.renewHandle) {
      this.renewHandle = setInterval(() => this.renewLeases(), Math.max(100, Math.floor(this.leaseMs / 3)));
      this.renewHandle.unref();
    }
  }

  /** Keeps the leases of the runs held here; a run whose lease was lost is dropped (another has it). */
  private renewLeases(): void {
    for (const live of this.live.values()) {
      if (!live.owned || live.done || live.evicted) continue;
      this.store.extendLease(ownershipId(live.runId), this.workerId, this.leaseMs).then(
        (held) => {
          if (held || live.done || live.evicted) return;
          this.log?.warn({ runId: live.runId }, 'lost the lease on a run; another worker resumes it');
          this.evict(live);
        },
        (error: unknown) => this.log?.warn({ err: error, runId: live.runId }, 'renewing a run lease failed'),
      );
    }
  }

  private async acquire(runId: string): Promise<boolean> {
    return this.store.acquireLease(ownershipId(runId), this.workerId, this.leaseMs, ownershipItem(runId));
  }

  /** Turns due timers into work items (run by one scheduler at a time). */
  startTimers(): void {
    this.loops.push(this.timerLoop());
  }

  /**
   * Stops the loops, lets in-flight effects finish (up to `graceMs`) and waits for their results
   * to be committed; what is still running then is resumed by the next start.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    this.unsubscribeWork?.();
    this.wakeWorker?.();
    this.wakeTimers?.();
    if (this.timerHandle) clearTimeout(this.timerHandle);
    if (this.renewHandle) clearInterval(this.renewHandle);
    await Promise.all(this.loops);
    const deadline = this.now() + graceMs;
    while (this.now() < deadline && [...this.live.values()].some((l) => l.inflight.size > 0)) {
      await sleep(50);
    }
    for (const live of this.live.values()) for (const c of live.inflight.values()) c.abort();
    await Promise.allSettled([...this.live.values()].map((l) => l.chain));
    await Promise.allSettled([...this.activeWork]);
    for (const live of this.live.values())
      if (live.memory) for (const t of live.memory.timers.values()) clearTimeout(t);
    // Scale-out: hand the runs still held here to the other workers now, not when the leases expire.
    const held = [...this.live.values()].filter((l) => l.owned && !l.done && !l.evicted);
    await Promise.allSettled(held.map((l) => this.store.release(ownershipId(l.runId), this.workerId)));
  }

  private async workLoop(concurrency: number): Promise<void> {
    while (!this.stopping) {
      let items: WorkItem[] = [];
      const room = concurrency - this.activeWork.size;
      try {
        if (room > 0) items = await this.store.claim(this.workerId, room, this.leaseMs);
      } catch (error) {
        if (this.stopping) break;
        this.log?.error({ err: error }, 'claiming work failed');
      }
      for (const item of items) {
        const p = this.handleWork(item).finally(() => {
          this.activeWork.delete(p);
          this.wakeWorker?.();
        });
        this.activeWork.add(p);
      }
      if (items.length === 0 || room <= 0) await this.idle((wake) => (this.wakeWorker = wake), this.pollMs);
    }
  }

  private async handleWork(item: WorkItem): Promise<void> {
    try {
      const runId = item.runId;
      if (item.kind === OWNERSHIP_KIND) {
        await this.adopt(item);
        return;
      }
      let live = runId ? this.live.get(runId) : undefined;
      if (!live && runId && this.shared) {
        if (!(await this.acquire(runId))) {
          // Another process holds the run in memory: the wake-up comes back a little later.
          await this.store.release(item.id, this.workerId, Math.min(2000, 100 * item.attempts));
          return;
        }
        live = await this.load(runId, true);
        if (!live) await this.store.complete(ownershipId(runId));
      } else if (!live && runId) {
        live = await this.load(runId, false);
      }
      if (!live || live.done) {
        await this.store.complete(item.id);
        return;
      }
      const payload = isRecord(item.payload) ? item.payload : {};
      const now = this.now();
      let event: RunEvent | undefined;
      if (item.kind === 'timer' && typeof payload.key === 'string') event = { kind: 'timer', key: payload.key, now };
      else if (item.kind === 'cancel') event = { kind: 'cancel', now };
      else if (item.kind === 'callback' && typeof payload.key === 'string') {
        const callback = await this.store.getCallback(payload.key);
        event = { kind: 'callback', key: payload.key, payload: callback?.payload ?? null, now };
      }
      if (!event) {
        this.log?.warn({ item }, 'unknown work item');
        await this.store.complete(item.id);
        return;
      }
      await this.process(live, event, item.id);
      await this.settle(live);
    } catch (error) {
      this.log?.error({ err: error, workId: item.id }, 'work item failed; handing it back');
      await this.store.release(item.id, this.workerId, 1000).catch(() => {});
    }
  }

  /** Scale-out: this worker claimed a run's ownership item (new, or its holder died): resume it. */
  private async adopt(item: WorkItem): Promise<void> {
    const runId = item.runId;
    if (!runId || !this.shared) {
      await this.store.complete(item.id);
      return;
    }
    const existing = this.live.get(runId);
    if (existing) {
      existing.owned = true; // our own lease had lapsed and came back to us
      return;
    }
    const live = await this.load(runId, true);
    if (!live || live.done) {
      await this.store.complete(item.id);
      return;
    }
    await this.settle(live);
  }

  /**
   * Scale-out: a run held here that only waits (no effect in flight) is let go: the ownership item
   * first, then the copy in memory, on the run's chain so no step is under way meanwhile.
   */
  private settle(live: Live): Promise<void> {
    if (!live.owned) return Promise.resolve();
    const next = live.chain.then(async () => {
      if (live.done || live.evicted || live.inflight.size > 0) return;
      await this.store.complete(ownershipId(live.runId));
      this.evict(live);
    });
    live.chain = next.catch((error: unknown) => {
      this.log?.error({ err: error, runId: live.runId }, 'letting go of a run failed');
    });
    return live.chain;
  }

  private async timerLoop(): Promise<void> {
    let nextAdmitSweep = this.now() + ADMIT_SWEEP_MS;
    while (!this.stopping) {
      if (this.now() >= nextAdmitSweep) {
        nextAdmitSweep = this.now() + ADMIT_SWEEP_MS;
        await this.admitQueued().catch((error: unknown) => this.log?.error({ err: error }, 'admit sweep failed'));
      }
      try {
        for (;;) {
          const due = await this.store.dueTimers(this.now(), 100);
          for (const timer of due) {
            // Enqueue before marking: a crash in between fires twice, and the run ignores a timer
            // it no longer awaits; the other order could lose the wake-up.
            await this.store.enqueue([{ runId: timer.runId, kind: 'timer', payload: { key: timer.key } }]);
            await this.store.markFired(timer.runId, timer.key);
          }
          if (due.length < 100 || this.stopping) break;
        }
      } catch (error) {
        if (this.stopping) break;
        this.log?.error({ err: error }, 'timer loop failed');
      }
      await this.idle((wake) => (this.wakeTimers = wake), this.pollMs);
    }
  }

  /** Wakes the timer loop at `dueAt` (timers of runs in this process need no polling delay). */
  private scheduleTimerWake(dueAt: number): void {
    if (this.stopping || dueAt >= this.nextTimerWake) return;
    if (this.timerHandle) clearTimeout(this.timerHandle);
    this.nextTimerWake = dueAt;
    this.timerHandle = setTimeout(
      () => {
        this.nextTimerWake = Infinity;
        this.timerHandle = undefined;
        this.wakeTimers?.();
      },
      Math.max(0, dueAt - this.now()),
    );
    this.timerHandle.unref();
  }

  private idle(register: (wake: () => void) => void, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      register(done);
    });
  }

  // ---------------------------------------------------------------- the run loop

  private register(runId: string, flowId: string, durable: boolean, workflow: Workflow, init: RunInit, run: Run): Live {
    const live: Live = {
      runId,
      flowId,
      durable,
      workflow,
      init,
      run,
      chain: Promise.resolve(),
      done: false,
      status: 'Running',
      inflight: new Map(),
      records: new Map(),
      unwritten: new Map(),
      seq: 0,
      callbacks: new Map(),
      ...(durable ? {} : { memory: { events: [], records: [], timers: new Map() } }),
      executor: undefined as unknown as EffectExecutor,
    };
    live.executor = this.executorFor(live);
    this.live.set(runId, live);
    return live;
  }

  /** The run live in this process, or rebuilt from the store (undefined when finished or unknown). */
  private load(runId: string, reissue: boolean): Promise<Live | undefined> {
    const existing = this.live.get(runId);
    if (existing) return Promise.resolve(existing);
    let loading = this.loading.get(runId);
    if (!loading) {
      loading = this.rebuild(runId, reissue).finally(() => this.loading.delete(runId));
      this.loading.set(runId, loading);
    }
    return loading;
  }

  private async rebuild(runId: string, reissue: boolean): Promise<Live | undefined> {
    const stored = await this.store.getRun(runId);
    if (!stored || !UNFINISHED_RUN_STATUSES.includes(stored.status)) return undefined;
    const history = await this.store.loadRunHistory(runId);
    const { workflow } = await this.workflows.get(stored.flowId, stored.flowVersion);
    const init = history.init as RunInit;
    const { run, step } = replay(workflow, init, history.events as RunEvent[]);
    const live = this.register(runId, stored.flowId, true, workflow, init, run);
    // Scale-out: rebuilt only by the holder of the run's lease (claimed or acquired).
    if (this.shared) live.owned = true;
    live.seq = history.lastSeq;
    for (const r of step.records) live.records.set(r.name, r);
    // What the crashed process may not have written yet: written with the next idle or final step.
    for (const r of step.records) live.unwritten.set(r.path, r);
    for (const c of run.pending()) if (c.kind === 'awaitCallback') live.callbacks.set(c.path, callbackRef(c));
    if (step.done) {
      // The last event was committed but not the final status (cannot happen with one transaction
      // per step; kept so a store written by an older host still settles).
      await this.store.commitStep(runId, {
        records: step.records,
        runUpdate: this.finalUpdate(live),
      });
      if (this.shared) await this.store.complete(ownershipId(runId));
      this.finish(live);
      return undefined;
    }
    if (reissue) {
      // Effects issued before the crash and never answered: again, with the same idempotency key.
      for (const c of run.pending()) if (c.kind === 'effect') this.perform(live, c);
      for (const c of run.pending()) if (c.kind === 'timer') this.scheduleTimerWake(c.dueAt);
    }
    return live;
  }

  /** Feeds one event to a run, one at a time per run: persist the step, then act on it. */
  private process(live: Live, event: RunEvent, workId?: string): Promise<void> {
    const next = live.chain.then(async () => {
      if (live.evicted) {
        // This copy was dropped (its lease lost, or it let go): whoever holds the run takes the event.
        if (workId) await this.store.release(workId, this.workerId);
        return;
      }
      if (live.done || !this.awaits(live, event)) {
        if (workId) await this.store.complete(workId);
        return;
      }
      const step = live.run.deliver(event);
      if (live.durable) {
        const write = this.toWrite(live, step, [event]);
        if (workId) write.completeWork = [...(write.completeWork ?? []), workId];
        // Scale-out: if another worker took the run over meanwhile (this one lost its lease without
        // noticing), the store refuses the step (Conflict) and this copy is dropped below.
        if (this.shared) write.expectSeq = live.seq;
        const { seqs } = await this.store.commitStep(live.runId, write);
        live.seq = seqs.at(-1) ?? live.seq;
      } else {
        this.remember(live, step, [event]);
      }
      await this.act(live, step);
    });
    live.chain = next.catch((error: unknown) => {
      this.log?.error({ err: error, runId: live.runId }, 'run step failed');
      // Memory and store may now disagree: drop the live copy; the next wake-up or start replays.
      if (live.durable) this.evict(live);
    });
    return live.chain;
  }

  /** Whether the run still waits for this event (a duplicate wake-up is dropped here). */
  private awaits(live: Live, event: RunEvent): boolean {
    if (event.kind === 'cancel') return true;
    const key = event.kind === 'effectResult' ? event.id : event.key;
    return live.run.pending().some((c) => (c.kind === 'effect' ? c.id : 'key' in c ? c.key : undefined) === key);
  }

  private toWrite(live: Live, step: Step, events: RunEvent[]): StepWrite {
    for (const r of step.records) live.unwritten.set(r.path, r);
    const write: StepWrite = { events, runUpdate: { status: step.status } };
    if (step.done || this.idleAfter(live, step)) {
      write.records = [...live.unwritten.values()];
      live.unwritten.clear();
    }
    const timers: Array<{ key: string; dueAt: number }> = [];
    const callbacks: Array<{ key: string; path: string }> = [];
    const cancels: string[] = [];
    for (const c of step.commands) {
      if (c.kind === 'timer') timers.push({ key: c.key, dueAt: c.dueAt });
      else if (c.kind === 'awaitCallback') callbacks.push({ key: c.key, path: c.path });
      else if (c.kind === 'cancelWait') cancels.push(c.key);
      else if (c.kind === 'response') write.runUpdate!.response = responseOf(c);
    }
    if (timers.length) write.timers = timers;
    if (callbacks.length) write.callbacks = callbacks;
    if (cancels.length) write.cancelWaits = cancels;
    if (step.done) write.runUpdate = { ...write.runUpdate, ...this.finalUpdate(live) };
    // Scale-out: the run is let go (finished, or only waiting) in the same commit; act() drops it.
    if (live.owned && (step.done || this.idleAfter(live, step))) write.completeWork = [ownershipId(live.runId)];
    return write;
  }

  /** Whether the run will have no effect in flight after this step (only timers/callbacks left). */
  private idleAfter(live: Live, step: Step): boolean {
    return live.inflight.size === 0 && !step.commands.some((c) => c.kind === 'effect');
  }

  private finalUpdate(live: Live): NonNullable<StepWrite['runUpdate']> {
    const result = live.run.result();
    return {
      status: result.status as RunStatus,
      endTime: this.now(),
      error: result.error ?? null,
      outputs: result.outputs ?? null,
      ...(result.response ? { response: result.response } : {}),
    };
  }

  private remember(live: Live, step: Step, events: RunEvent[]): void {
    live.memory!.events.push(...events);
    live.memory!.records.push(...step.records);
  }

  private async act(live: Live, step: Step): Promise<void> {
    live.status = step.status as RunStatus;
    for (const r of step.records) live.records.set(r.name, r);
    for (const command of step.commands) {
      switch (command.kind) {
        case 'effect':
          this.perform(live, command);
          break;
        case 'timer':
          if (live.memory) {
            const t = setTimeout(
              () => {
                live.memory?.timers.delete(command.key);
                void this.process(live, { kind: 'timer', key: command.key, now: this.now() });
              },
              Math.max(0, command.dueAt - this.now()),
            );
            live.memory.timers.set(command.key, t);
          } else this.scheduleTimerWake(command.dueAt);
          break;
        case 'awaitCallback':
          live.callbacks.set(command.path, callbackRef(command));
          break;
        case 'response':
          this.respond(live, responseOf(command));
          break;
        case 'cancelWait': {
          const t = live.memory?.timers.get(command.key);
          if (t) clearTimeout(t);
          break;
        }
      }
    }
    if (step.done) {
      if (live.memory) await this.writeStateless(live);
      this.finish(live);
    } else if (!live.memory && this.shared && live.inflight.size === 0) {
      // Only waiting on timers/callbacks (rows in the store): another process may take the next
      // wake-up, so this one must not keep a copy that could go stale (toWrite let go of the lease).
      this.evict(live);
    }
  }

  private finish(live: Live): void {
    live.done = true;
    for (const c of live.inflight.values()) c.abort();
    if (live.memory) for (const t of live.memory.timers.values()) clearTimeout(t);
    this.live.delete(live.runId);
    const result = live.run.result();
    this.options.observer?.runEnded?.(live.flowId, result.status, live.runId);
    const outcome = result.response ?? { noResponse: true as const, status: result.status };
    this.resolveWaiters(live.runId, outcome);
    // A caller often asks right after a short run ended here: answer it without reading the store.
    this.ended.set(live.runId, outcome);
    if (this.ended.size > 1000) this.ended.delete(this.ended.keys().next().value!);
    this.admitNext(live);
  }

  private evict(live: Live): void {
    live.evicted = true;
    live.owned = false;
    if (this.live.get(live.runId) === live) this.live.delete(live.runId);
    for (const c of live.inflight.values()) c.abort();
    // Scale-out: the Response may now be sent by another process; a caller here learns it from the store.
    if (this.shared && this.waiters.has(live.runId)) void this.pollResponse(live.runId);
  }

  private respond(live: Live, response: RunResponse): void {
    live.response ??= response;
    this.resolveWaiters(live.runId, response);
  }

  private async writeStateless(live: Live): Promise<void> {
    const memory = live.memory!;
    const version = Number(live.init.workflow.version ?? 0);
    await this.store.createRun(
      {
        id: live.runId,
        flowId: live.flowId,
        flowVersion: version,
        triggerName: live.init.trigger.name,
        status: 'Running',
        startTime: live.init.now,
        clientTrackingId: live.init.trigger.clientTrackingId ?? null,
        init: live.init,
      },
      {
        events: memory.events,
        records: memory.records,
        runUpdate: this.finalUpdate(live),
      },
    );
  }

  private perform(live: Live, command: EffectCommand): void {
    if (live.inflight.has(command.id)) return;
    const controller = new AbortController();
    live.inflight.set(command.id, controller);
    const started = this.now();
    const context: EffectContext = {
      runId: live.runId,
      workflow: live.init.workflow,
      now: this.now,
      signal: controller.signal,
    };
    live
      .executor(command, context)
      .catch((error: unknown): EffectResult => ({
        status: 'Failed',
        error: { code: 'EffectFailed', message: error instanceof Error ? error.message : String(error) },
      }))
      .then(async (result) => {
        live.inflight.delete(command.id);
        this.options.observer?.actionDone?.(command.actionType, result.status, this.now() - started);
        // An aborted attempt (stopping, cancelled) has no result: recovery re-issues it.
        if (controller.signal.aborted || live.done) return;
        await this.process(live, {
          kind: 'effectResult',
          id: command.id,
          path: command.path,
          attempt: command.attempt,
          result,
          now: this.now(),
        });
      });
  }

  private executorFor(live: Live): EffectExecutor {
    const workflowContext = (): WorkflowContextData => ({
      workflow: { name: live.init.workflow.name, id: live.init.workflow.id, run: { id: live.runId } },
      trigger: {
        name: live.init.trigger.name,
        inputs: live.init.trigger.inputs,
        outputs: live.init.trigger.outputs,
        startTime: live.init.trigger.startTime,
        status: 'Succeeded',
      },
      actions: Object.fromEntries(live.records),
    });
    return (
      this.options.executor ??
      createEffectExecutor({
        ...this.options.effects,
        javascript: { ...this.options.effects?.javascript, workflowContext },
        workflowResolver: this.options.effects?.workflowResolver ?? this.childResolver,
        connectorHandlers: [
          ...(this.options.effects?.connectorHandlers ?? []),
          ...(this.options.connectorHandlers ?? []),
        ],
      })
    );
  }

  /**
   * Child workflows (the Workflow action) run on this host. The child's run id derives from the
   * parent's idempotency key, so a re-issued call after a crash finds the same child run.
   */
  private readonly childResolver: WorkflowResolver = async (request): Promise<ChildWorkflowOutcome> => {
    const id = request.workflowId.split('/').filter(Boolean).at(-1) ?? request.workflowId;
    const flow =
      (await this.store.getFlow(id)) ??
      (await this.store.listFlows()).find((f) => f.name.toLowerCase() === id.toLowerCase());
    if (!flow) return { error: { code: 'WorkflowNotFound', message: `No flow '${request.workflowId}' exists.` } };
    if (flow.state !== 'Enabled')
      return { error: { code: 'ChildWorkflowFailed', message: `The flow '${flow.name}' is disabled.` } };
    const runId = childRunId(request.idempotencyKey);
    const compiled = await this.workflows.get(flow.id, flow.currentVersion);
    const triggerName = compiled.workflow.triggers[0]?.name ?? request.triggerName;
    const existing = await this.store.getRun(runId);
    if (!existing) {
      await this.startRun({
        flow,
        version: flow.currentVersion,
        triggerName,
        outputs: { headers: request.headers, body: request.body },
        runId,
      });
    }
    if (!compiled.workflow.hasResponse) return { response: { statusCode: 202, headers: {} } };
    const outcome = await this.waitForResponse(runId);
    if ('noResponse' in outcome)
      return {
        error: { code: 'ChildWorkflowFailed', message: `The child run ended ${outcome.status} without a response.` },
      };
    return { response: { statusCode: outcome.statusCode, headers: outcome.headers, body: outcome.body } };
  };

  private callbackBase(runId: string): string {
    return `${this.options.baseUrl()}/api/v1/callbacks/${runId}/${signRunCallback(this.options.callbackSecret, runId)}`;
  }
}

/** The trigger's concurrency control, if it has one. */
function concurrencyOf(workflow: Workflow, triggerName: string): TriggerConcurrency | undefined {
  const lower = triggerName.toLowerCase();
  return workflow.triggers.find((t) => t.name.toLowerCase() === lower)?.concurrency;
}

function tooManyRuns(flowName: string, limit: TriggerConcurrency): HostError {
  return new HostError(
    'TooManyRuns',
    `The flow '${flowName}' already has ${limit.runs} running and ${limit.maximumWaitingRuns} waiting runs ` +
      '(its trigger concurrency limit); try again later.',
  );
}

function callbackRef(c: Extract<Command, { kind: 'awaitCallback' }>): { key: string; url?: string } {
  return c.callbackUrl ? { key: c.key, url: c.callbackUrl } : { key: c.key };
}

function responseOf(c: Extract<Command, { kind: 'response' }>): RunResponse {
  return { statusCode: c.statusCode, headers: c.headers, body: c.body };
}

const OWNERSHIP_KIND = 'run';

/**
 * How often the timer loop admits queued runs nobody admitted (their flow's last run ended in a
 * process that died). Normally a run's end admits the next at once.
 */
const ADMIT_SWEEP_MS = 10_000;

function ownershipId(runId: string): string {
  return `run:${runId}`;
}

function ownershipItem(runId: string): { id: string; runId: string; kind: string } {
  return { id: ownershipId(runId), runId, kind: OWNERSHIP_KIND };
}

function childRunId(idempotencyKey: string): string {
  const h = createHash('sha256').update(`child\n${idempotencyKey}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
