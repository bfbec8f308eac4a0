// Group commit (DESIGN §2): callers submit write units; the committer writes everything submitted
// while the previous commit was in flight (or within the same event-loop turn, or within
// maxDelayMs when set) as one transaction, and resolves each caller only after that commit.
// One commit is in flight at a time: it keeps row-lock order trivial and the batches large.
//
// A batch that fails because of one caller's data (Conflict, NotFound, InvalidArgument) is rolled
// back whole and its units are then written one per transaction, so the offending caller gets its
// error and the others their results. Any other failure (database gone) rejects every caller in it.
import { StoreError, isStoreError } from './errors.js';

export interface GroupCommitOptions {
  /** Most units per transaction. */
  maxBatch?: number;
  /** How long an idle committer waits for company before committing; 0 = the end of this event-loop turn. */
  maxDelayMs?: number;
}

interface Pending<U, R> {
  unit: U;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export interface GroupCommitStats {
  batches: number;
  units: number;
  largestBatch: number;
}

const ISOLATABLE = new Set(['Conflict', 'NotFound', 'InvalidArgument']);

export class GroupCommitter<U, R> {
  private queue: Pending<U, R>[] = [];
  private inFlight: Promise<void> | null = null;
  private scheduled = false;
  private closed = false;
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  readonly stats: GroupCommitStats = { batches: 0, units: 0, largestBatch: 0 };

  constructor(
    private readonly apply: (units: U[]) => Promise<R[]>,
    options: GroupCommitOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 512;
    this.maxDelayMs = options.maxDelayMs ?? 0;
  }

  submit(unit: U): Promise<R> {
    if (this.closed) return Promise.reject(new StoreError('Closed', 'the store is closed'));
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ unit, resolve, reject });
      this.schedule();
    });
  }

  /** Waits until everything submitted so far is committed (or failed). */
  async drain(): Promise<void> {
    while (this.inFlight || this.queue.length) {
      if (this.inFlight) await this.inFlight;
      else await new Promise((r) => setImmediate(r));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.drain();
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight) return; // the running commit picks the queue up when it ends
    this.scheduled = true;
    const go = () => {
      this.scheduled = false;
      this.flush();
    };
    if (this.queue.length >= this.maxBatch) queueMicrotask(go);
    else if (this.maxDelayMs > 0) setTimeout(go, this.maxDelayMs);
    else setImmediate(go);
  }

  private flush(): void {
    if (this.inFlight || !this.queue.length) return;
    const batch = this.queue.splice(0, this.maxBatch);
    this.stats.batches++;
    this.stats.units += batch.length;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
    this.inFlight = this.commit(batch).finally(() => {
      this.inFlight = null;
      if (this.queue.length) this.flush(); // what arrived meanwhile goes now: it has waited a commit already
    });
  }

  private async commit(batch: Pending<U, R>[]): Promise<void> {
    try {
      const results = await this.apply(batch.map((p) => p.unit));
      batch.forEach((p, i) => p.resolve(results[i] as R));
    } catch (e) {
      if (batch.length > 1 && isStoreError(e) && ISOLATABLE.has(e.code)) {
        for (const p of batch) {
          try {
            const [r] = await this.apply([p.unit]);
            p.resolve(r as R);
          } catch (e1) {
            p.reject(e1);
          }
        }
      } else {
        for (const p of batch) p.reject(e);
      }
    }
  }
}
