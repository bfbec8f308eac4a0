// Failures name the place and carry a code: unusable data directories, corrupt files,
// unreachable or lost PostgreSQL servers, databases from a newer Flowbridge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from './open.js';
import { isStoreError } from './errors.js';
import type { StoreErrorCode } from './errors.js';
import { PG_ADMIN_URL, createDatabase, databaseUrl, dropDatabase, postgresAvailable } from './test-support/backends.js';

const pgUp = await postgresAvailable();
const noPg = pgUp ? false : 'PostgreSQL test server not reachable';

function expectStoreError(code: StoreErrorCode, mentions: string) {
  return (e: unknown) => {
    assert.ok(isStoreError(e), `expected a StoreError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.ok(e.message.includes(mentions), `"${e.message}" should name ${mentions}`);
    return true;
  };
}

function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-store-err-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test('SQLite: a data directory that cannot be created is StoreUnavailable, naming it', () =>
  withTempDir(async (dir) => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a directory');
    const dataDir = join(blocker, 'data');
    await assert.rejects(openStore({ dataDir }), expectStoreError('StoreUnavailable', dataDir));
  }));

test('SQLite: a file that is not a database is StoreCorrupt, naming it', () =>
  withTempDir(async (dir) => {
    const file = join(dir, 'flowbridge.db');
    writeFileSync(file, Buffer.alloc(8192, 0x5a));
    await assert.rejects(openStore({ dataDir: dir }), expectStoreError('StoreCorrupt', file));
  }));

test('SQLite: the default data directory is created and reused', () =>
  withTempDir(async (dir) => {
    const dataDir = join(dir, 'nested', '.flowbridge');
    const a = await openStore({ dataDir });
    await a.setSetting('k', 1);
    await a.close();
    const b = await openStore({ dataDir });
    assert.equal(await b.getSetting('k'), 1);
    await b.close();
  }));

test('SQLite: a database from a newer Flowbridge is IncompatibleSchema', () =>
  withTempDir(async (dir) => {
    const a = await openStore({ dataDir: dir });
    await a.close();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(join(dir, 'flowbridge.db'));
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)").run();
    db.close();
    await assert.rejects(openStore({ dataDir: dir }), expectStoreError('IncompatibleSchema', 'flowbridge.db'));
  }));

test('a databaseUrl that is not postgres:// is InvalidArgument', async () => {
  await assert.rejects(openStore({ databaseUrl: 'mysql://x/y' }), expectStoreError('InvalidArgument', 'postgres'));
});

test('PostgreSQL: an unreachable server is StoreUnavailable, naming host and database', { skip: noPg }, async () => {
  await assert.rejects(
    openStore({ databaseUrl: 'postgres://postgres@127.0.0.1:1/nowhere' }),
    expectStoreError('StoreUnavailable', '127.0.0.1:1/nowhere'),
  );
});

test('PostgreSQL: a missing database is StoreUnavailable, naming it', { skip: noPg }, async () => {
  const url = databaseUrl('flowbridge_no_such_db');
  await assert.rejects(openStore({ databaseUrl: url }), expectStoreError('StoreUnavailable', 'flowbridge_no_such_db'));
});

test(
  'PostgreSQL: connections killed under the store: StoreUnavailable or success, then it recovers',
  { skip: noPg },
  async () => {
    const name = await createDatabase();
    try {
      const store = await openStore({ databaseUrl: databaseUrl(name) });
      try {
        await store.setSetting('k', 1);
        const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
        await admin.connect();
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
        await admin.end();
        // The pooled connection is dead: the next statement may fail, with a code; then the pool reconnects.
        try {
          await store.getSetting('k');
        } catch (e) {
          assert.ok(isStoreError(e, 'StoreUnavailable'), String(e));
          assert.match((e as Error).message, new RegExp(name));
        }
        assert.equal(await store.getSetting('k'), 1);
        await store.setSetting('k', 2);
        assert.equal(await store.getSetting('k'), 2);
      } finally {
        await store.close();
      }
    } finally {
      await dropDatabase(name);
    }
  },
);

test('PostgreSQL: leadership is held by one store until released or its session dies', { skip: noPg }, async () => {
  const name = await createDatabase();
  const url = databaseUrl(name);
  const a = await openStore({ databaseUrl: url });
  const b = await openStore({ databaseUrl: url });
  try {
    assert.equal(await a.tryAcquireLeadership('scheduler'), true);
    assert.equal(await a.tryAcquireLeadership('scheduler'), true); // still ours
    assert.equal(await b.tryAcquireLeadership('scheduler'), false);
    assert.equal(await b.tryAcquireLeadership('other'), true);
    await a.releaseLeadership('scheduler');
    assert.equal(await b.tryAcquireLeadership('scheduler'), true);
    // The leader's process dies (its sessions end): another takes over.
    await b.close();
    assert.equal(await a.tryAcquireLeadership('scheduler'), true);
  } finally {
    await a.close();
    await b.close();
    await dropDatabase(name);
  }
});

test('PostgreSQL: another process hears about enqueued work (LISTEN/NOTIFY)', { skip: noPg }, async () => {
  const name = await createDatabase();
  const url = databaseUrl(name);
  const worker = await openStore({ databaseUrl: url });
  const api = await openStore({ databaseUrl: url });
  try {
    let heard = 0;
    worker.onWork(() => heard++);
    await worker.whenListening();
    await api.enqueue([{ kind: 'run' }]);
    for (let i = 0; i < 200 && heard === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(heard >= 1, 'the worker was not notified');
    assert.equal((await worker.claim('w', 10, 1000)).length, 1);
  } finally {
    await worker.close();
    await api.close();
    await dropDatabase(name);
  }
});

test('SQLite: leadership is always this process', () =>
  withTempDir(async (dir) => {
    const s = await openStore({ dataDir: dir });
    assert.equal(await s.tryAcquireLeadership('scheduler'), true);
    await s.close();
  }));
