// The two backends the contract suite runs against. Each call makes a fresh database: a temp
// directory for SQLite, a randomly named database for PostgreSQL; dispose() removes it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import Database from 'better-sqlite3';
import { openStore } from '../open.js';
import type { SqlStore, SqlStoreOptions } from '../sql-store.js';

/** The server the PostgreSQL tests use (trust auth); override with FLOWBRIDGE_TEST_PG_URL. */
export const PG_ADMIN_URL = process.env.FLOWBRIDGE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface Fresh {
  store: SqlStore;
  /**
   * Another store to race against: on PostgreSQL a second one on the same database (another
   * process); on SQLite the same store, since one process owns an embedded database (DESIGN §3).
   */
  peer(): Promise<SqlStore>;
  /** Opens another store on the same database (a second process, or a restart). */
  reopen(options?: SqlStoreOptions): Promise<SqlStore>;
  /** Where it lives: the data directory or the database URL. */
  where: string;
  /** Reads the database behind the store's back (to check how things are stored). */
  query(sql: string): Promise<Array<Record<string, unknown>>>;
  dispose(): Promise<void>;
}

export interface Backend {
  name: 'sqlite' | 'postgres';
  fresh(options?: SqlStoreOptions): Promise<Fresh>;
}

async function trackClose(stores: SqlStore[]): Promise<void> {
  for (const s of stores) await s.close().catch(() => {});
}

export const sqliteBackend: Backend = {
  name: 'sqlite',
  async fresh(options = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'flowbridge-store-'));
    const stores: SqlStore[] = [];
    const reopen = async (o: SqlStoreOptions = options) => {
      const s = await openStore({ dataDir: dir, ...o });
      stores.push(s);
      return s;
    };
    try {
      const store = await reopen();
      return {
        store,
        reopen,
        peer: async () => store,
        where: dir,
        async query(sql) {
          const db = new Database(join(dir, 'flowbridge.db'), { readonly: true });
          try {
            return db.prepare(sql).all() as Array<Record<string, unknown>>;
          } finally {
            db.close();
          }
        },
        async dispose() {
          await trackClose(stores);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  },
};

export function databaseUrl(name: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createDatabase(): Promise<string> {
  const name = `flowbridge_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return name;
}

export async function dropDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export const postgresBackend: Backend = {
  name: 'postgres',
  async fresh(options = {}) {
    const name = await createDatabase();
    const url = databaseUrl(name);
    const stores: SqlStore[] = [];
    const reopen = async (o: SqlStoreOptions = options) => {
      const s = await openStore({ databaseUrl: url, poolSize: 4, ...o });
      stores.push(s);
      return s;
    };
    try {
      const store = await reopen();
      return {
        store,
        reopen,
        peer: () => reopen(),
        where: url,
        async query(sql) {
          const c = new pg.Client({ connectionString: url });
          await c.connect();
          try {
            return (await c.query(sql)).rows as Array<Record<string, unknown>>;
          } finally {
            await c.end();
          }
        },
        async dispose() {
          await trackClose(stores);
          await dropDatabase(name);
        },
      };
    } catch (e) {
      await trackClose(stores);
      await dropDatabase(name);
      throw e;
    }
  },
};

/** Is the PostgreSQL test server there? When not, its half of the suite is skipped (and says so). */
export async function postgresAvailable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

/** A clock tests can move. */
export function manualClock(start = Date.UTC(2026, 0, 1)): {
  now: () => number;
  advance(ms: number): void;
  set(t: number): void;
} {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
    set(v) {
      t = v;
    },
  };
}
