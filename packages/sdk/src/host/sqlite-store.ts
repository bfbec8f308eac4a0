/**
 * Subscriptions, and the journal of deliveries not settled yet, in a SQLite file that survives
 * restarts. better-sqlite3 (the engine Flowbridge's
 * own embedded store uses) is an optional peer dependency: it is loaded here, on first use, so a
 * host that keeps subscriptions elsewhere never needs the native module. The file holds callback
 * URLs, which are credentials: it is made readable by its owner only (0600).
 */
import type BetterSqlite3 from 'better-sqlite3';
import {
  ConnectorHostError,
  type DeliveryJournal,
  type PendingDelivery,
  type Subscription,
  type SubscriptionStore,
} from './types.js';

type Database = BetterSqlite3.Database;

interface Row {
  id: string;
  operation_id: string;
  flow_id: string | null;
  flow_name: string | null;
  parameters: string;
  callback_url: string;
  created_at: string;
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS flowbridge_subscriptions (
  id TEXT PRIMARY KEY,
  operation_id TEXT NOT NULL,
  flow_id TEXT,
  flow_name TEXT,
  parameters TEXT NOT NULL,
  callback_url TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS flowbridge_subscriptions_operation ON flowbridge_subscriptions (operation_id, created_at);
CREATE TABLE IF NOT EXISTS flowbridge_deliveries (
  id TEXT PRIMARY KEY,
  event_id TEXT NOT NULL,
  subscription_id TEXT NOT NULL,
  operation_id TEXT NOT NULL,
  body TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  created_at INTEGER NOT NULL
)`;

interface DeliveryRow {
  id: string;
  event_id: string;
  subscription_id: string;
  operation_id: string;
  body: string;
  attempts: number;
  created_at: number;
}

const fromRow = (row: Row): Subscription => ({
  id: row.id,
  operationId: row.operation_id,
  flowId: row.flow_id,
  flowName: row.flow_name,
  parameters: JSON.parse(row.parameters) as Subscription['parameters'],
  callbackUrl: row.callback_url,
  createdAt: row.created_at,
});

async function open(path: string): Promise<Database> {
  let Driver: typeof BetterSqlite3;
  try {
    Driver = (await import('better-sqlite3')).default;
  } catch (error) {
    throw new ConnectorHostError(
      'StoreUnavailable',
      `sqliteStore needs the better-sqlite3 package (an optional peer dependency of @flowbridge/sdk): npm install better-sqlite3@12.9.0 (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (path !== ':memory:') {
    // Made private before SQLite writes to it; SQLite gives its -wal and -shm files the same mode.
    const { chmodSync, closeSync, openSync } = await import('node:fs');
    closeSync(openSync(path, 'a', 0o600));
    chmodSync(path, 0o600);
  }
  const db = new Driver(path);
  db.pragma('journal_mode = WAL');
  db.exec(SCHEMA);
  return db;
}

function journal(db: () => Promise<Database>): DeliveryJournal {
  return {
    add: async (deliveries) => {
      const database = await db();
      const insert = database.prepare(
        `INSERT OR IGNORE INTO flowbridge_deliveries (id, event_id, subscription_id, operation_id, body, attempts, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      );
      database.transaction((all: PendingDelivery[]) => {
        for (const d of all)
          insert.run(d.id, d.eventId, d.subscriptionId, d.operationId, d.body, d.attempts, d.createdAt);
      })(deliveries);
    },
    tried: async (id, attempts) => {
      (await db()).prepare('UPDATE flowbridge_deliveries SET attempts = ? WHERE id = ?').run(attempts, id);
    },
    settle: async (id) => {
      (await db()).prepare('DELETE FROM flowbridge_deliveries WHERE id = ?').run(id);
    },
    pending: async () => {
      const rows = (await db())
        .prepare('SELECT * FROM flowbridge_deliveries ORDER BY created_at, id')
        .all() as DeliveryRow[];
      return rows.map((r) => ({
        id: r.id,
        eventId: r.event_id,
        subscriptionId: r.subscription_id,
        operationId: r.operation_id,
        body: r.body,
        attempts: r.attempts,
        createdAt: r.created_at,
      }));
    },
  };
}

/** A store in the SQLite file at `path` (created if absent); the driver loads on first use. */
export function sqliteStore(path: string): SubscriptionStore {
  let opening: Promise<Database> | undefined;
  let closed = false;
  // Closed is closed: a delivery still waiting when the host closes its store must not reopen it.
  const db = (): Promise<Database> =>
    closed
      ? Promise.reject(new ConnectorHostError('StoreUnavailable', `the store ${path} is closed`))
      : (opening ??= open(path));
  return {
    deliveries: journal(db),
    add: async (s) => {
      (await db())
        .prepare(
          `INSERT INTO flowbridge_subscriptions (id, operation_id, flow_id, flow_name, parameters, callback_url, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(s.id, s.operationId, s.flowId, s.flowName, JSON.stringify(s.parameters), s.callbackUrl, s.createdAt);
    },
    get: async (id) => {
      const row = (await db()).prepare('SELECT * FROM flowbridge_subscriptions WHERE id = ?').get(id) as
        Row | undefined;
      return row ? fromRow(row) : undefined;
    },
    remove: async (id) => (await db()).prepare('DELETE FROM flowbridge_subscriptions WHERE id = ?').run(id).changes > 0,
    list: async (operationId) => {
      const database = await db();
      const rows = (
        operationId === undefined
          ? database.prepare('SELECT * FROM flowbridge_subscriptions ORDER BY created_at, id').all()
          : database
              .prepare('SELECT * FROM flowbridge_subscriptions WHERE operation_id = ? ORDER BY created_at, id')
              .all(operationId)
      ) as Row[];
      return rows.map(fromRow);
    },
    close: async () => {
      closed = true;
      if (!opening) return;
      const database = await opening.catch(() => undefined);
      opening = undefined;
      database?.close();
    },
  };
}
