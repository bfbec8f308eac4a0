// Group commit (DESIGN §2): callers submit write units; the committer writes everything submitted
// while the previous commit was in flight (or within the same event-loop turn, or within
// maxDelayMs when set) as one transaction, and resolves each caller only after that commit.
// One commit is in flight at a time by default: it keeps row-lock order trivial and the batches
// large. A writer may take more (maxInFlight): the next batch is written while one commits, for
// units of other keys (SQLite's writer thread writes them in the order given; PostgreSQL on
// connections of their own, in no order, which their disjoint keys allow).
//
// A batch that fails because of one caller's data (Conflict, NotFound, InvalidArgument) is rolled
// back whole and its units are then written one per transaction, so the offending caller gets its
// error and the others their results. Any other failure (database gone) rejects every caller in it.
import { StoreError, isStoreError } from './errors.js';

export interface GroupCommitOptions<U = unknown> {
  /** Most units per transaction. */
  maxBatch?: number;
  /** How long an idle committer waits for company before committing; 0 = the end of this event-loop turn. */
  maxDelayMs?: number;
  /**
   * Batches out at once (default 1). With more, a batch goes out while others are in flight only
   * as far as its units' keys (keyOf) are none of theirs: a unit waits for the commit of any unit
   * of its key before it (a run's steps commit in order, and a failed batch's units, retried one by
   * one, come before anything of their keys). A unit without a key waits for every batch in
   * flight, and while one is in flight nothing goes beside it.
   * Batches out together hold no key in common and no unit without one, so `apply` may write
   * them in any order, or at once.
   */
  maxInFlight?: number;
  /**
   * With maxInFlight above 1: a batch goes as soon as this many units that callers wait for
   * (`awaited`, default all) are waiting, not at the end of the turn, and only such an early batch
   * goes beside one in flight. Otherwise what comes during a commit waits for it, as with one in
   * flight: more, smaller commits cost more than they save when few callers wait on them.
   */
  eagerBatch?: number;
  awaited?: (unit: U) => boolean;
  keyOf?: (unit: U) => string | null;
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
  /** The most batches that were out at once (maxInFlight at most). */
  mostInFlight: number;
}

const ISOLATABLE = new Set(['Conflict', 'NotFound', 'InvalidArgument']);

export class GroupCommitter<U, R> {
  private queue: Pending<U, R>[] = [];
  /** The commits in flight, how many units of each key they hold, and how many without one. */
  private readonly flying = new Set<Promise<void>>();
  private readonly flyingKeys = new Map<string, number>();
  private flyingKeyless = 0;
  private scheduled = false;
  private eager = false;
  /** Units in the queue that `awaited` counts. */
  private awaitedQueued = 0;
  private closed = false;
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  private readonly maxInFlight: number;
  private readonly eagerBatch: number;
  private readonly keyOf: (unit: U) => string | null;
  private readonly awaited: (unit: U) => boolean;
  readonly stats: GroupCommitStats = { batches: 0, units: 0, largestBatch: 0, mostInFlight: 0 };

  constructor(
    private readonly apply: (units: U[]) => Promise<R[]>,
    options: GroupCommitOptions<U> = {},
  ) {
    this.maxBatch = options.maxBatch ?? 512;
    this.maxDelayMs = options.maxDelayMs ?? 0;
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 1);
    this.eagerBatch = this.maxInFlight > 1 ? (options.eagerBatch ?? Infinity) : Infinity;
    this.keyOf = options.keyOf ?? (() => null);
    this.awaited = options.awaited ?? (() => true);
  }

  submit(unit: U): Promise<R> {
    if (this.closed) return Promise.reject(new StoreError('Closed', 'the store is closed'));
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ unit, resolve, reject });
      if (this.eagerBatch !== Infinity && this.awaited(unit)) this.awaitedQueued++;
      if (this.awaitedQueued >= this.eagerBatch && this.flying.size < this.maxInFlight && !this.eager) {
        this.eager = true;
        queueMicrotask(() => {
          this.eager = false;
          this.flush(true);
        });
      } else this.schedule();
    });
  }

  /** Waits until everything submitted so far is committed (or failed). */
  async drain(): Promise<void> {
    while (this.flying.size || this.queue.length) {
      if (this.flying.size) await Promise.allSettled([...this.flying]);
      else await new Promise((r) => setImmediate(r));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.drain();
  }

  private schedule(): void {
    if (this.scheduled || this.flying.size) return; // a running commit picks the queue up when it ends
    this.scheduled = true;
    const go = () => {
      this.scheduled = false;
      this.flush(false);
    };
    if (this.queue.length >= this.maxBatch) queueMicrotask(go);
    else if (this.maxDelayMs > 0) setTimeout(go, this.maxDelayMs);
    else setImmediate(go);
  }

  /**
   * Sends the next batch. Beside a batch in flight only an early one goes (`eager`: eagerBatch
   * units that callers wait for are queued); otherwise what comes during a commit waits for it,
   * and goes in one batch when it ends.
   */
  private flush(eager: boolean): void {
    if (this.flying.size >= (eager ? this.maxInFlight : 1) || !this.queue.length) return;
    let size = Math.min(this.queue.length, this.maxBatch);
    if (this.flying.size) {
      // Beside batches in flight: the units up to the first whose key is in flight (or has none).
      let free = 0;
      while (free < size && this.isFree(this.queue[free]!.unit)) free++;
      size = free;
      if (size === 0) return; // a running commit picks the queue up when it ends
    }
    const batch = this.queue.splice(0, size);
    if (this.awaitedQueued) for (const p of batch) if (this.awaited(p.unit)) this.awaitedQueued--;
    this.stats.batches++;
    this.stats.units += batch.length;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
    const keys = this.maxInFlight > 1 ? batch.map((p) => this.keyOf(p.unit)) : [];
    for (const k of keys) {
      if (k === null) this.flyingKeyless++;
      else this.flyingKeys.set(k, (this.flyingKeys.get(k) ?? 0) + 1);
    }
    const flight: Promise<void> = this.commit(batch).finally(() => {
      this.flying.delete(flight);
      for (const k of keys) {
        if (k === null) {
          this.flyingKeyless--;
          continue;
        }
        const n = (this.flyingKeys.get(k) ?? 1) - 1;
        if (n) this.flyingKeys.set(k, n);
        else this.flyingKeys.delete(k);
      }
      // What arrived meanwhile goes now (it has waited a commit already), beside another batch
      // still in flight only if enough callers wait.
      if (this.queue.length) this.flush(this.awaitedQueued >= this.eagerBatch);
    });
    this.flying.add(flight);
    this.stats.mostInFlight = Math.max(this.stats.mostInFlight, this.flying.size);
  }

  /** The unit has a key, no unit in flight has it, and none in flight is without one. */
  private isFree(unit: U): boolean {
    const key = this.keyOf(unit);
    return key !== null && this.flyingKeyless === 0 && !this.flyingKeys.has(key);
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
