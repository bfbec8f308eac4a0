// The runs aggregate's writer: steps submitted by many callers go out through group commit
// (writer.ts) as few transactions (step-batch.ts). On SQLite it also decides when the staged rows
// move to the tables clustered by run (staged-rows.ts), says "work was enqueued" after its own
// commits, and hands its batches to the writer thread when the driver runs one (writer-thread.ts).
import type { StoreContext } from './context.js';
import type { Conn, Driver } from './driver.js';
import { StagedRows } from './staged-rows.js';
import type { MergePolicy } from './staged-rows.js';
import { applyUnits, prepareUnit, staged } from './step-batch.js';
import type { PreparedUnit, UnitResult } from './step-batch.js';
import type { NewRun, StepWrite } from './run-types.js';
import type { WorkSignal } from './work-signal.js';
import { loneInsert, versionNotFound } from './run-inserts.js';
import { GroupCommitter } from './writer.js';
import type { GroupCommitOptions, GroupCommitStats } from './writer.js';

/** See StepWriterOptions.mergeThreshold. */
export const DEFAULT_MERGE_THRESHOLD = 8192;
/**
 * See StepWriterOptions.mergeSlice. Moving 8,192 rows in one commit took 30 ms of CPU (up to 50
 * under load) on the 2-core VM: a stall every ~0.5 s under a 50-caller load, which set its p99
 * latency. A slice of 2,048 takes ~6 ms, 1,024 ~3 ms. For the HTTP flow's short runs slices cost
 * no more in all than one move; long-running runs' rows are spread over more pages per run
 * (store.bench, 50 writers on 50 runs: ~15% fewer steps per CPU-second at 2,048, ~29% at 1,024).
 */
export const DEFAULT_MERGE_SLICE = 2048;

/**
 * SQLite: batches out at once (GroupCommitOptions.maxInFlight), and how many waiting units send
 * one at once (eagerBatch; background writes, which no caller waits for, do not count). With one
 * batch out at a time, under load the callers bunched into one batch: the event loop waited while
 * the writer thread committed it, then the thread waited while the loop served the answers and
 * the calls that followed (at c=50 the loop was idle about a sixth of the time). With two out and
 * the first of a bunch sent at 32 units, the callers split into groups that take turns. In
 * interleaved rounds at c=50, sending at 32 beat 24, 16 and 8 (each a few percent to a tenth
 * better than the next smaller); never sending early gained nothing over one out. Only an early
 * batch goes beside one in flight: with fewer callers waiting (c=10) or none (Stateless runs'
 * background writes), what comes during a commit waits for it and goes in one batch, as before.
 */
export const THREAD_IN_FLIGHT = 2;
export const THREAD_EAGER_BATCH = 32;

/**
 * PostgreSQL: the same, with batches out on two connections. There a batch's commit waits for
 * round trips and the WAL's flush more than for CPU: with one out, the HTTP flow's Stateful calls
 * at c=50 left most of the 2-core machine idle. With a second early batch at 16 waiting units,
 * about 4,000 -> 4,800 req/s (five interleaved rounds, ahead in four); at 32 it was never sent
 * (the batches stayed at about 25 units), at 8 no better than 16.
 */
export const PG_IN_FLIGHT = 2;
export const PG_EAGER_BATCH = 16;

export interface StepWriterOptions {
  groupCommit?: GroupCommitOptions<PreparedUnit>;
  /**
   * SQLite: how many staged event and action-record rows (schema.ts, migration 2) there may be
   * before they move to the tables clustered by run (default 8192), a slice per commit
   * (mergeSlice). Rarer moves write fewer pages per row, but reads scan the staged rows.
   */
  mergeThreshold?: number;
  /**
   * SQLite: most staged rows one commit moves (default 2048; or twice what the commit staged, if
   * more). From the commit that passes `mergeThreshold`, each commit moves the oldest slice until
   * nothing is staged: the same rows move, in bounded work per commit, so that no commit (and no
   * caller waiting on it) stalls long.
   */
  mergeSlice?: number;
}

/**
 * A driver that may write a batch off the event loop (SQLite's writer thread: sqlite-driver.ts,
 * step-thread.ts); null from it: the batch is written here, in a transaction of its own.
 */
interface OffThreadWrites {
  writeOnThread(
    units: PreparedUnit[],
    now: number,
    staged: StagedRows,
    merge: MergePolicy,
  ): Promise<UnitResult[]> | null;
}

const offThread = (driver: Driver): driver is Driver & OffThreadWrites => 'writeOnThread' in driver;

export class StepWriter {
  private readonly committer: GroupCommitter<PreparedUnit, UnitResult>;
  private readonly merge: MergePolicy;
  /** Rows in the *_recent tables (SQLite), kept with the writer thread. */
  private readonly stagedRows = StagedRows.fresh();

  constructor(
    private readonly ctx: StoreContext,
    private readonly signal: WorkSignal,
    options: StepWriterOptions = {},
  ) {
    this.merge = {
      threshold: options.mergeThreshold ?? DEFAULT_MERGE_THRESHOLD,
      slice: Math.max(1, options.mergeSlice ?? DEFAULT_MERGE_SLICE),
    };
    // SQLite's writer thread writes batches in the order they come: the next one may be written
    // while one commits (a run's steps still commit in order: keyOf). PostgreSQL writes batches
    // out together on connections of their own; they hold no key in common, so their order does not
    // matter.
    const sqlite = offThread(ctx.driver);
    const pipelined: GroupCommitOptions<PreparedUnit> =
      sqlite || ctx.driver.dialect === 'postgres'
        ? {
            maxInFlight: sqlite ? THREAD_IN_FLIGHT : PG_IN_FLIGHT,
            eagerBatch: sqlite ? THREAD_EAGER_BATCH : PG_EAGER_BATCH,
            keyOf: (u) => u.runId,
            awaited: (u) => !u.background,
          }
        : {};
    this.committer = new GroupCommitter((units) => this.applyBatch(units), { ...pipelined, ...options.groupCommit });
  }

  /** How group commit has batched so far (for the benchmark and metrics). */
  get stats(): GroupCommitStats {
    return { ...this.committer.stats };
  }

  /** Validates and serializes one caller's step now (a bad one fails that caller alone). */
  prepare(runId: string | null, create: NewRun | null, step: StepWrite, now = this.ctx.now()): PreparedUnit {
    return prepareUnit(runId, create, step, now, this.ctx.payloadThreshold, this.ctx.driver.dialect === 'sqlite');
  }

  /** Writes one caller's step with whatever else is being committed; resolves once it is committed. */
  async submit(runId: string | null, create: NewRun | null, step: StepWrite): Promise<UnitResult> {
    this.ctx.check();
    return this.committer.submit(this.prepare(runId, create, step));
  }

  /**
   * Writes prepared units inside the caller's own transaction (a step that must commit with
   * something else). Call `committed` with them once that transaction has committed.
   */
  async applyIn(c: Conn, units: PreparedUnit[], now: number): Promise<UnitResult[]> {
    const results = await applyUnits(this.ctx.driver, c, units, now);
    if (staged(this.ctx.driver)) await this.stagedRows.mergeWhenDue(c, units, this.merge);
    return results;
  }

  /** After units were committed: PostgreSQL tells every process (this one too) through NOTIFY; SQLite has only this process. */
  committed(units: PreparedUnit[]): void {
    if (this.ctx.driver.dialect === 'sqlite' && units.some((u) => u.enqueue.length)) this.signal.emit();
  }

  /** Staged rows were deleted behind the writer's back (retention): count them again next time. */
  forgetStagedCount(): void {
    this.stagedRows.forget();
  }

  /** Resolves once everything submitted is committed; refuses new steps. */
  close(): Promise<void> {
    return this.committer.close();
  }

  private async applyBatch(units: PreparedUnit[]): Promise<UnitResult[]> {
    const now = this.ctx.now();
    const driver = this.ctx.driver;
    const onThread = offThread(driver) ? driver.writeOnThread(units, now, this.stagedRows, this.merge) : null;
    const lone = onThread ? null : loneInsert(driver, units);
    if (lone) {
      // The batch is one statement: a transaction of its own (run-inserts.ts).
      const written = await driver.run(lone.sql, lone.params);
      if (lone.single && written === 0) throw versionNotFound(lone.single);
      return units.map(() => ({ seqs: [], workIds: [], completed: 0 }));
    }
    const results = await (onThread ?? driver.transaction((c) => this.applyIn(c, units, now), { retryable: true }));
    this.committed(units);
    return results;
  }
}
