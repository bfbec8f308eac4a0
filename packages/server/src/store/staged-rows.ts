// SQLite: when the staged event and action-record rows (schema.ts, migration 2) move to the tables
// clustered by run (step-batch.ts, mergeRecent). Steps are staged by StepWriter's batches, on the
// writer thread when it runs (writer-thread.ts), and by other store code in its own transactions on
// the main thread: both keep one account, in memory they share, so that the rows staged by either
// count. Their transactions never overlap (SqliteDriver's write lock), so plain updates suffice.
import type { Conn } from './driver.js';
import { n } from './rows.js';
import { mergeRecent } from './step-batch.js';
import type { PreparedUnit } from './step-batch.js';

export interface MergePolicy {
  /** Staged rows from which they move (StepWriterOptions.mergeThreshold). */
  threshold: number;
  /** Most staged rows one commit moves (StepWriterOptions.mergeSlice). */
  slice: number;
}

const UNKNOWN = -1;

export class StagedRows {
  /** [0]: rows in the *_recent tables, UNKNOWN until counted; [1]: 1 while moving them slice by slice. */
  private readonly cells: Int32Array;

  /** `shared`: the account another thread keeps (writer-thread.ts); a new one when absent. */
  constructor(readonly buffer = new SharedArrayBuffer(8)) {
    this.cells = new Int32Array(buffer);
    if (buffer.byteLength !== 8) throw new RangeError('a staged-rows account is 8 bytes');
  }

  /** Staged rows were deleted behind the writer's back (retention): count them again next time. */
  forget(): void {
    Atomics.store(this.cells, 0, UNKNOWN);
    Atomics.store(this.cells, 1, 0);
  }

  /** A new account: nothing counted yet. */
  static fresh(): StagedRows {
    const rows = new StagedRows();
    rows.forget();
    return rows;
  }

  /**
   * After `units` were staged in this transaction: moves a slice of the staged rows once there
   * are enough, and another after each commit until none is left.
   */
  async mergeWhenDue(c: Conn, units: PreparedUnit[], policy: MergePolicy): Promise<void> {
    let rows = 0;
    for (const u of units) rows += u.events.length + u.records.length;
    let merging = Atomics.load(this.cells, 1) === 1;
    if (rows === 0 && !merging) return;
    try {
      let staged = Atomics.load(this.cells, 0);
      if (staged === UNKNOWN) {
        const [r] = await c.all<{ n: unknown }>(
          'SELECT (SELECT COUNT(*) FROM run_events_recent) + (SELECT COUNT(*) FROM action_records_recent) AS n',
        );
        staged = n(r?.n); // this transaction's rows included
      } else {
        staged += rows;
      }
      if (merging || staged >= policy.threshold) {
        // At least twice what this commit staged: the staging tables empty under any load.
        const slice = Math.max(policy.slice, 2 * rows);
        const moved = await mergeRecent(c, slice);
        merging = moved >= slice; // fewer: nothing is staged any more
        staged = merging ? Math.max(0, staged - moved) : 0;
      }
      Atomics.store(this.cells, 0, staged);
      Atomics.store(this.cells, 1, merging ? 1 : 0);
    } catch (e) {
      this.forget(); // rolled back: count again next time
      throw e;
    }
  }
}
