// When SqliteDriver hands StepWriter's batches to a writer thread (writer-thread.ts): while its
// checkpoint worker runs (so a store written a little never starts a thread, and an idle one
// stops it), once the thread has opened its connection. A thread that could not start wrote
// nothing: batches stay on the main thread. One that dies after it started fails every batch
// from then on (StoreUnavailable), never a hang.
import type { Lock } from './lock.js';
import type { StoreError } from './errors.js';
import type { MergePolicy, StagedRows } from './staged-rows.js';
import type { PreparedUnit, UnitResult } from './step-batch.js';
import { WriterThread } from './writer-thread.js';
import type { WriterThreadData } from './writer-thread-serve.js';

/**
 * Smaller batches stay on the main thread: handing one over costs two thread wake-ups, more than
 * the statements of a step or two (one writer, one step at a time, made ~2x fewer steps/s on the
 * thread on the 2-core VM); under load, batches are larger and what the event loop is spared.
 * A small batch right after a large one goes to the thread too: under load, the batch that follows
 * a large one is often small (what came in while it was out), and written here it took about 2.5%
 * of the event loop's time at c=50. So does a batch that no caller waits for (StepWrite.background:
 * Stateless runs' writes, after their answers): one call at a time, a Stateless flow served about
 * two thirds more calls per second with its writes off the event loop.
 */
export const THREAD_MIN_BATCH = 4;

export class StepThread {
  private thread: WriterThread | null = null;
  private failure: StoreError | null = null;
  /** The last batch was THREAD_MIN_BATCH or more: under load. */
  private loaded = false;
  /** The batches out on the thread that hold the write lock together (out). */
  private group: { held: Promise<void>; out: number } | null = null;

  /**
   * `wanted: false`: never start one. `writeLock`: the driver's, held while a batch is out.
   * `committed`: after each commit on the thread (`notify`: the batch enqueued work).
   */
  constructor(
    private readonly data: Omit<WriterThreadData, 'staged' | 'merge'>,
    private wanted: boolean,
    private readonly writeLock: Lock,
    private readonly committed: (notify: boolean) => void,
  ) {}

  /** The thread, while one runs (tests, metrics). */
  get running(): WriterThread | null {
    return this.thread;
  }

  /**
   * The batch written on the thread; null: the caller writes it (a small batch, or no thread).
   * `mayStart`: the checkpoint worker runs.
   */
  write(
    units: PreparedUnit[],
    now: number,
    staged: StagedRows,
    merge: MergePolicy,
    mayStart: boolean,
  ): Promise<UnitResult[]> | null {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.thread && this.wanted && mayStart) this.start(staged, merge);
    const large = units.length >= THREAD_MIN_BATCH;
    const onThread = large || this.loaded || units.every((u) => u.background);
    this.loaded = large;
    return this.thread?.ready && onThread ? this.out(this.thread, units, now) : null;
  }

  /** Ends the thread after its batch out, if any; it may start again later. */
  stop(): Promise<void> {
    const thread = this.thread;
    this.thread = null;
    return thread ? thread.close() : Promise.resolve();
  }

  private start(staged: StagedRows, merge: MergePolicy): void {
    try {
      const thread = new WriterThread({ ...this.data, staged: staged.buffer, merge }, (error, started) => {
        if (this.thread === thread) this.thread = null;
        if (started) this.failure = error;
        else this.wanted = false;
      });
      this.thread = thread;
    } catch {
      this.wanted = false;
    }
  }

  /**
   * Batches out on the thread together hold the driver's write lock: the first takes it, the last
   * to come back releases it (the thread writes them in the order they were sent). A batch that
   * comes while a write of the main connection waits for the lock starts the next group, after it.
   */
  private async out(thread: WriterThread, units: PreparedUnit[], now: number): Promise<UnitResult[]> {
    let group = this.group;
    if (!group || this.writeLock.waiting) {
      group = { held: this.writeLock.acquire(), out: 0 };
      this.group = group;
    }
    group.out++;
    try {
      await group.held;
      const { results, notify } = await thread.apply(units, now);
      this.committed(notify);
      return results;
    } finally {
      if (--group.out === 0) {
        if (this.group === group) this.group = null;
        this.writeLock.release();
      }
    }
  }
}
