/**
 * The runs live in this process, and the run loop: each engine step is persisted with
 * store.commitStep (events, records, run status, timers, callbacks) BEFORE its commands are acted
 * on, so a process killed at any instant resumes from the store. A run live here keeps its engine
 * state in memory while it has effects in flight, so those steps never re-read the history. A run
 * that only waits (timers, callbacks) is parked: it leaves memory, and its next wake-up (a work
 * item) rebuilds it from its events. Stateless runs live only in memory and are written once, at
 * the end (stateless-writes.ts).
 */
import { Run, type RunEvent, type RunInit, type RunOutcome, type Step, type Workflow } from '@flowbridge/engine';
import type { RunStatus } from '../store/index.js';
import type { EffectWiring } from './effect-wiring.js';
import { sleep } from './idle.js';
import { awaits, callbackRef, letGo, newLive, responseOf, type Live } from './live-run.js';
import { rebuildRun, startAdmitted, type FromStore } from './from-store.js';
import type { ResponseWaiters } from './response-waiters.js';
import { ownershipItem, type RunLeases } from './run-leases.js';
import { StatelessWrites } from './stateless-writes.js';
import { idleAfter, toWrite } from './step-write.js';
import type { HostContext, RunResponse, StartRunRequest } from './types.js';
import type { WorkflowCache } from './workflows.js';

export interface LiveRunsDeps {
  workflows: WorkflowCache;
  leases: RunLeases;
  waiters: ResponseWaiters;
  effects: EffectWiring;
  /** Wakes the timer loop when a durable run's timer is due. */
  wakeTimersAt(dueAt: number): void;
  /** A run ended here (the next queued runs of its flow may start). */
  ended(live: Live): void;
}

export class LiveRuns {
  private readonly live = new Map<string, Live>();
  private readonly loading = new Map<string, Promise<Live | undefined>>();
  /** The single write of each stateless run, when it ends. */
  private readonly stateless: StatelessWrites;

  /** What starting a run from its stored row uses of the registry (from-store.ts). */
  private readonly fromStore: FromStore;

  constructor(
    private readonly ctx: HostContext,
    private readonly deps: LiveRunsDeps,
  ) {
    this.stateless = new StatelessWrites(ctx);
    this.fromStore = {
      ctx,
      deps,
      has: (runId) => this.live.has(runId),
      register: (runId, flowId, workflow, init, run) => this.register(runId, flowId, true, workflow, init, run),
      drop: (runId) => this.live.delete(runId),
      act: (live, step) => this.act(live, step),
      finish: (live) => this.finish(live),
    };
  }

  get size(): number {
    return this.live.size;
  }

  get(runId: string): Live | undefined {
    return this.live.get(runId);
  }

  values(): IterableIterator<Live> {
    return this.live.values();
  }

  /** The stateless run live here that waits for the callback `key`. */
  awaitingCallback(key: string): Live | undefined {
    for (const live of this.live.values()) {
      if (live.durable || live.done) continue;
      if (live.run.pending().some((c) => c.kind === 'awaitCallback' && c.key === key)) return live;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- starting

  /** Starts a run now: its first step is committed (durable) or kept (stateless), then acted on. */
  async launch(request: StartRunRequest, workflow: Workflow, init: RunInit, durable: boolean): Promise<void> {
    await this.launchNow(request, workflow, init, durable);
  }

  /**
   * launch(), without a promise when nothing was waited for: a stateless run that answers starts,
   * runs and answers within this call, and every await of an already settled promise costs its
   * caller a microtask turn and its allocations. Throws (or rejects) as launch() rejects.
   */
  launchNow(request: StartRunRequest, workflow: Workflow, init: RunInit, durable: boolean): Promise<void> | undefined {
    if (durable) return this.launchDurable(request, workflow, init);
    // A stateless run answers before its write: a start waits while too many writes wait.
    if (this.stateless.full)
      return this.stateless.room().then(() => this.launchStateless(request.flow, workflow, init));
    return this.launchStateless(request.flow, workflow, init);
  }

  private launchStateless(flow: StartRunRequest['flow'], workflow: Workflow, init: RunInit): Promise<void> | undefined {
    const { runId } = init;
    const { run, step } = Run.start(workflow, init);
    const live = this.register(runId, flow.id, false, workflow, init, run);
    this.ctx.observer?.runStarted?.(flow.id);
    try {
      live.memory!.environmentId = flow.environmentId;
      this.remember(live, step, []);
    } catch (error) {
      this.live.delete(runId);
      throw error;
    }
    return this.act(live, step);
  }

  /**
   * A durable run's start: its row is created with its first step, and the step is acted on once
   * committed. A step that ended the run and only answers (a request/response flow) is not held
   * while that write commits: only the run's handle and its Response wait (commitEnded).
   */
  private launchDurable(request: StartRunRequest, workflow: Workflow, init: RunInit): Promise<void> {
    try {
      const { run, step } = Run.start(workflow, init);
      const live = this.register(init.runId, request.flow.id, true, workflow, init, run);
      this.ctx.observer?.runStarted?.(request.flow.id);
      // Scale-out: a run with effects to perform gets its ownership item; a worker takes it at once
      // when this process does not execute runs, else this process leases it right away.
      const handOff = this.ctx.shared && !step.done && !idleAfter(live, step);
      const creating = this.createRow(request, live, step, handOff);
      if (!step.done) return this.commitFirst(live, step, creating, handOff);
      letGo(live, creating); // only its outcome is needed now
      live.status = step.status as RunStatus;
      const { commands } = step;
      const answer = commands[0];
      if (!answer || (answer.kind === 'response' && commands.length === 1))
        return this.commitEnded(live, creating, answer && responseOf(answer));
      return this.commitFirst(live, step, creating, false);
    } catch (error) {
      this.live.delete(init.runId);
      return Promise.reject(error as Error);
    }
  }

  /** The new run's row with its first step, submitted (the promise of its commit). */
  private createRow(request: StartRunRequest, live: Live, step: Step, handOff: boolean): Promise<unknown> {
    const { runId, now } = live.init;
    const write = toWrite(live, step, [], this.ctx.now);
    if (handOff) {
      const availableAt = this.ctx.executeRuns ? now + this.deps.leases.leaseMs : now;
      write.enqueue = [{ ...ownershipItem(runId), availableAt }];
    }
    const { flow } = request;
    return this.ctx.store.createRun(
      {
        id: runId,
        flowId: flow.id,
        environmentId: flow.environmentId,
        flowVersion: request.version,
        triggerName: request.triggerName,
        status: step.status,
        startTime: now,
        clientTrackingId: request.clientTrackingId ?? null,
        init: live.init,
      },
      write,
    );
  }

  /** A run that ended in its first step, which only answered: commits, then answers and ends. */
  private async commitEnded(live: Live, creating: Promise<unknown>, response: RunResponse | undefined): Promise<void> {
    try {
      await creating;
    } catch (error) {
      this.live.delete(live.runId);
      throw error;
    }
    if (response) this.respond(live, response);
    this.finish(live);
  }

  private async commitFirst(live: Live, step: Step, creating: Promise<unknown>, handOff: boolean): Promise<void> {
    try {
      await creating;
      if (handOff && this.ctx.executeRuns) live.owned = await this.deps.leases.acquire(live.runId);
    } catch (error) {
      this.live.delete(live.runId);
      throw error;
    }
    if (handOff && !live.owned) {
      // A worker performs the effects (the step and its Response, if any, are in the store).
      this.evict(live);
      return;
    }
    await this.act(live, step);
  }

  /** Runs the first step of a run admitted from its flow's queue, with its clock starting now. */
  startAdmitted(runId: string): Promise<void> {
    return startAdmitted(this.fromStore, runId);
  }

  private register(runId: string, flowId: string, durable: boolean, workflow: Workflow, init: RunInit, run: Run): Live {
    const live = newLive({ runId, flowId, durable, workflow, init, run }, (records) =>
      this.deps.effects.executorFor(runId, init, records),
    );
    this.live.set(runId, live);
    return live;
  }

  // ---------------------------------------------------------------- rebuilding from the store

  /** The run live in this process, or rebuilt from the store (undefined when finished or unknown). */
  load(runId: string, reissue: boolean): Promise<Live | undefined> {
    const existing = this.live.get(runId);
    if (existing) return Promise.resolve(existing);
    let loading = this.loading.get(runId);
    if (!loading) {
      loading = rebuildRun(this.fromStore, runId, reissue).finally(() => this.loading.delete(runId));
      this.loading.set(runId, loading);
    }
    return loading;
  }

  // ---------------------------------------------------------------- the run loop

  /** Feeds one event to a run, one at a time per run: persist the step, then act on it. */
  process(live: Live, event: RunEvent, workId?: string): Promise<void> {
    const { store, shared } = this.ctx;
    const next = live.chain.then(async () => {
      if (live.evicted) {
        // This copy was dropped (its lease lost, or it let go): whoever holds the run takes the event.
        if (workId) await store.release(workId, this.deps.leases.workerId);
        return;
      }
      if (live.done || !awaits(live, event)) {
        if (workId) await store.complete(workId);
        return;
      }
      const step = live.run.deliver(event);
      if (live.durable) {
        const write = toWrite(live, step, [event], this.ctx.now);
        if (workId) write.completeWork = [...(write.completeWork ?? []), workId];
        // Scale-out: if another worker took the run over meanwhile (this one lost its lease without
        // noticing), the store refuses the step (Conflict) and this copy is dropped below.
        if (shared) write.expectSeq = live.seq;
        const { seqs } = await store.commitStep(live.runId, write);
        live.seq = seqs.at(-1) ?? live.seq;
      } else {
        this.remember(live, step, [event]);
      }
      await this.act(live, step);
    });
    live.chain = next.catch((error: unknown) => {
      this.ctx.log?.error({ err: error, runId: live.runId }, 'run step failed');
      // Memory and store may now disagree: drop the live copy; the next wake-up or start replays.
      if (live.durable) this.evict(live);
    });
    return live.chain;
  }

  private remember(live: Live, step: Step, events: RunEvent[]): void {
    live.memory!.events.push(...events);
    live.memory!.records.push(...step.records);
  }

  /** Acts on a step's commands; a promise only when a stateless run that has not answered is written. */
  private act(live: Live, step: Step): Promise<void> | undefined {
    live.status = step.status as RunStatus;
    if (!live.ending) for (const r of step.records) live.records.set(r.name, r); // not of a run that let go
    for (const command of step.commands) {
      switch (command.kind) {
        case 'effect':
          this.deps.effects.perform(live, command);
          break;
        case 'timer':
          if (live.memory) {
            const t = setTimeout(
              () => {
                live.memory?.timers.delete(command.key);
                void this.process(live, { kind: 'timer', key: command.key, now: this.ctx.now() });
              },
              Math.max(0, command.dueAt - this.ctx.now()),
            );
            live.memory.timers.set(command.key, t);
          } else this.deps.wakeTimersAt(command.dueAt);
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
    if (step.done && live.memory && live.response) {
      // A stateless run that has answered: its caller does not wait for the write (DESIGN §2,
      // latency over resumability). It stays live here, readable, until written.
      this.stateless.afterAnswer(live, (result) => this.finish(live, result));
    } else if (step.done) {
      if (live.memory) return this.stateless.write(live).then((result) => this.finish(live, result));
      this.finish(live, undefined);
    } else if (!live.memory && live.inflight.size === 0 && !this.ctx.stopping()) {
      // Parked: only waiting on timers/callbacks (rows in the store), so nothing of it stays in
      // memory; the wake-up rebuilds it from its events. Scale-out: another process may take that
      // wake-up, so no copy that could go stale may stay here either (toWrite let go of the lease).
      this.evict(live);
    }
    return undefined;
  }

  private respond(live: Live, response: RunResponse): void {
    live.response ??= response;
    this.deps.waiters.resolve(live.runId, response);
  }

  /** `result`: how the run ended when the caller has it already (it is read anew otherwise). */
  private finish(live: Live, result: RunOutcome = live.ended ?? live.run.outcome()): void {
    live.done = true;
    for (const c of live.inflight.values()) c.abort();
    if (live.memory) for (const t of live.memory.timers.values()) clearTimeout(t);
    this.live.delete(live.runId);
    this.ctx.observer?.runEnded?.(live.flowId, result.status, live.runId);
    this.deps.waiters.end(live.runId, result.response ?? { noResponse: true as const, status: result.status });
    this.deps.ended(live);
  }

  /**
   * A run rebuilt at start that turns out to only wait (its row predates the parked flag, or it
   * was stopped with effects it no longer has): marked parked and dropped from memory.
   */
  async parkIfIdle(live: Live): Promise<void> {
    const next = live.chain.then(async () => {
      // Scale-out: a run held under a lease is let go by the work loop (settle), with its lease.
      if (live.done || live.evicted || live.owned || live.inflight.size > 0 || this.ctx.stopping()) return;
      if (live.parked !== true) {
        await this.ctx.store.commitStep(live.runId, {
          records: [...live.unwritten.values()],
          runUpdate: { parked: true },
        });
        live.unwritten.clear();
        live.parked = true;
      }
      this.evict(live);
    });
    live.chain = next.catch((error: unknown) => {
      this.ctx.log?.error({ err: error, runId: live.runId }, 'parking a run failed');
    });
    await live.chain;
  }

  /** Drops the copy in memory (its lease lost, or let go, or parked); the store has the run. */
  evict(live: Live): void {
    live.evicted = true;
    live.owned = false;
    if (this.live.get(live.runId) === live) this.live.delete(live.runId);
    for (const c of live.inflight.values()) c.abort();
    this.deps.waiters.handOver(live.runId);
  }

  // ---------------------------------------------------------------- stopping

  /**
   * Lets effects in flight finish (up to `graceMs`), aborts the rest and waits for the steps under
   * way to be committed.
   */
  async drain(graceMs: number): Promise<void> {
    const deadline = this.ctx.now() + graceMs;
    while (this.ctx.now() < deadline && [...this.live.values()].some((l) => l.inflight.size > 0)) {
      await sleep(50);
    }
    for (const live of this.live.values()) for (const c of live.inflight.values()) c.abort();
    await Promise.allSettled([...this.live.values()].map((l) => l.chain));
    await this.stateless.settled();
  }

  /** Stateless runs' timers would fire into a stopped host. */
  clearStatelessTimers(): void {
    for (const live of this.live.values())
      if (live.memory) for (const t of live.memory.timers.values()) clearTimeout(t);
  }

  /** Scale-out: the runs this process holds the lease of. */
  held(): Live[] {
    return [...this.live.values()].filter((l) => l.owned && !l.done && !l.evicted);
  }
}
