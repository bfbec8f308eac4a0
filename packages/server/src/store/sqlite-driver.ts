// better-sqlite3 behind the async Driver seam. One connection per process: the one process that
// owns the database (DESIGN §3), or each worker of `flowbridge start --workers` (`shared`), whose
// writes SQLite serializes (WAL, busy timeout) and whose leadership is a file lock.
// better-sqlite3 is synchronous; the seam is async so both backends share one store. Because a
// transaction spans awaits, a small lock keeps other callers' statements out of it.
import { join, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import { CATCH_UP_PAGES, CheckpointSchedule } from './checkpoint-schedule.js';
import { tryFileLock, type DataLock } from './data-lock.js';
import type { Conn, Driver, Row } from './driver.js';
import { Lock } from './lock.js';
import { sqliteError } from './sqlite-errors.js';
import { openDatabaseFile } from './sqlite-file.js';
import type { MergePolicy, StagedRows } from './staged-rows.js';
import type { PreparedUnit } from './step-batch.js';
import { isWorkMessage, WORK_MESSAGE } from './work-signal.js';
import { StepThread } from './step-thread.js';
import type { WriterThread } from './writer-thread.js';

export const SQLITE_FILE_NAME = 'flowbridge.db';

/**
 * Longest a transaction keeps the event loop before its next statement lets it go (ms). Its
 * awaits are of settled promises only (better-sqlite3 is synchronous), so a long transaction
 * (retention deleting a batch of runs with their history: 50-150 ms under load) held the event
 * loop from BEGIN to COMMIT; now requests and timers run between its statements, while this
 * process's other statements wait for the lock as before.
 */
const TRANSACTION_SLICE_MS = 10;
/** Free pages one transaction of reclaimSpace gives back. */
const RECLAIM_STEP_PAGES = 16;

export class SqliteDriver implements Driver {
  readonly dialect = 'sqlite' as const;
  readonly place: string;
  readonly shared: boolean;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Statement>();
  /** This connection's: one statement or transaction at a time. */
  private readonly conn = new Lock();
  /**
   * The database's writes from this process: this connection's and the writer thread's (one
   * batch at a time). Taken before `conn`; held while a batch is on the thread, so that this
   * connection's writes wait here, with the event loop free, not in SQLite's busy handler.
   */
  private readonly writeLock = new Lock();
  private readonly direct: Conn;
  /** When the open transaction last had the event loop back (breathe). */
  private sliceStart = 0;
  private readonly checkpoints: CheckpointSchedule;
  private readonly dir: string;
  /** Shared: the leadership locks this process holds, by name. */
  private readonly leaderships = new Map<string, DataLock>();
  /** Shared: the open transaction enqueued work; the other processes hear of it once it commits. */
  private notifyOnCommit = false;
  private readonly thread: StepThread;

  /**
   * Opens (creating when missing) dataDir/flowbridge.db. `file` overrides the path (tests, ':memory:').
   * `backgroundCheckpoints: false` keeps SQLite's own checkpointing on this thread;
   * `walCatchUpPages`, `checkpointerIdleMs` and `checkpointerWindowMs` override CATCH_UP_PAGES,
   * CHECKPOINTER_IDLE_MS and CHECKPOINTER_WINDOW_MS (checkpoint-schedule.ts; tests).
   * `shared`: other processes (the workers of `flowbridge start --workers`) use the database too.
   * `writerThread: false` (or FLOWBRIDGE_SQLITE_WRITER_THREAD=0) keeps StepWriter's batches on
   * this thread; otherwise they go to a writer thread while the checkpoint worker runs.
   */
  constructor(options: {
    dataDir: string;
    shared?: boolean;
    file?: string;
    backgroundCheckpoints?: boolean;
    walCatchUpPages?: number;
    checkpointerIdleMs?: number;
    checkpointerWindowMs?: number;
    writerThread?: boolean;
  }) {
    const dir = resolve(options.dataDir);
    this.dir = dir;
    this.shared = options.shared ?? false;
    const file = options.file ?? join(dir, SQLITE_FILE_NAME);
    this.place = `SQLite database ${file}`;
    const catchUpPages = options.walCatchUpPages ?? CATCH_UP_PAGES;
    const opened = openDatabaseFile(file, this.place, options.file === undefined ? dir : undefined, catchUpPages);
    this.db = opened.db;
    const data = {
      file,
      place: this.place,
      autocheckpointPages: 2 * catchUpPages, // as this connection's while the thread runs (CheckpointSchedule.wrote)
      journalSizeLimit: opened.journalSizeLimit,
    };
    const wanted = options.writerThread ?? process.env.FLOWBRIDGE_SQLITE_WRITER_THREAD !== '0';
    this.thread = new StepThread(data, wanted, this.writeLock, (notify) => {
      this.checkpoints.wrote();
      if (notify && this.shared) process.send?.(WORK_MESSAGE);
    });
    this.checkpoints = new CheckpointSchedule({
      db: this.db,
      file,
      background: (options.backgroundCheckpoints ?? true) && file !== ':memory:' && file !== '',
      catchUpPages,
      idleMs: options.checkpointerIdleMs,
      windowMs: options.checkpointerWindowMs,
      thread: this.thread,
      holdWrites: (fn) => this.locked(true, fn),
    });
    this.direct = {
      all: (s, p) => this.breathe(() => this.execAll(s, p)),
      run: (s, p) => this.breathe(() => this.execRun(s, p)),
    };
  }

  /** Inside a transaction: lets the event loop go first once the transaction has held it long enough. */
  private breathe<T>(next: () => Promise<T>): Promise<T> {
    if (performance.now() - this.sliceStart < TRANSACTION_SLICE_MS) return next();
    return new Promise<void>((r) => setImmediate(r)).then(() => {
      this.sliceStart = performance.now();
      return next();
    });
  }

  private stmt(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private execAll<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    try {
      const s = this.stmt(sql);
      if (s.reader) {
        const rows = s.all(...params) as T[];
        if (!s.readonly && !this.db.inTransaction) this.checkpoints.wrote(); // INSERT ... RETURNING and the like
        return Promise.resolve(rows);
      }
      s.run(...params);
      if (!this.db.inTransaction) this.checkpoints.wrote();
      return Promise.resolve([]);
    } catch (e) {
      return Promise.reject(sqliteError(e, this.place));
    }
  }

  private execRun(sql: string, params: readonly unknown[] = []): Promise<number> {
    try {
      const s = this.stmt(sql);
      if (s.reader) {
        const n = s.all(...params).length;
        if (!s.readonly && !this.db.inTransaction) this.checkpoints.wrote();
        return Promise.resolve(n);
      }
      const { changes } = s.run(...params);
      if (!this.db.inTransaction) this.checkpoints.wrote(); // a statement of its own, or a COMMIT
      return Promise.resolve(changes);
    } catch (e) {
      return Promise.reject(sqliteError(e, this.place));
    }
  }

  /** Checkpoint passes the running worker has completed (0 while none runs). */
  get checkpointPasses(): number {
    return this.checkpoints.passes;
  }

  get checkpointWorkerRunning(): boolean {
    return this.checkpoints.running;
  }

  /** The writer thread, while one runs (tests, metrics). */
  get writerThread(): WriterThread | null {
    return this.thread.running;
  }

  /** StepWriter's batch on the writer thread (step-thread.ts); null: the caller writes it here. */
  writeOnThread(units: PreparedUnit[], now: number, staged: StagedRows, merge: MergePolicy) {
    return this.thread.write(units, now, staged, merge, this.checkpoints.running);
  }

  /** Takes the write lock (when `write`) and this connection's, in that order, for `fn`. */
  private async locked<T>(write: boolean, fn: () => Promise<T>): Promise<T> {
    if (write) await this.writeLock.acquire();
    try {
      await this.conn.acquire();
      try {
        return await fn();
      } finally {
        this.conn.release();
      }
    } finally {
      if (write) this.writeLock.release();
    }
  }

  /** A statement of its own: it waits for the connection, and for the writer thread if it writes. */
  private single<T>(sql: string, exec: () => Promise<T>): Promise<T> {
    const write = this.writeLock.locked && this.isWrite(sql);
    return this.conn.locked || write ? this.locked(write, exec) : exec();
  }

  private isWrite(sql: string): boolean {
    try {
      return !this.stmt(sql).readonly;
    } catch {
      return true; // it fails as it runs
    }
  }

  all<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.single(sql, () => this.execAll<T>(sql, params));
  }

  run(sql: string, params?: readonly unknown[]): Promise<number> {
    return this.single(sql, () => this.execRun(sql, params));
  }

  async transaction<T>(fn: (c: Conn) => Promise<T>): Promise<T> {
    // IMMEDIATE: take the write lock now, so a second process fails at BEGIN, not halfway.
    return this.within('BEGIN IMMEDIATE', fn, true);
  }

  async snapshot<T>(fn: (c: Conn) => Promise<T>): Promise<T> {
    // The lock keeps this process's writes out; a deferred BEGIN is a read transaction (WAL snapshot).
    return this.within('BEGIN', fn, false);
  }

  /** Runs `fn` between `begin` and COMMIT (ROLLBACK when it throws), holding this process's locks. */
  private within<T>(begin: string, fn: (c: Conn) => Promise<T>, write: boolean): Promise<T> {
    return this.locked(write, async () => {
      await this.execRun(begin);
      this.sliceStart = performance.now();
      try {
        const result = await fn(this.direct);
        await this.execRun('COMMIT');
        if (this.notifyOnCommit) process.send?.(WORK_MESSAGE);
        return result;
      } catch (e) {
        if (this.db.open && this.db.inTransaction) this.db.exec('ROLLBACK');
        throw e;
      } finally {
        this.notifyOnCommit = false;
      }
    });
  }

  /**
   * Gives up to `pages` free pages back to the file system, RECLAIM_STEP_PAGES per transaction
   * with the event loop let go between them: a step moves pages from the end of the file into
   * free ones and rewrites their parents, up to ~0.4 ms a page under load (64 at once held the
   * event loop up to 24 ms while pruning). Returns the free pages left.
   */
  async reclaimSpace(pages: number): Promise<number> {
    let left = Math.max(1, Math.floor(pages));
    for (;;) {
      const step = Math.min(left, RECLAIM_STEP_PAGES);
      left -= step;
      const free = await this.locked(true, async () => {
        try {
          // exec, not a prepared statement: incremental_vacuum frees one page per step until done.
          this.db.exec(`PRAGMA incremental_vacuum(${step})`);
          this.checkpoints.wrote();
          return Number(this.db.pragma('freelist_count', { simple: true }));
        } catch (e) {
          throw sqliteError(e, this.place);
        }
      });
      if (left === 0 || free === 0) return free;
      await new Promise((r) => setImmediate(r));
    }
  }

  async notifyWork(): Promise<void> {
    if (this.shared) this.notifyOnCommit = true;
  }

  /** Shared: the other workers' WORK_MESSAGE, relayed by the primary over the IPC channel. */
  async listenWork(callback: () => void): Promise<() => Promise<void>> {
    if (!this.shared || !process.send) return async () => {};
    const onMessage = (message: unknown): void => {
      if (isWorkMessage(message)) callback();
    };
    process.on('message', onMessage);
    return async () => {
      process.off('message', onMessage);
    };
  }

  // One process owns an embedded database: it is always the leader. Shared, the leader is the
  // process that holds the lock file `<name>.lock` in the data folder (the kernel frees it when
  // that process dies).
  async tryAcquireLeadership(name: string): Promise<boolean> {
    if (!this.shared || this.leaderships.has(name)) return true;
    const lock = tryFileLock(join(this.dir, `${name}.lock`));
    if (lock) this.leaderships.set(name, lock);
    return lock !== undefined;
  }

  async releaseLeadership(name: string): Promise<void> {
    this.leaderships.get(name)?.release();
    this.leaderships.delete(name);
  }

  async close(): Promise<void> {
    for (const name of [...this.leaderships.keys()]) await this.releaseLeadership(name);
    // Its connection closes first: the last one to close checkpoints the WAL and removes it.
    if (this.db.open) await this.checkpoints.stop(false);
    if (this.db.open) {
      this.statements.clear();
      this.db.close();
    }
  }
}
