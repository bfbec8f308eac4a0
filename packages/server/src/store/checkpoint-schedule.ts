// When the checkpoint worker (checkpointer.ts) runs beside SqliteDriver's connection: it starts
// once commits come quickly, stops after a while in which they came slowly or not at all (the
// writer thread with it), and after one of its passes over a large WAL the connection's writes
// wait for one more pass, so that the WAL starts over (catchUp). While no worker runs, SQLite
// checkpoints on the connection itself.
import type Database from 'better-sqlite3';
import { WalCheckpointer } from './checkpointer.js';

/** SQLite's own autocheckpoint mark (pages in the WAL), used until the checkpoint worker runs. */
export const AUTOCHECKPOINT_PAGES = 1000;
/**
 * With the checkpoint worker running (checkpointer.ts): the WAL size (pages) from which this
 * connection holds its writes back for one more pass of the worker, so that the WAL starts over
 * (128 MiB at 4 KiB pages; catchUp). Each catch-up makes writes wait for a pass with two fsyncs
 * (~50 ms on the 2-core VM under a 50-writer load, once every 1-2 s there); under a lighter load
 * the worker's passes catch up and the WAL starts over by itself. Also how large the WAL file
 * stays after a peak.
 */
export const CATCH_UP_PAGES = 32_768;
/**
 * Commits within one window (CHECKPOINTER_WINDOW_MS) that start the checkpoint worker: a store
 * written a little never needs one. Counted per window, not in all: an idle server still commits
 * now and then (its cluster heartbeat every 5 s, a schedule's run), and 64 commits in all started
 * the worker in every server a few seconds after it started (a few flows saved and called were
 * enough), for good (about 6 MiB of RSS at rest, and 8 more while the thread started). At fewer
 * than about two commits a second, SQLite's own checkpoint on the connection (every 1,000 pages of
 * WAL) comes every few minutes at most; any load reaches 128 in well under a second.
 */
const CHECKPOINTER_AFTER_WRITES = 128;
/** See CHECKPOINTER_AFTER_WRITES. */
const CHECKPOINTER_WINDOW_MS = 60_000;
/**
 * The worker stops after this long without a window of CHECKPOINTER_AFTER_WRITES commits (the
 * commits went on, or not, at a rate SQLite's own checkpoints serve), and starts again on demand.
 * Two windows: commits at about the starting rate reach it in each window, once, late or early.
 */
const CHECKPOINTER_IDLE_MS = 2 * CHECKPOINTER_WINDOW_MS;

export interface CheckpointScheduleOptions {
  db: Database.Database;
  file: string;
  /** Whether the worker may start at all. */
  background: boolean;
  catchUpPages: number;
  /** CHECKPOINTER_IDLE_MS unless given (tests). */
  idleMs: number | undefined;
  /** CHECKPOINTER_WINDOW_MS unless given (tests). */
  windowMs?: number | undefined;
  /** What runs only while the worker does: the writer thread (step-thread.ts). */
  thread: { stop(): Promise<void> };
  /** Runs `fn` while this process's writes wait: the driver's write lock and its connection's. */
  holdWrites(fn: () => Promise<void>): Promise<void>;
}

export class CheckpointSchedule {
  private checkpointer: WalCheckpointer | null = null;
  private background: boolean;
  private catchingUp = false;
  /** Commits in the window that began at windowStart (CHECKPOINTER_WINDOW_MS). */
  private writes = 0;
  private windowStart = 0;
  /** When a window last held CHECKPOINTER_AFTER_WRITES commits. */
  private lastBusy = 0;
  private idleCheck: NodeJS.Timeout | null = null;

  constructor(private readonly options: CheckpointScheduleOptions) {
    this.background = options.background;
  }

  /** Checkpoint passes the running worker has completed (0 while none runs). */
  get passes(): number {
    return this.checkpointer?.passes ?? 0;
  }

  get running(): boolean {
    return this.checkpointer !== null;
  }

  /** A write was committed: the checkpoint worker has something to do (and starts once writes come quickly). */
  wrote(): void {
    const busy = this.count(Date.now());
    if (this.checkpointer) {
      this.checkpointer.wrote();
      return;
    }
    if (!this.background || !busy) return;
    this.background = false;
    const { db, catchUpPages } = this.options;
    const idleMs = this.options.idleMs ?? CHECKPOINTER_IDLE_MS;
    try {
      this.checkpointer = new WalCheckpointer(this.options.file, {
        onPass: (pass) => {
          if (pass.ok && (pass.log ?? 0) >= catchUpPages) void this.catchUp();
        },
        onFailure: () => void this.stop(false), // and no second try (close() never rejects)
      });
      db.pragma(`wal_autocheckpoint = ${2 * catchUpPages}`); // a backstop only: see catchUp
      this.idleCheck = setInterval(() => {
        if (Date.now() - this.lastBusy >= idleMs) void this.stop(true);
      }, idleMs / 4);
      this.idleCheck.unref();
      this.checkpointer.wrote();
    } catch {
      this.checkpointer = null;
    }
  }

  /** Back to SQLite's own checkpoints on this thread; `again`: the worker may start again later. */
  async stop(again: boolean): Promise<void> {
    const checkpointer = this.checkpointer;
    this.checkpointer = null;
    if (this.idleCheck) clearInterval(this.idleCheck);
    this.idleCheck = null;
    this.background = again;
    if (this.options.db.open) this.options.db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    await this.options.thread.stop(); // the writer thread runs with it
    await checkpointer?.close();
  }

  /** Counts a commit made at `now` in its window; true when that window holds CHECKPOINTER_AFTER_WRITES. */
  private count(now: number): boolean {
    if (now - this.windowStart >= (this.options.windowMs ?? CHECKPOINTER_WINDOW_MS)) {
      this.windowStart = now;
      this.writes = 0;
    }
    if (++this.writes < CHECKPOINTER_AFTER_WRITES) return false;
    this.lastBusy = now;
    return true;
  }

  /**
   * Right after a worker's pass over a large WAL: holds this connection's transactions back while
   * the worker copies what was committed during that pass, so that the next write starts the WAL
   * over. The event loop stays free (the copy and its fsyncs run on the worker's thread); writes
   * wait for that one short pass, the writer thread's too (the write lock).
   */
  private async catchUp(): Promise<void> {
    if (this.catchingUp) return;
    this.catchingUp = true;
    try {
      await this.options.holdWrites(async () => {
        await this.checkpointer?.passNow(); // a failed pass: the next one tries again
      });
    } finally {
      this.catchingUp = false;
    }
  }
}
