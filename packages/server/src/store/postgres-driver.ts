// pg behind the async Driver seam: a pool for statements and transactions, one dedicated
// connection for LISTEN, one per held leadership (an advisory lock lives as long as its session).
import pg from 'pg';
import type { Conn, Driver, Row } from './driver.js';
import { StoreError } from './errors.js';
import type { StoreErrorCode } from './errors.js';

export const WORK_CHANNEL = 'flowbridge_work';

const JSON_OIDS = new Set([114, 3802]); // json, jsonb: kept as text, parsed by the store like SQLite's
const INT8_OID = 20;

/** Type parsers for this store's connections only (pg.types is process-global). */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (JSON_OIDS.has(oid)) return (v: string) => v;
    if (oid === INT8_OID) return (v: string) => Number(v); // epoch ms and counts: far below 2^53
    return pg.types.getTypeParser(oid, format);
  },
};

/** Errors after which nothing was committed and the connection is gone or never came. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '3D000', // database does not exist
  '28P01', // password authentication failed
  '28000', // invalid authorization
]);
/** Errors after which the transaction was rolled back and may simply be run again. */
const RETRYABLE_TX_CODES = new Set(['40001', '40P01']);

function pgCode(e: unknown): string {
  if (e === null || typeof e !== 'object') return '';
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : '';
}

function isConnectionError(e: unknown): boolean {
  const code = pgCode(e);
  if (CONNECTION_CODES.has(code) || code.startsWith('08')) return true;
  const message = e instanceof Error ? e.message : '';
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(
    message,
  );
}

function codeOf(e: unknown): StoreErrorCode {
  const code = pgCode(e);
  if (code === '23505') return 'Conflict';
  if (code === '23503') return 'NotFound';
  if (code.startsWith('22') || code.startsWith('23')) return 'InvalidArgument';
  if (isConnectionError(e)) return 'StoreUnavailable';
  return 'Internal';
}

export function postgresError(e: unknown, place: string): StoreError {
  if (e instanceof StoreError) return e;
  const code = codeOf(e);
  const message = e instanceof Error ? e.message : String(e);
  return new StoreError(
    code,
    code === 'StoreUnavailable' ? `${place} is unavailable: ${message}` : `${place}: ${message}`,
    {
      target: place,
      cause: e,
    },
  );
}

/** `?` placeholders to `$1..$n`. Our SQL never has `?` inside literals. */
const numbered = new Map<string, string>();
function toNumbered(sql: string): string {
  let out = numbered.get(sql);
  if (out === undefined) {
    let i = 0;
    out = sql.replace(/\?/g, () => `$${++i}`);
    if (numbered.size < 10_000) numbered.set(sql, out);
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** "postgres://user@host:5432/db" without the password, for messages. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `PostgreSQL ${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return 'PostgreSQL (unparsable URL)';
  }
}

export class PostgresDriver implements Driver {
  readonly dialect = 'postgres' as const;
  readonly shared = true;
  readonly place: string;
  private readonly pool: pg.Pool;
  private readonly leaders = new Map<string, pg.Client>();
  private listener: pg.Client | null = null;
  private readonly listeners = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly url: string,
    options: { poolSize?: number; retries?: number } = {},
  ) {
    this.place = describeUrl(url);
    this.retries = options.retries ?? 3;
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      types,
      connectionTimeoutMillis: 10_000,
    });
    // An idle client that dies must not crash the process; the next checkout reconnects.
    this.pool.on('error', () => {});
  }
  private readonly retries: number;

  private conn(client: pg.PoolClient | pg.Client): Conn {
    return {
      all: async <T>(sql: string, params: readonly unknown[] = []) => {
        try {
          return (await client.query(toNumbered(sql), params as unknown[])).rows as T[];
        } catch (e) {
          throw postgresError(e, this.place);
        }
      },
      run: async (sql: string, params: readonly unknown[] = []) => {
        try {
          return (await client.query(toNumbered(sql), params as unknown[])).rowCount ?? 0;
        } catch (e) {
          throw postgresError(e, this.place);
        }
      },
    };
  }

  /** Checks out a connection, retrying while the server cannot be reached (nothing was sent yet). */
  private async connect(): Promise<pg.PoolClient> {
    if (this.closed) throw new StoreError('Closed', `${this.place}: the store is closed`);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.pool.connect();
      } catch (e) {
        if (attempt >= this.retries || !isConnectionError(e)) throw postgresError(e, this.place);
        await sleep(50 * 2 ** attempt);
      }
    }
  }

  private async single<T>(fn: (c: Conn) => Promise<T>): Promise<T> {
    const client = await this.connect();
    let broken: Error | undefined;
    try {
      return await fn(this.conn(client));
    } catch (e) {
      if (e instanceof StoreError && e.code === 'StoreUnavailable') broken = e;
      throw e;
    } finally {
      client.release(broken);
    }
  }

  all<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.single((c) => c.all<T>(sql, params));
  }

  run(sql: string, params?: readonly unknown[]): Promise<number> {
    return this.single((c) => c.run(sql, params));
  }

  async transaction<T>(fn: (c: Conn) => Promise<T>, options: { retryable?: boolean } = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const client = await this.connect();
      const c = this.conn(client);
      let broken: Error | undefined;
      try {
        await c.run('BEGIN');
        const result = await fn(c);
        await c.run('COMMIT');
        return result;
      } catch (e) {
        const cause = e instanceof StoreError ? e.cause : e;
        if (isConnectionError(cause)) broken = e as Error;
        else await client.query('ROLLBACK').catch(() => {});
        // A lost connection during COMMIT leaves the outcome unknown: never retried here.
        if (options.retryable && attempt < this.retries && RETRYABLE_TX_CODES.has(pgCode(cause))) {
          await sleep(5 * 2 ** attempt);
          continue;
        }
        throw e;
      } finally {
        client.release(broken);
      }
    }
  }

  async snapshot<T>(fn: (c: Conn) => Promise<T>): Promise<T> {
    const client = await this.connect();
    const c = this.conn(client);
    let broken: Error | undefined;
    try {
      // READ COMMITTED (the default) takes a snapshot per statement; two reads could straddle a commit.
      await c.run('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const result = await fn(c);
      await c.run('COMMIT');
      return result;
    } catch (e) {
      const cause = e instanceof StoreError ? e.cause : e;
      if (isConnectionError(cause)) broken = e as Error;
      else await client.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      client.release(broken);
    }
  }

  async notifyWork(c: Conn): Promise<void> {
    // Delivered at commit, once per transaction and channel (PostgreSQL folds duplicates).
    await c.run(`SELECT pg_notify('${WORK_CHANNEL}', '')`);
  }

  async listenWork(callback: () => void): Promise<() => Promise<void>> {
    this.listeners.add(callback);
    if (!this.listener) await this.startListener();
    return async () => {
      this.listeners.delete(callback);
      if (!this.listeners.size && this.listener) {
        const l = this.listener;
        this.listener = null;
        await l.end().catch(() => {});
      }
    };
  }

  private async startListener(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, types });
    try {
      await client.connect();
      await client.query(`LISTEN ${WORK_CHANNEL}`);
    } catch (e) {
      await client.end().catch(() => {});
      throw postgresError(e, this.place);
    }
    this.listener = client;
    client.on('notification', () => {
      for (const cb of this.listeners) cb();
    });
    client.on('error', () => {
      // Reconnect, then wake everyone once: notifications sent while we were away are lost.
      if (this.listener !== client) return;
      this.listener = null;
      client.end().catch(() => {});
      void this.relisten();
    });
  }

  private async relisten(): Promise<void> {
    for (let attempt = 0; !this.closed && this.listeners.size && !this.listener; attempt++) {
      try {
        await this.startListener();
        for (const cb of this.listeners) cb();
      } catch {
        await sleep(Math.min(5000, 100 * 2 ** attempt));
      }
    }
  }

  async tryAcquireLeadership(name: string): Promise<boolean> {
    const held = this.leaders.get(name);
    if (held) {
      try {
        await held.query('SELECT 1');
        return true;
      } catch {
        this.leaders.delete(name); // session gone: so is the lock; compete again below
        await held.end().catch(() => {});
      }
    }
    const client = new pg.Client({ connectionString: this.url, types });
    client.on('error', () => {
      if (this.leaders.get(name) === client) this.leaders.delete(name);
    });
    try {
      await client.connect();
      const rows = (await client.query('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [`flowbridge:${name}`]))
        .rows as Array<{ ok: boolean }>;
      if (rows[0]?.ok) {
        this.leaders.set(name, client);
        return true;
      }
    } catch (e) {
      await client.end().catch(() => {});
      throw postgresError(e, this.place);
    }
    await client.end().catch(() => {});
    return false;
  }

  // Deleted rows' space is reused after autovacuum's plain VACUUM; nothing to give back here.
  async reclaimSpace(): Promise<number> {
    return 0;
  }

  async releaseLeadership(name: string): Promise<void> {
    const client = this.leaders.get(name);
    if (!client) return;
    this.leaders.delete(name);
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`flowbridge:${name}`]).catch(() => {});
    await client.end().catch(() => {});
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const clients = [...this.leaders.values()];
    this.leaders.clear();
    if (this.listener) clients.push(this.listener);
    this.listener = null;
    this.listeners.clear();
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    await this.pool.end();
  }
}
