/**
 * The timer loop (every worker runs it): turns due timers into work items. The store hands each due
 * timer to one caller (SKIP LOCKED on PostgreSQL), so workers share the timers as they share other
 * work. Timers of runs in this process wake it at their due time; others are found by polling.
 */
import { idle } from './idle.js';
import type { HostContext } from './types.js';

/** Due timers taken per read. */
const BATCH = 100;

export class TimerLoop {
  private readonly loops: Promise<void>[] = [];
  private wake: (() => void) | undefined;
  private handle: NodeJS.Timeout | undefined;
  private nextWake = Infinity;

  constructor(
    private readonly ctx: HostContext,
    private readonly pollMs: number,
  ) {}

  start(): void {
    this.loops.push(this.loop());
  }

  /** Whether a loop runs here (started and not stopping). */
  get running(): boolean {
    return this.loops.length > 0 && !this.ctx.stopping();
  }

  /** Wakes the loop at `dueAt` (timers of runs in this process need no polling delay). */
  wakeAt(dueAt: number): void {
    if (this.ctx.stopping() || dueAt >= this.nextWake) return;
    if (this.handle) clearTimeout(this.handle);
    this.nextWake = dueAt;
    this.handle = setTimeout(
      () => {
        this.nextWake = Infinity;
        this.handle = undefined;
        this.wake?.();
      },
      Math.max(0, dueAt - this.ctx.now()),
    );
    this.handle.unref();
  }

  /** Stopping: wakes the loop so it sees it, and drops the pending wake-up. */
  halt(): void {
    this.wake?.();
    if (this.handle) clearTimeout(this.handle);
  }

  /** Resolves when every loop started here has ended. */
  async ended(): Promise<void> {
    await Promise.all(this.loops);
  }

  private async loop(): Promise<void> {
    const { store, log, now } = this.ctx;
    while (!this.ctx.stopping()) {
      try {
        while ((await store.fireDueTimers(now(), BATCH)) === BATCH && !this.ctx.stopping());
      } catch (error) {
        if (this.ctx.stopping()) break;
        log?.error({ err: error }, 'timer loop failed');
      }
      await idle((wake) => (this.wake = wake), this.pollMs);
    }
  }
}
