/**
 * The single write of a Stateless run, when it has ended: its row, and its history only when kept
 * (stateless-history.ts). A run that has answered its caller is written after the answer (DESIGN
 * §2, latency over resumability); a stop waits for those writes.
 */
import type { RunOutcome } from '@flowbridge/engine';
import type { NewRun } from '../store/index.js';
import { letGo, type Live } from './live-run.js';
import { initWithoutHistory, writesHistory } from './stateless-history.js';
import { finalUpdate } from './step-write.js';
import type { HostContext } from './types.js';

/**
 * Stateless runs that may have answered their caller while their write waits; more wait to start
 * until half of those are written (a few group-commit batches' worth), so that a caller faster
 * than the store cannot pile up answered runs in memory.
 */
const STATELESS_WRITES_AHEAD = 256;

export class StatelessWrites {
  /** Stateless runs whose single write is not committed yet. */
  private pending = 0;
  /** Starts of stateless runs waiting for those writes to go down (see STATELESS_WRITES_AHEAD). */
  private readonly starts: Array<() => void> = [];
  /** The writes (and ends) of stateless runs whose caller has its answer, by run: a stop waits for them. */
  private readonly answered = new Map<Live, Promise<void>>();

  constructor(private readonly ctx: HostContext) {}

  /** Whether too many writes wait for a new stateless run to start now (see room()). */
  get full(): boolean {
    return this.pending >= STATELESS_WRITES_AHEAD;
  }

  /** Resolves when a new stateless run may start: once half of the waiting writes are done. */
  room(): Promise<void> {
    return new Promise<void>((resolve) => this.starts.push(resolve));
  }

  /**
   * Writes a run that has answered, without holding its caller; then `finish` (with the run's
   * result, or without when the write failed: the run is lost, as a stateless run is in a crash).
   */
  afterAnswer(live: Live, finish: (result?: RunOutcome) => void): void {
    // writeThenFinish awaits before it deletes the entry, so the entry is in the map by then.
    this.answered.set(live, this.writeThenFinish(live, finish));
  }

  private async writeThenFinish(live: Live, finish: (result?: RunOutcome) => void): Promise<void> {
    let result: RunOutcome | undefined;
    try {
      result = await this.write(live, true);
    } catch (error) {
      this.ctx.log?.error({ err: error, runId: live.runId }, 'could not write a stateless run');
    }
    this.answered.delete(live);
    finish(result);
  }

  /**
   * Writes the ended run; resolves with its result. `answered`: its caller has its answer, so no
   * one waits for this write (StepWrite.background).
   */
  async write(live: Live, answered = false): Promise<RunOutcome> {
    this.pending++;
    try {
      const result = live.run.outcome();
      await this.writeRun(live, result, answered);
      return result;
    } finally {
      this.pending--;
      if (this.pending < STATELESS_WRITES_AHEAD / 2) for (const resume of this.starts.splice(0)) resume();
    }
  }

  /** The writes of the runs that have answered (a stop waits for them). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.answered.values()]);
  }

  private writeRun(live: Live, result: RunOutcome, background: boolean): Promise<unknown> {
    const memory = live.memory!;
    const { init } = live;
    const runUpdate = finalUpdate(live, this.ctx.now, result);
    const history = writesHistory(init, result.status);
    const run: NewRun = {
      id: live.runId,
      flowId: live.flowId,
      flowVersion: Number(init.workflow.version ?? 0),
      triggerName: init.trigger.name,
      status: 'Running',
      startTime: init.now,
      clientTrackingId: init.trigger.clientTrackingId ?? null,
      init: history ? init : initWithoutHistory(init),
    };
    if (memory.environmentId !== undefined) run.environmentId = memory.environmentId;
    const writing = this.ctx.store.createRun(
      run,
      history ? { events: memory.events, records: memory.records, runUpdate, background } : { runUpdate, background },
    );
    // Its history is in the write: while that commits, the run keeps only what its end reads.
    live.ended = result;
    letGo(live, writing);
    return writing;
  }
}
