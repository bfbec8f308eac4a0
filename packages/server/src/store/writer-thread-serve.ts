// The writer thread's side (writer-thread.ts starts it): its own connection to the database file,
// on which it writes StepWriter's batches as the main thread would (step-batch.ts, applyUnits, and
// the staged rows' merge), one transaction per batch, and answers with the results or the error.
import type { MessagePort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import type { Conn, Driver } from './driver.js';
import { StoreError } from './errors.js';
import { sqliteError } from './sqlite-errors.js';
import { applyUnits } from './step-batch.js';
import { StagedRows } from './staged-rows.js';
import type { MergePolicy } from './staged-rows.js';
import { fromWire, resultToWire } from './unit-wire.js';
import type { WireResult, WireUnit } from './unit-wire.js';

/** What the main thread gives the writer thread when it starts it. */
export interface WriterThreadData {
  file: string;
  place: string;
  /** The staged-rows account the main thread keeps too (staged-rows.ts). */
  staged: SharedArrayBuffer;
  merge: MergePolicy;
  /** This connection's wal_autocheckpoint and journal_size_limit: the main connection's (sqlite-driver.ts). */
  autocheckpointPages: number;
  journalSizeLimit: number;
}

export interface BatchRequest {
  id: number;
  /** The units as they cross (unit-wire.ts). */
  units: WireUnit[];
  now: number;
}

export type BatchAnswer =
  | { ready: true }
  | { id: number; results: WireResult[]; notify: boolean }
  | { id: number; error: ReturnType<StoreError['toJSON']> };

/** Only what applyUnits asks of a driver: the dialect, and "work was enqueued". */
class ThreadDriver implements Driver {
  readonly dialect = 'sqlite' as const;
  readonly shared = false;
  notified = false;
  constructor(
    readonly place: string,
    private readonly conn: Conn,
  ) {}
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.conn.all<T>(sql, params);
  }
  run(sql: string, params?: readonly unknown[]): Promise<number> {
    return this.conn.run(sql, params);
  }
  async notifyWork(): Promise<void> {
    this.notified = true;
  }
  private unsupported(): Promise<never> {
    return Promise.reject(new StoreError('Internal', `${this.place}: not on the writer thread`));
  }
  transaction<T>(): Promise<T> {
    return this.unsupported();
  }
  snapshot<T>(): Promise<T> {
    return this.unsupported();
  }
  listenWork(): Promise<() => Promise<void>> {
    return this.unsupported();
  }
  reclaimSpace(): Promise<number> {
    return this.unsupported();
  }
  tryAcquireLeadership(): Promise<boolean> {
    return this.unsupported();
  }
  releaseLeadership(): Promise<void> {
    return this.unsupported();
  }
  close(): Promise<void> {
    return this.unsupported();
  }
}

export function serveWriterThread(port: MessagePort, data: WriterThreadData): void {
  // Failing to open throws: the thread exits, and the main thread fails its callers.
  const db = new Database(data.file, { fileMustExist: true });
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // The main connection's transactions wait in-process for this thread's (SqliteDriver's write
  // lock); other processes (`start --workers`) are waited for here, off the event loop.
  db.pragma('busy_timeout = 5000');
  db.pragma(`wal_autocheckpoint = ${data.autocheckpointPages}`);
  db.pragma(`journal_size_limit = ${data.journalSizeLimit}`);
  const statements = new Map<string, Statement>();
  const stmt = (sql: string): Statement => {
    let s = statements.get(sql);
    if (!s) {
      s = db.prepare(sql);
      statements.set(sql, s);
    }
    return s;
  };
  const conn: Conn = {
    all: <T>(sql: string, params: readonly unknown[] = []) => {
      const s = stmt(sql);
      if (s.reader) return Promise.resolve(s.all(...params) as T[]);
      s.run(...params);
      return Promise.resolve([]);
    },
    run: (sql: string, params: readonly unknown[] = []) => {
      const s = stmt(sql);
      return Promise.resolve(s.reader ? s.all(...params).length : s.run(...params).changes);
    },
  };
  const driver = new ThreadDriver(data.place, conn);
  const staged = new StagedRows(data.staged);

  const write = async ({ id, units: wire, now }: BatchRequest): Promise<BatchAnswer> => {
    driver.notified = false;
    const units = wire.map(fromWire);
    try {
      stmt('BEGIN IMMEDIATE').run();
      const results = await applyUnits(driver, conn, units, now);
      await staged.mergeWhenDue(conn, units, data.merge);
      stmt('COMMIT').run();
      return { id, results: results.map(resultToWire), notify: driver.notified };
    } catch (e) {
      if (db.inTransaction) db.exec('ROLLBACK');
      return { id, error: sqliteError(e, data.place).toJSON() };
    }
  };
  // One batch at a time, in the order they came: the main thread may send the next while one is
  // being written (GroupCommitter's maxInFlight), and relies on this order.
  let queue = Promise.resolve();
  port.on('message', (m: BatchRequest | 'close') => {
    if (m === 'close') {
      void queue.then(() => {
        db.close();
        port.close();
      });
      return;
    }
    queue = queue.then(async () => port.postMessage(await write(m)));
  });
  port.postMessage({ ready: true } satisfies BatchAnswer);
}
