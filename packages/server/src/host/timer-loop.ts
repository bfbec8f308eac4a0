/**
 * The timer loop (one scheduler at a time runs it): turns due timers into work items, and now and
 * then admits queued runs nobody admitted. Timers of runs in this process wake it at their due
 * time; others are found by polling.
 */
import { idle } from './idle.js';
import type { HostContext } from './types.js';

/**
 * How often the timer loop admits queued runs nobody admitted (their flow's last run ended in a
 * process that died). Normally a run's end admits the next at once.
 */
const ADMIT_SWEEP_MS = 10_000;
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
    private readonly admitQueued: () => Promise<number>,
  ) {}

  start(): void {
    this.loops.push(this.loop());
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
    let nextAdmitSweep = now() + ADMIT_SWEEP_MS;
    while (!this.ctx.stopping()) {
      if (now() >= nextAdmitSweep) {
        nextAdmitSweep = now() + ADMIT_SWEEP_MS;
        await this.admitQueued().catch((error: unknown) => log?.error({ err: error }, 'admit sweep failed'));
      }
      try {
        for (;;) {
          const due = await store.dueTimers(now(), BATCH);
          for (const timer of due) {
            // Enqueue before marking: a crash in between fires twice, and the run ignores a timer
            // it no longer awaits; the other order could lose the wake-up.
            await store.enqueue([{ runId: timer.runId, kind: 'timer', payload: { key: timer.key } }]);
            await store.markFired(timer.runId, timer.key);
          }
          if (due.length < BATCH || this.ctx.stopping()) break;
        }
      } catch (error) {
        if (this.ctx.stopping()) break;
        log?.error({ err: error }, 'timer loop failed');
      }
      await idle((wake) => (this.wake = wake), this.pollMs);
    }
  }
}
