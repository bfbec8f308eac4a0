// StepWriter's batches on a thread of their own (SQLite, a database file): a worker thread with
// its own connection to the file writes each batch and commits it (writer-thread-serve.ts), so the
// statements and the COMMIT of every step no longer run on the event loop. The main thread still
// prepares the units (a caller's bad input fails that caller alone) and hands over batches, two
// at most out at once (step-writer.ts), which the thread commits in the order sent; SqliteDriver
// keeps its own connection's writes out of the thread's (its write lock).
//
// The thread runs the store's own modules (step-batch.ts: no second copy of the SQL). It imports
// the very module this code is in, from import.meta.url, which works alike from the TypeScript
// sources (tsx, registered again in the thread: Node 20 does not pass loader hooks to workers),
// from dist/ and from the bundle (where this module is part of a chunk, and the thread loads that
// chunk); the module starts serving when it finds itself on the writer thread (the end of this file).
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { StoreError } from './errors.js';
import type { PreparedUnit, UnitResult } from './step-batch.js';
import type { BatchAnswer, BatchRequest, WriterThreadData } from './writer-thread-serve.js';
import { serveWriterThread } from './writer-thread-serve.js';
import { resultFromWire, toWire } from './unit-wire.js';

/** Marks the writer thread's workerData (the end of this file). */
const MARK = 'flowbridgeSqliteWriter';

/** Code the thread starts with: CommonJS, for `eval`; it imports this module (and tsx first, from sources). */
const BOOT = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.module);
})().catch((e) => { process.nextTick(() => { throw e; }); });
`;

export interface ThreadCommit {
  results: UnitResult[];
  /** The batch enqueued work (step-batch.ts called notifyWork). */
  notify: boolean;
}

interface Waiting {
  resolve: (commit: ThreadCommit) => void;
  reject: (error: StoreError) => void;
}

export class WriterThread {
  private readonly worker: Worker;
  private readonly place: string;
  private next = 1;
  private committed = 0;
  private answered = 0;
  private mostOut = 0;
  private readonly waiting = new Map<number, Waiting>();
  private failure: StoreError | null = null;
  private closing: Promise<void> | null = null;
  /** The thread has opened its connection and takes batches. */
  ready = false;

  /**
   * Throws when no thread can start. `onFailure`: the thread died; `started` says whether it had
   * opened its connection (if not, it wrote nothing, and its caller may write on its own thread).
   */
  constructor(
    data: WriterThreadData,
    private readonly onFailure: (error: StoreError, started: boolean) => void = () => {},
  ) {
    this.place = data.place;
    const module = import.meta.url;
    this.worker = new Worker(BOOT, {
      eval: true,
      workerData: {
        ...data,
        [MARK]: true,
        module,
        tsx: module.endsWith('.ts') ? import.meta.resolve('tsx/esm/api') : null,
      },
      // A small young generation: the thread's garbage is short-lived batches, and V8's default
      // let it grow to ~24 MiB of RSS under load (the idle-runs bench's budget is 20 MiB in all).
      // The old generation is not limited: a batch may carry a large payload.
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
    this.worker.unref(); // referenced only while a batch is out (apply), like any pending I/O
    this.worker.on('message', (m: BatchAnswer) => this.answer(m));
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`it exited with code ${code}`)));
  }

  /** Why the thread no longer writes (null while it does). */
  get failed(): StoreError | null {
    return this.failure;
  }

  /** Writes and commits the batch on the thread; rejects with the StoreError the thread met. */
  apply(units: PreparedUnit[], now: number): Promise<ThreadCommit> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new StoreError('Closed', `${this.place}: the writer thread is stopping`));
    const id = this.next++;
    const request: BatchRequest = { id, units: units.map(toWire), now };
    return new Promise<ThreadCommit>((resolve, reject) => {
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(id, { resolve, reject });
      this.mostOut = Math.max(this.mostOut, this.waiting.size);
      this.worker.postMessage(request);
    });
  }

  private answer(m: BatchAnswer): void {
    if ('ready' in m) {
      this.ready = true;
      return;
    }
    const w = this.waiting.get(m.id);
    if (!w) return;
    this.settled(m.id);
    this.answered++;
    if ('error' in m) w.reject(new StoreError(m.error.code, m.error.message, { target: m.error.target }));
    else {
      this.committed++;
      w.resolve({ results: m.results.map(resultFromWire), notify: m.notify });
    }
  }

  private settled(id: number): void {
    this.waiting.delete(id);
    if (this.waiting.size === 0) this.worker.unref();
  }

  /** The thread died (or could not start): every batch out, and every later one, fails. */
  private fail(cause: unknown): void {
    if (this.failure || (this.closing && this.waiting.size === 0)) return;
    const why = cause instanceof Error ? cause.message : String(cause);
    this.failure = new StoreError(
      'StoreUnavailable',
      `${this.place} is unavailable: the writer thread stopped (${why})`,
      {
        target: this.place,
        cause,
      },
    );
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of waiting) w.reject(this.failure);
    void this.worker.terminate();
    this.onFailure(this.failure, this.ready);
  }

  /** Batches the thread has committed (tests, metrics). */
  get commits(): number {
    return this.committed;
  }

  /** Batches the thread has answered, committed or failed (tests, metrics). */
  get answers(): number {
    return this.answered;
  }

  /** The most batches that were out on the thread at once (tests, metrics). */
  get mostBatchesOut(): number {
    return this.mostOut;
  }

  /** Tests: ends the thread at once, as if it had died. */
  kill(): Promise<number> {
    return this.worker.terminate();
  }

  /** Ends the thread once the batches out are committed; its connection closes. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = new Promise<void>((resolve) => {
      if (this.failure) return resolve();
      this.worker.ref();
      const limit = setTimeout(() => void this.worker.terminate(), 10_000);
      this.worker.once('exit', () => {
        clearTimeout(limit);
        resolve();
      });
      this.worker.postMessage('close'); // after the batches out, in order
    });
    return this.closing;
  }
}

// On the writer thread: serve (this module was imported by BOOT).
if (!isMainThread && parentPort && (workerData as Record<string, unknown> | null)?.[MARK] === true) {
  serveWriterThread(parentPort, workerData as WriterThreadData);
}
