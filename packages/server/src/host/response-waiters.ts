/**
 * Callers waiting for a run's Response (a Request trigger's caller, a parent's Workflow action).
 * A run live here resolves them when it sends its Response or ends (also a parked run, rebuilt here
 * when it wakes); a run that executes in another process (scale-out) is polled in the store until
 * its Response (or its end) is in the run's row.
 */
import { HostError } from './errors.js';
import { sleep } from './idle.js';
import { FINISHED } from './live-run.js';
import { atTurnEnd } from './turn-end.js';
import type { HostContext, NoResponse, RunResponse } from './types.js';

type Outcome = RunResponse | NoResponse;
type Waiter = (outcome: Outcome) => void;

/** What the waiters ask of the rest of the host. */
export interface WaiterSources {
  /** The run live in this process, if it is. */
  live(runId: string): { response?: RunResponse } | undefined;
  /** Whether the run waits in memory for a concurrency slot (stateless flows). */
  waitingForSlot(runId: string): boolean;
}

/** How many recent outcomes are kept for a waitForResponse that comes late (up to twice as many). */
const ENDED_KEPT = 1000;

export class ResponseWaiters {
  private readonly waiters = new Map<string, Waiter[]>();
  /**
   * Outcomes of the runs that ended here most recently (for a waitForResponse that comes late), in
   * two generations: when the newer is full it becomes the older and the older is dropped. (Trimming
   * one Map by its oldest key costs a walk over the deleted entries at its head, every run.)
   */
  private ended = new Map<string, Outcome>();
  private endedBefore = new Map<string, Outcome>();

  constructor(
    private readonly ctx: HostContext,
    private readonly sources: WaiterSources,
  ) {}

  /** Resolves with the run's Response (or NoResponse when it ended without one). */
  wait(runId: string): Promise<Outcome> {
    // Not an async function: an answer known now is handed over as its own promise, not through
    // another that resolves to it (two microtask turns more per call).
    const live = this.sources.live(runId);
    // Answered already (a stateless run answers in the turn that started it): see turn-end.ts.
    if (live?.response) return atTurnEnd(live.response);
    const ended = this.ended.get(runId) ?? this.endedBefore.get(runId);
    if (ended) return Promise.resolve(ended);
    // Listening before the store is read: a run not in memory (parked, or in another process) that
    // sends its Response meanwhile either finds this waiter or has committed it for the read below.
    let waiter: Waiter | undefined;
    const waiting = new Promise<Outcome>((resolve) => {
      waiter = resolve;
      const list = this.waiters.get(runId) ?? [];
      list.push(resolve);
      this.waiters.set(runId, list);
    });
    // A run live here answers the waiter itself: nothing to read (the usual stateful call).
    if (live) return waiting;
    return this.notLive(runId, waiter, waiting);
  }

  /** A run not in memory: its Response may be in the store already, or come from another process. */
  private async notLive(runId: string, waiter: Waiter | undefined, waiting: Promise<Outcome>): Promise<Outcome> {
    if (!this.sources.waitingForSlot(runId)) {
      const stored = await this.ctx.store.getRun(runId).catch((error: unknown) => {
        this.drop(runId, waiter);
        throw error;
      });
      if (!stored) {
        this.drop(runId, waiter);
        throw new HostError('NotFound', `Run ${runId} does not exist.`, runId);
      }
      if (stored.response) this.resolve(runId, stored.response as RunResponse);
      else if (FINISHED.has(stored.status)) this.resolve(runId, { noResponse: true, status: stored.status });
    }
    if (this.ctx.shared) void this.poll(runId);
    return waiting;
  }

  private drop(runId: string, waiter: Waiter | undefined): void {
    const rest = (this.waiters.get(runId) ?? []).filter((w) => w !== waiter);
    if (rest.length) this.waiters.set(runId, rest);
    else this.waiters.delete(runId);
  }

  resolve(runId: string, outcome: Outcome): void {
    const waiters = this.waiters.get(runId);
    if (!waiters) return;
    this.waiters.delete(runId);
    for (const w of waiters) w(outcome);
  }

  /** The run ended here: its waiters are answered, and so is a caller that asks soon after. */
  end(runId: string, outcome: Outcome): void {
    this.resolve(runId, outcome);
    // A caller often asks right after a short run ended here: answer it without reading the store.
    if (this.ended.size >= ENDED_KEPT) {
      this.endedBefore = this.ended;
      this.ended = new Map();
    }
    this.ended.set(runId, outcome);
  }

  /** Drops a waiter that gave up (504): the run goes on. */
  forget(runId: string): void {
    this.waiters.delete(runId);
  }

  /** Scale-out: the run left this process; the Response may now be sent by another, so poll the store. */
  handOver(runId: string): void {
    if (this.ctx.shared && this.waiters.has(runId)) void this.poll(runId);
  }

  /** Scale-out: the run executes in another process; its Response arrives in the run's row. */
  private async poll(runId: string): Promise<void> {
    let delay = 20;
    while (this.waiters.has(runId) && !this.ctx.stopping()) {
      await sleep(delay);
      delay = Math.min(250, Math.round(delay * 1.5));
      if (!this.waiters.has(runId) || this.sources.live(runId)) return;
      try {
        const stored = await this.ctx.store.getRun(runId);
        if (stored?.response) this.resolve(runId, stored.response as RunResponse);
        else if (stored && FINISHED.has(stored.status))
          this.resolve(runId, { noResponse: true, status: stored.status });
      } catch (error) {
        this.ctx.log?.warn({ err: error, runId }, 'polling for a response failed');
      }
    }
  }
}
