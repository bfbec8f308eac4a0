/**
 * The worker: claims wake-ups (timers, callbacks, cancel) from the store's work queue with a lease
 * and feeds them to their runs. Scale-out: a wake-up for a run no one holds takes the run's lease
 * first; a claimed ownership item is a run whose holder died (or a new run handed to the workers),
 * which this worker rebuilds from the store.
 */
import type { RunEvent } from '@flowbridge/engine';
import type { WorkItem } from '../store/index.js';
import { idle } from './idle.js';
import type { Live } from './live-run.js';
import type { LiveRuns } from './live-runs.js';
import { OWNERSHIP_KIND, type RunLeases } from './run-leases.js';
import type { HostContext } from './types.js';
import { isRecord } from './workflows.js';

export class WorkLoop {
  private readonly loops: Promise<void>[] = [];
  private readonly active = new Set<Promise<void>>();
  private wake: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly ctx: HostContext,
    private readonly runs: LiveRuns,
    private readonly leases: RunLeases,
    private readonly pollMs: number,
  ) {}

  /** Work items claimed and not yet finished. */
  get inProgress(): number {
    return this.active.size;
  }

  /** Starts a loop handling up to `concurrency` items at once, woken when work is enqueued. */
  start(concurrency: number): void {
    this.unsubscribe = this.ctx.store.onWork(() => this.wake?.());
    this.loops.push(this.loop(concurrency));
  }

  /** Stopping: no more wake-ups from the store; the loop sees it at once. */
  halt(): void {
    this.unsubscribe?.();
    this.wake?.();
  }

  /** Resolves when every loop started here has ended. */
  async ended(): Promise<void> {
    await Promise.all(this.loops);
  }

  /** Resolves when the items under way are handled. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.active]);
  }

  private async loop(concurrency: number): Promise<void> {
    const { store, log } = this.ctx;
    while (!this.ctx.stopping()) {
      let items: WorkItem[] = [];
      const room = concurrency - this.active.size;
      try {
        if (room > 0) items = await store.claim(this.leases.workerId, room, this.leases.leaseMs);
      } catch (error) {
        if (this.ctx.stopping()) break;
        log?.error({ err: error }, 'claiming work failed');
      }
      for (const item of items) {
        const p = this.handle(item).finally(() => {
          this.active.delete(p);
          this.wake?.();
        });
        this.active.add(p);
      }
      if (items.length === 0 || room <= 0) await idle((wake) => (this.wake = wake), this.pollMs);
    }
  }

  private async handle(item: WorkItem): Promise<void> {
    const { store, shared } = this.ctx;
    try {
      const runId = item.runId;
      if (item.kind === OWNERSHIP_KIND) {
        await this.adopt(item);
        return;
      }
      let live = runId ? this.runs.get(runId) : undefined;
      if (!live && runId && shared) {
        if (!(await this.leases.acquire(runId))) {
          // Another process holds the run in memory: the wake-up comes back a little later.
          await store.release(item.id, this.leases.workerId, Math.min(2000, 100 * item.attempts));
          return;
        }
        live = await this.runs.load(runId, true);
        if (!live) await this.leases.complete(runId);
      } else if (!live && runId) {
        // A parked run (or one dropped after a failed step): rebuilt from its events. A parked run
        // had no effect in flight; a dropped one gets its unanswered effects again.
        live = await this.runs.load(runId, true);
      }
      if (!live || live.done) {
        await store.complete(item.id);
        return;
      }
      const event = await this.eventOf(item);
      if (!event) {
        this.ctx.log?.warn({ item }, 'unknown work item');
        await store.complete(item.id);
        return;
      }
      await this.runs.process(live, event, item.id);
      await this.settle(live);
    } catch (error) {
      this.ctx.log?.error({ err: error, workId: item.id }, 'work item failed; handing it back');
      await store.release(item.id, this.leases.workerId, 1000).catch(() => {});
    }
  }

  /** The run event a wake-up stands for (undefined: not a kind this host knows). */
  private async eventOf(item: WorkItem): Promise<RunEvent | undefined> {
    const payload = isRecord(item.payload) ? item.payload : {};
    const now = this.ctx.now();
    if (item.kind === 'timer' && typeof payload.key === 'string') return { kind: 'timer', key: payload.key, now };
    if (item.kind === 'cancel') return { kind: 'cancel', now };
    if (item.kind === 'callback' && typeof payload.key === 'string') {
      const callback = await this.ctx.store.getCallback(payload.key);
      return { kind: 'callback', key: payload.key, payload: callback?.payload ?? null, now };
    }
    return undefined;
  }

  /** Scale-out: this worker claimed a run's ownership item (new, or its holder died): resume it. */
  private async adopt(item: WorkItem): Promise<void> {
    const runId = item.runId;
    if (!runId || !this.ctx.shared) {
      await this.ctx.store.complete(item.id);
      return;
    }
    const existing = this.runs.get(runId);
    if (existing) {
      existing.owned = true; // our own lease had lapsed and came back to us
      return;
    }
    const live = await this.runs.load(runId, true);
    if (!live || live.done) {
      await this.ctx.store.complete(item.id);
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
      // Draining: effects not started here are still owed; the lease is handed over by stop().
      if (live.done || live.evicted || live.inflight.size > 0 || this.ctx.stopping()) return;
      await this.leases.complete(live.runId);
      this.runs.evict(live);
    });
    live.chain = next.catch((error: unknown) => {
      this.ctx.log?.error({ err: error, runId: live.runId }, 'letting go of a run failed');
    });
    return live.chain;
  }
}
