/**
 * RunHost: executes runs durably on the store (DESIGN §2). This is the façade the HTTP layer,
 * approvals, the CLI and the runner use; the work is done by its parts:
 *
 * - live-runs.ts: the runs live in this process and the run loop. Each engine step is persisted
 *   before its commands are acted on, so a process killed at any instant resumes from the store:
 *   recover() replays unfinished runs and re-issues the effects that had no recorded result, with
 *   the same idempotency key. Stateless flows run in memory and write the run once, at the end.
 * - admission.ts: trigger concurrency (runs queued behind their trigger's limit).
 * - effect-wiring.ts and child-workflows.ts: performing effects; child runs on this host.
 * - response-waiters.ts: callers waiting for a run's Response.
 * - work-loop.ts and timer-loop.ts: wake-ups from outside the run (timers, callbacks, cancel) are
 *   work items in the store's queue; a worker claims them with a lease and feeds them to the run.
 * - run-leases.ts: scale-out (PostgreSQL, many processes): a process holds a durable run in
 *   memory only while it holds the lease on the run's ownership item; when it dies, another
 *   worker claims the item, replays the run and re-sends the unanswered effects.
 *
 * A durable run that only waits (timers, callbacks: rows in the store) is parked: it is not held
 * in memory and a start does not replay it; its wake-up rebuilds it from its events. So idle runs
 * cost no memory, and a start re-arms their timers by reading the store's due-time index.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { replay, type RunEvent, type RunInit, type RunResult } from '@flowbridge/engine';
import type { RunDetail, RunHistory, Store } from '../store/index.js';
import { UNFINISHED_RUN_STATUSES, sortableId } from '../store/index.js';
import { Admission } from './admission.js';
import { childWorkflowResolver } from './child-workflows.js';
import { EffectWiring } from './effect-wiring.js';
import { HostError } from './errors.js';
import { isoString } from './iso-time.js';
import { LiveRuns } from './live-runs.js';
import { runAppSettings, runAppSettingsNow } from '../store/app-settings.js';
import { ResponseWaiters } from './response-waiters.js';
import { historyNotKept, resultWithoutHistory } from './stateless-history.js';
import { RunLeases } from './run-leases.js';
import { withCallbackBase, type HostRunInit } from './live-run.js';
import { signRunCallback } from './signing.js';
import { TimerLoop } from './timer-loop.js';
import type { HostContext, NoResponse, RunHostOptions, RunResponse, StartRunRequest } from './types.js';
import { WorkLoop } from './work-loop.js';
import { WorkflowCache } from './workflows.js';

export type { HostLogger, HostObserver, NoResponse, RunHostOptions, RunResponse, StartRunRequest } from './types.js';

export class RunHost {
  readonly store: Store;
  readonly workflows: WorkflowCache;
  private readonly ctx: HostContext;
  private stopping = false;
  private readonly leases: RunLeases;
  private readonly waiters: ResponseWaiters;
  private readonly timers: TimerLoop;
  private readonly runs: LiveRuns;
  private readonly admission: Admission;
  private readonly work: WorkLoop;

  constructor(private readonly options: RunHostOptions) {
    const { store } = options;
    this.store = store;
    this.workflows = new WorkflowCache(store);
    const ctx: HostContext = {
      store,
      now: options.now ?? Date.now,
      log: options.log,
      observer: options.observer,
      shared: store.shared,
      executeRuns: options.executeRuns ?? true,
      stopping: () => this.stopping,
      callbackBase: (runId, origin) => this.callbackBase(runId, origin),
    };
    this.ctx = ctx;
    const pollMs = options.pollMs ?? 1000;
    // Host and pid in the id: an operator (or a test) can tell which process holds a lease.
    const workerId = options.workerId ?? `worker-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.leases = new RunLeases(ctx, workerId, options.leaseMs ?? 30_000);
    // The parts call each other through these arrows, bound once every part exists.
    this.waiters = new ResponseWaiters(ctx, {
      live: (runId) => this.runs.get(runId),
      waitingForSlot: (runId) => this.admission.isWaiting(runId),
    });
    this.timers = new TimerLoop(ctx, pollMs);
    const effects = new EffectWiring(ctx, {
      ...(options.effects ? { effects: options.effects } : {}),
      ...(options.executor ? { executor: options.executor } : {}),
      ...(options.connectorHandlers ? { connectorHandlers: options.connectorHandlers } : {}),
      childResolver: childWorkflowResolver(this),
      deliver: (live, event) => this.runs.process(live, event),
    });
    this.runs = new LiveRuns(ctx, {
      workflows: this.workflows,
      leases: this.leases,
      waiters: this.waiters,
      effects,
      wakeTimersAt: (dueAt) => this.timers.wakeAt(dueAt),
      ended: (live) => this.admission.admitNext(live),
    });
    this.admission = new Admission(ctx, {
      workflows: this.workflows,
      runs: this.runs,
      leases: this.leases,
      waiters: this.waiters,
    });
    this.work = new WorkLoop(ctx, this.runs, this.leases, pollMs);
  }

  /** This process's id as the owner of leases (also its row in the cluster table). */
  get workerId(): string {
    return this.leases.workerId;
  }

  /** Runs live in this process (for drain and tests). */
  get liveCount(): number {
    return this.runs.size;
  }

  /**
   * Timers not fired yet, which this process's timer loop fires when due (for metrics); 0 where
   * the timer loop does not run (yet).
   */
  async pendingTimers(): Promise<number> {
    return this.timers.running ? (await this.store.pendingTimers()).count : 0;
  }

  /** Work items claimed and not yet finished (for metrics). */
  get workInProgress(): number {
    return this.work.inProgress;
  }

  // ---------------------------------------------------------------- starting runs

  async startRun(request: StartRunRequest): Promise<{ runId: string }> {
    if (this.stopping) throw new HostError('Stopping', 'The server is shutting down.');
    const { flow } = request;
    const compiled =
      this.workflows.peek(flow.id, request.version) ?? (await this.workflows.get(flow.id, request.version));
    // Time-ordered (UUIDv7 layout): a run's rows land next to the other new runs' in every index.
    const runId = request.runId ?? sortableId(this.ctx.now());
    const defaults = this.options.appSettings ?? {};
    const appSettings =
      runAppSettingsNow(this.ctx.store, flow.environmentId, defaults) ??
      (await runAppSettings(this.ctx.store, flow.environmentId, defaults));
    const now = this.ctx.now();
    const origin = this.options.baseUrl();
    // Built key by key, without spreads (every run starts here); the keys keep their order.
    const trigger: HostRunInit['trigger'] = {
      name: request.triggerName,
      outputs: request.outputs,
      startTime: isoString(now),
    };
    if (request.clientTrackingId) trigger.clientTrackingId = request.clientTrackingId;
    if (request.scheduledTime !== undefined) trigger.scheduledTime = new Date(request.scheduledTime).toISOString();
    const init: HostRunInit = {
      runId,
      workflow: { id: flow.id, name: flow.name, version: String(request.version) },
      trigger,
    } as HostRunInit;
    if (compiled.parameters) init.parameters = compiled.parameters;
    if (Object.keys(appSettings).length > 0) init.appSettings = appSettings;
    // Signed when a URL is first needed (most runs need none); only the origin is stored.
    init.callbackOrigin = origin;
    init.now = now; // last of what is stored: the store keeps it in a column (compact-init.ts restores it last)
    init.callbackBaseUrl = () => this.callbackBase(runId, origin);
    const started = this.admission.start(request, compiled.workflow, init);
    if (started) await started;
    return { runId };
  }

  /**
   * Queued runs nobody admitted (their flow's last run ended in a process that died, or before a
   * restart): admits what fits. Called at start and now and then by the cluster leader.
   */
  admitQueued(): Promise<number> {
    return this.admission.admitQueued();
  }

  /** Resolves with the run's Response (or NoResponse when it ended without one). */
  waitForResponse(runId: string): Promise<RunResponse | NoResponse> {
    return this.waiters.wait(runId);
  }

  /** Drops a waiter that gave up (504): the run goes on. */
  forgetWaiters(runId: string): void {
    this.waiters.forget(runId);
  }

  // ---------------------------------------------------------------- outside events

  /** Delivers a webhook/approval callback to the run waiting on `key`, exactly once. */
  async deliverCallback(key: string, payload: unknown): Promise<boolean> {
    const live = this.runs.awaitingCallback(key);
    if (live) {
      await this.runs.process(live, { kind: 'callback', key, payload, now: this.ctx.now() });
      return true;
    }
    const callback = await this.store.getCallback(key);
    if (!callback || callback.resolvedAt !== null) return false;
    return this.store.resolveCallback(key, payload ?? null, {
      enqueue: [{ runId: callback.runId, kind: 'callback', payload: { key } }],
    });
  }

  /** Asks a run to stop; false when it does not exist or has finished. */
  async cancel(runId: string): Promise<boolean> {
    const live = this.runs.get(runId);
    if (live && !live.durable) {
      if (live.done) return false;
      await this.runs.process(live, { kind: 'cancel', now: this.ctx.now() });
      return true;
    }
    if (this.admission.cancelWaiting(runId)) {
      this.waiters.resolve(runId, { noResponse: true, status: 'Cancelled' });
      return true;
    }
    const run = await this.store.getRun(runId);
    if (!run || !UNFINISHED_RUN_STATUSES.includes(run.status)) return false;
    if (run.status === 'Queued' && (await this.store.cancelQueuedRun(runId, this.ctx.now()))) {
      this.ctx.observer?.runEnded?.(run.flowId, 'Cancelled', runId);
      this.waiters.resolve(runId, { noResponse: true, status: 'Cancelled' });
      return true;
    }
    await this.store.enqueue([{ runId, kind: 'cancel' }]);
    return true;
  }

  /** The run result JSON (DESIGN §4): from memory while live here, else replayed from the store. */
  async resultOf(runId: string): Promise<RunResult | undefined> {
    const live = this.runs.get(runId);
    // Ended, its last write committing (live-run.ts, endedRun): the store has it once written.
    if (live?.ending) await live.ending.catch(() => undefined);
    else if (live) return live.run.result();
    const stored = await this.store.getRun(runId);
    if (!stored) return undefined;
    return this.replayed(stored, () => this.store.loadRunHistory(runId));
  }

  /**
   * The stored run and its result from one snapshot of the store, so the two agree (a run read
   * while its last step commits is either still running in both or ended, endTime included, in both).
   */
  async readRun(runId: string): Promise<{ run: RunDetail; result: RunResult } | undefined> {
    const read = await this.store.readRun(runId);
    if (!read) return undefined;
    return { run: read.run, result: await this.replayed(read.run, () => Promise.resolve(read.history)) };
  }

  private async replayed(stored: RunDetail, history: () => Promise<RunHistory>): Promise<RunResult> {
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
    if (historyNotKept(stored)) return resultWithoutHistory(stored);
    const { init, events } = await history();
    const { workflow } = await this.workflows.get(stored.flowId, stored.flowVersion);
    const { run } = replay(workflow, withCallbackBase(init as RunInit, this.ctx), events as RunEvent[]);
    return run.result();
  }

  // ---------------------------------------------------------------- loops

  /**
   * Replays the unfinished runs that are not parked and re-issues their outstanding effects (crash
   * recovery). Parked runs stay in the store: their timers fire from its due-time index (the timer
   * loop), their callbacks and cancels come as work items, and each wake-up rebuilds its run.
   */
  async recover(): Promise<number> {
    const runs = await this.store.listUnfinishedRuns({ exceptParked: true });
    let resumed = 0;
    for (const r of runs) {
      if (r.status === 'Queued') continue; // admitted below, as slots allow
      try {
        const live = await this.runs.load(r.id, true);
        if (live) resumed++;
        // Nothing left to do but wait (a row from before the parked flag, say): parked now.
        if (live) await this.runs.parkIfIdle(live);
      } catch (error) {
        this.ctx.log?.error({ err: error, runId: r.id }, 'could not resume run');
      }
    }
    if (resumed > 0) this.ctx.log?.info({ resumed }, 'resumed unfinished runs');
    if (runs.some((r) => r.status === 'Queued')) resumed += await this.admission.admitQueued();
    return resumed;
  }

  /** Claims wake-ups (timers, callbacks, cancel) from the queue and feeds them to their runs. */
  startWorker(concurrency = 16): void {
    this.work.start(concurrency);
    if (this.ctx.shared)
      this.leases.startRenewing(
        () => this.runs.values(),
        (live) => this.runs.evict(live),
      );
  }

  /** Turns due timers into work items (every worker runs it; each due timer goes to one). */
  startTimers(): void {
    this.timers.start();
  }

  /**
   * Stops the loops, lets in-flight effects finish (up to `graceMs`) and waits for their results
   * to be committed; what is still running then is resumed by the next start.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    this.work.halt();
    this.timers.halt();
    this.leases.stopRenewing();
    await Promise.all([this.work.ended(), this.timers.ended()]);
    await this.runs.drain(graceMs);
    await this.work.settled();
    this.runs.clearStatelessTimers();
    // Scale-out: hand the runs still held here to the other workers now, not when the leases expire.
    await Promise.allSettled(this.runs.held().map((l) => this.leases.release(l.runId)));
  }

  /** `origin`: the public URL the run was started under (HostRunInit.callbackOrigin), else this process's. */
  private callbackBase(runId: string, origin = this.options.baseUrl()): string {
    return `${origin}/api/v1/callbacks/${runId}/${signRunCallback(this.options.callbackSecret, runId)}`;
  }
}
