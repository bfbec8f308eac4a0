// The narrow seam between the store's SQL (one module per aggregate, assembled in sql-store.ts)
// and a database client. SQL is written with `?` placeholders; the PostgreSQL driver numbers them.
// Rows come back with JSON columns as text (both drivers) and BIGINT columns as numbers.

export type Row = Record<string, unknown>;

export interface Conn {
  all<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

export interface Driver extends Conn {
  readonly dialect: 'sqlite' | 'postgres';
  /** Where the data lives, for messages ("SQLite database /x/flowbridge.db", "PostgreSQL db@host"). */
  readonly place: string;
  /**
   * Whether other processes use this database at once (PostgreSQL always; SQLite under
   * `flowbridge start --workers`): runs are then leased, and a process leads only by lock.
   */
  readonly shared: boolean;
  /**
   * Runs fn in one transaction on one connection; nothing else uses that connection meanwhile.
   * `retryable` says the whole fn may be run again after a transient failure (serialization,
   * deadlock) that rolled it back.
   */
  transaction<T>(fn: (c: Conn) => Promise<T>, options?: { retryable?: boolean }): Promise<T>;
  /**
   * Runs fn's reads against one consistent snapshot of the database (PostgreSQL: a REPEATABLE READ,
   * READ ONLY transaction; SQLite: a read transaction no write of this process can interleave with).
   */
  snapshot<T>(fn: (c: Conn) => Promise<T>): Promise<T>;
  /** Tells other processes that work was enqueued (inside the transaction that enqueued it). */
  notifyWork(c: Conn): Promise<void>;
  /** Subscribes to other processes' notifications (PostgreSQL; SQLite only when shared). */
  listenWork(callback: () => void): Promise<() => Promise<void>>;
  /**
   * Gives up to `pages` free pages of the database file back to the file system, between
   * transactions (SQLite, auto_vacuum = INCREMENTAL since migration 9; retention calls it between
   * its batches). Resolves to the free pages left. PostgreSQL: nothing to do (autovacuum), 0.
   */
  reclaimSpace(pages: number): Promise<number>;
  tryAcquireLeadership(name: string): Promise<boolean>;
  releaseLeadership(name: string): Promise<void>;
  close(): Promise<void>;
}
