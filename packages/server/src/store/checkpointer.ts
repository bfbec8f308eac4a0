// WAL checkpoints off the event loop. A checkpoint copies committed WAL frames into the database
// file and, with synchronous=NORMAL, fsyncs the WAL before and the database after: on this
// project's 2-core VM that kept the event loop blocked in fsync for 30-50% of the time under a
// 50-writer load when SQLite ran it after every 1,000 pages (its default autocheckpoint). Here a
// worker thread with its own connection to the same file runs PASSIVE checkpoints (which never
// block the writer, and take no lock it needs) after commits: every 20 ms under load, within a
// second otherwise.
//
// A passive checkpoint cannot let the WAL start over while the writer keeps writing (the writer
// restarts it only once every frame has been copied), so after a pass over a large WAL the writer
// holds its transactions back while the worker copies the frames committed during that pass
// (passNow), and the WAL starts over (CheckpointSchedule.catchUp). That pass ran on the writer's own
// connection before: its copy and two fsyncs blocked the event loop for 70-170 ms under load.
// Durability is SQLite's own: the same checkpoint, with the same syncs, on another thread.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The worker's code, CommonJS, run with `eval` so that it works alike from the TypeScript
 * sources (tsx), the compiled dist/ and a bundle: it needs nothing of ours, only better-sqlite3.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 0');
db.pragma('synchronous = NORMAL');
parentPort.on('message', (m) => {
  if (m === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true, busy: r.busy, log: r.log, checkpointed: r.checkpointed });
  } catch (e) {
    parentPort.postMessage({ ok: false, error: String(e && e.message ? e.message : e) });
  }
});
`;

export interface CheckpointPass {
  ok: boolean;
  busy?: number;
  /** Frames in the WAL when the pass began. */
  log?: number;
  checkpointed?: number;
  error?: string;
}

export interface WalCheckpointerOptions {
  /**
   * Least time between the starts of two passes once `busyCommits` commits wait (default 20 ms):
   * under load, short passes, so that little is left for the writer's catch-up.
   */
  intervalMs?: number;
  /** Fewer commits than this wait up to `idleIntervalMs` (default 1 s) for a pass. */
  busyCommits?: number;
  idleIntervalMs?: number;
  /** Called once if the worker cannot run (the caller goes back to checkpointing itself). */
  onFailure?: (error: unknown) => void;
  onPass?: (pass: CheckpointPass) => void;
}

export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly intervalMs: number;
  private readonly idleIntervalMs: number;
  private readonly busyCommits: number;
  private passing = false;
  /** Commits since the last pass began. */
  private pending = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerDue = 0;
  private lastStart = 0;
  private failed = false;
  private closing: Promise<void> | null = null;
  /** Callers of passNow waiting for a pass that has not started yet, and for the one running. */
  private requested: Array<(pass: CheckpointPass) => void> = [];
  private answering: Array<(pass: CheckpointPass) => void> = [];
  /** Completed passes (tests, metrics). */
  passes = 0;

  constructor(
    file: string,
    private readonly options: WalCheckpointerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 20;
    this.idleIntervalMs = options.idleIntervalMs ?? 1000;
    this.busyCommits = options.busyCommits ?? 16;
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
      // Small: the worker holds one connection and runs one statement.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    });
    this.worker.unref(); // a store someone forgot to close must not keep the process alive
    this.worker.on('message', (m: CheckpointPass) => this.done(m));
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => {
      if (!this.closing) this.fail(new Error(`checkpoint worker exited with code ${code}`));
    });
  }

  /** The writer committed: a pass follows, soon under load, within a second otherwise. */
  wrote(): void {
    if (this.failed || this.closing) return;
    this.pending++;
    if (!this.passing) this.schedule();
  }

  /**
   * A pass that starts now, or as soon as the running one ends (so it sees every commit made
   * before this call); resolves with its outcome. `ok: false` when the worker does not run.
   */
  passNow(): Promise<CheckpointPass> {
    if (this.failed || this.closing)
      return Promise.resolve({ ok: false, error: 'the checkpoint worker is not running' });
    return new Promise<CheckpointPass>((resolve) => {
      this.requested.push(resolve);
      if (!this.passing) this.begin();
    });
  }

  private schedule(): void {
    const due = this.lastStart + (this.pending >= this.busyCommits ? this.intervalMs : this.idleIntervalMs);
    if (this.timer && this.timerDue <= due) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.start();
      },
      Math.max(0, due - Date.now()),
    );
    this.timer.unref();
  }

  private start(): void {
    if (this.failed || this.closing || this.passing || this.pending === 0) return;
    this.begin();
  }

  private begin(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = 0;
    this.passing = true;
    this.lastStart = Date.now();
    this.answering = this.requested;
    this.requested = [];
    this.worker.postMessage('pass');
  }

  private answer(pass: CheckpointPass, all = false): void {
    const waiting = all ? [...this.answering, ...this.requested] : this.answering;
    this.answering = [];
    if (all) this.requested = [];
    for (const resolve of waiting) resolve(pass);
  }

  private done(pass: CheckpointPass): void {
    this.passing = false;
    this.passes++;
    this.answer(pass);
    this.options.onPass?.(pass);
    if (!pass.ok) {
      this.fail(new Error(pass.error));
      return;
    }
    if (this.closing) return;
    if (this.requested.length) this.begin();
    else if (this.pending > 0) this.schedule();
  }

  private fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.answer({ ok: false, error: String(error) }, true);
    void this.worker.terminate();
    this.options.onFailure?.(error);
  }

  /** Stops the worker after the pass in flight, if any; its connection closes first. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.failed) {
      this.closing = Promise.resolve();
      return this.closing;
    }
    this.closing = new Promise<void>((resolve) => {
      const limit = setTimeout(() => void this.worker.terminate(), 10_000);
      this.worker.once('exit', () => {
        clearTimeout(limit);
        this.answer({ ok: false, error: 'the checkpoint worker stopped' }, true);
        resolve();
      });
      this.worker.postMessage('close');
    });
    return this.closing;
  }
}
