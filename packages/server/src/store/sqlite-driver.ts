// better-sqlite3 behind the async Driver seam. One connection, owned by this process (DESIGN §3).
// better-sqlite3 is synchronous; the seam is async so both backends share one store. Because a
// transaction spans awaits, a small lock keeps other callers' statements out of it.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import type { Conn, Driver, Row } from './driver.js';
import { StoreError } from './errors.js';
import type { StoreErrorCode } from './errors.js';

export const SQLITE_FILE_NAME = 'flowbridge.db';

function codeOf(e: unknown): StoreErrorCode {
  const code = e !== null && typeof e === 'object' ? (e as { code?: unknown }).code : undefined;
  if (typeof code !== 'string') {
    if (e instanceof TypeError && /not open/.test(e.message)) return 'Closed';
    if (e instanceof RangeError || e instanceof TypeError) return 'InvalidArgument';
    return 'Internal';
  }
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return 'Conflict';
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'NotFound';
  if (code.startsWith('SQLITE_CONSTRAINT')) return 'InvalidArgument';
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) return 'StoreCorrupt';
  if (/^SQLITE_(CANTOPEN|READONLY|IOERR|FULL|BUSY|LOCKED|PERM|NOLFS|PROTOCOL)/.test(code)) return 'StoreUnavailable';
  return 'Internal';
}

export function sqliteError(e: unknown, place: string): StoreError {
  if (e instanceof StoreError) return e;
  const code = codeOf(e);
  const message = e instanceof Error ? e.message : String(e);
  const what =
    code === 'StoreCorrupt'
      ? `${place} is not a readable Flowbridge database (${message})`
      : code === 'StoreUnavailable'
        ? `${place} is unavailable: ${message}`
        : `${place}: ${message}`;
  return new StoreError(code, what, { target: place, cause: e });
}

export class SqliteDriver implements Driver {
  readonly dialect = 'sqlite' as const;
  readonly place: string;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Statement>();
  private locked = false;
  private readonly waiters: Array<() => void> = [];
  private readonly direct: Conn;

  /** Opens (creating when missing) dataDir/flowbridge.db. `file` overrides the path (tests, ':memory:'). */
  constructor(options: { dataDir: string; file?: string }) {
    const dir = resolve(options.dataDir);
    const file = options.file ?? join(dir, SQLITE_FILE_NAME);
    this.place = `SQLite database ${file}`;
    if (options.file === undefined) {
      try {
        mkdirSync(dir, { recursive: true });
      } catch (e) {
        throw new StoreError('StoreUnavailable', `cannot create the data directory ${dir}: ${(e as Error).message}`, {
          target: dir,
          cause: e,
        });
      }
    }
    try {
      this.db = new Database(file);
    } catch (e) {
      throw sqliteError(e, this.place);
    }
    try {
      // The first read of the file: a file that is not a database fails here with SQLITE_NOTADB.
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      this.db.pragma('busy_timeout = 5000');
    } catch (e) {
      this.db.close();
      throw sqliteError(e, this.place);
    }
    this.direct = { all: (s, p) => this.execAll(s, p), run: (s, p) => this.execRun(s, p) };
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
      if (s.reader) return Promise.resolve(s.all(...params) as T[]);
      s.run(...params);
      return Promise.resolve([]);
    } catch (e) {
      return Promise.reject(sqliteError(e, this.place));
    }
  }

  private execRun(sql: string, params: readonly unknown[] = []): Promise<number> {
    try {
      const s = this.stmt(sql);
      if (s.reader) return Promise.resolve(s.all(...params).length);
      return Promise.resolve(s.run(...params).changes);
    } catch (e) {
      return Promise.reject(sqliteError(e, this.place));
    }
  }

  private async acquire(): Promise<void> {
    if (!this.locked) {
      this.locked = true;
      return;
    }
    await new Promise<void>((r) => this.waiters.push(r));
  }

  private release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.locked = false;
  }

  async all<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    if (!this.locked) return this.execAll<T>(sql, params);
    await this.acquire();
    try {
      return await this.execAll<T>(sql, params);
    } finally {
      this.release();
    }
  }

  async run(sql: string, params?: readonly unknown[]): Promise<number> {
    if (!this.locked) return this.execRun(sql, params);
    await this.acquire();
    try {
      return await this.execRun(sql, params);
    } finally {
      this.release();
    }
  }

  async transaction<T>(fn: (c: Conn) => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      // IMMEDIATE: take the write lock now, so a second process fails at BEGIN, not halfway.
      await this.execRun('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.direct);
        await this.execRun('COMMIT');
        return result;
      } catch (e) {
        if (this.db.open && this.db.inTransaction) this.db.exec('ROLLBACK');
        throw e;
      }
    } finally {
      this.release();
    }
  }

  async notifyWork(): Promise<void> {}

  async listenWork(): Promise<() => Promise<void>> {
    return async () => {};
  }

  // One process owns an embedded database: it is always the scheduler.
  async tryAcquireLeadership(): Promise<boolean> {
    return true;
  }

  async releaseLeadership(): Promise<void> {}

  async close(): Promise<void> {
    if (this.db.open) {
      this.statements.clear();
      this.db.close();
    }
  }
}
