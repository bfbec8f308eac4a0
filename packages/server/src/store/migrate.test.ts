// Upgrades: a database written by an older Flowbridge (schema version 1, before events, action
// records and event counts were staged) opens, migrates, reads back what it held and goes on.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Driver } from './driver.js';
import { migrate } from './migrate.js';
import { openStore } from './open.js';
import { PostgresDriver } from './postgres-driver.js';
import { LATEST_SCHEMA_VERSION } from './schema.js';
import { SqliteDriver } from './sqlite-driver.js';
import { createDatabase, databaseUrl, dropDatabase, postgresAvailable } from './test-support/backends.js';

const pgUp = await postgresAvailable();

/** What version 1 held: a run with two events and an action record, written as that version did. */
async function writeVersion1(driver: Driver): Promise<void> {
  assert.deepEqual(await migrate(driver, 0, { to: 1 }), { from: 0, to: 1 });
  await driver.transaction(async (c) => {
    await c.run(
      `INSERT INTO flows (id, environment_id, name, state, kind, access_key, current_version, created_at, updated_at)
       VALUES ('f', 'default', 'f', 'Enabled', 'Stateful', 'k', 1, 0, 0)`,
    );
    await c.run(`INSERT INTO flow_versions (flow_id, version, definition, created_at) VALUES ('f', 1, '{}', 0)`);
    await c.run(
      `INSERT INTO runs (id, flow_id, flow_version, environment_id, trigger_name, status, start_time, init, last_seq)
       VALUES ('old', 'f', 1, 'default', 't', 'Running', 1, '{"x":1}', 2)`,
    );
    await c.run(`INSERT INTO run_events (run_id, seq, event) VALUES ('old', 1, '{"e":1}'), ('old', 2, '{"e":2}')`);
    await c.run(
      `INSERT INTO action_records (run_id, path, name, status, record, start_time)
       VALUES ('old', 'A', 'A', 'Running', '{"name":"A","path":"A","status":"Running"}', '2026-01-01T00:00:00.000Z')`,
    );
  });
  await driver.close();
}

const backends: Array<{
  name: string;
  skip: string | false;
  open: () => Promise<{ url: string; done: () => Promise<void> }>;
}> = [
  {
    name: 'sqlite',
    skip: false,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'flowbridge-migrate-'));
      await writeVersion1(new SqliteDriver({ dataDir: dir }));
      return { url: dir, done: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'postgres',
    skip: pgUp ? false : 'PostgreSQL test server not reachable',
    async open() {
      const name = await createDatabase();
      const url = databaseUrl(name);
      await writeVersion1(new PostgresDriver(url, { poolSize: 2 }));
      return { url, done: () => dropDatabase(name) };
    },
  },
];

describe('upgrade from schema version 1', () => {
  for (const b of backends) {
    test(b.name, { skip: b.skip }, async () => {
      const { url, done } = await b.open();
      try {
        const store = await openStore(b.name === 'postgres' ? { databaseUrl: url, poolSize: 2 } : { dataDir: url });
        try {
          assert.ok(LATEST_SCHEMA_VERSION >= 3, 'every later migration applied to a version-1 database');
          // Migration 3: trigger history is there and empty.
          assert.deepEqual(await store.listTriggerHistory('f', 't'), []);
          const before = await store.loadRunHistory('old');
          assert.deepEqual([before.init, before.events, before.lastSeq], [{ x: 1 }, [{ e: 1 }, { e: 2 }], 2]);
          const { seqs } = await store.commitStep('old', {
            events: [{ e: 3 }],
            records: [{ name: 'A', path: 'A', status: 'Succeeded' }],
            runUpdate: { status: 'Running' },
          });
          assert.deepEqual(seqs, [3]);
          const after = await store.loadRunHistory('old');
          assert.deepEqual([after.events, after.lastSeq], [[{ e: 1 }, { e: 2 }, { e: 3 }], 3]);
          const run = await store.getRun('old', { withActions: true });
          assert.deepEqual([run?.lastSeq, run?.actions], [3, [{ name: 'A', path: 'A', status: 'Succeeded' }]]);
        } finally {
          await store.close();
        }
      } finally {
        await done();
      }
    });
  }
});
