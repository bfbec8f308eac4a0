// SQLite's side of compact run history (compact-json.ts) and of migration 9: what the rows hold,
// that a database of any age ends up with auto_vacuum = INCREMENTAL, and that retention gives the
// space of what it deleted back to the file system.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { unpackJson } from './compact-json.js';
import { migrate } from './migrate.js';
import { openStore } from './open.js';
import { SqliteDriver } from './sqlite-driver.js';

function withDir(fn: (dir: string, file: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowbridge-history-'));
    try {
      await fn(dir, join(dir, 'flowbridge.db'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

function pragma(file: string, name: string): number {
  const db = new Database(file);
  try {
    return Number(db.pragma(name, { simple: true }));
  } finally {
    db.close();
  }
}

const T = '2026-01-01T00:00:00.1230000Z';

describe('SQLite run history', () => {
  test(
    'a new database and one of schema version 7 both end up with auto_vacuum = INCREMENTAL',
    withDir(async (dir, file) => {
      const old = new SqliteDriver({ dataDir: dir });
      await migrate(old, 0, { to: 7 });
      await old.close();
      assert.equal(pragma(file, 'auto_vacuum'), 0);
      await (await openStore({ dataDir: dir })).close();
      assert.equal(pragma(file, 'auto_vacuum'), 2);
      const fresh = mkdtempSync(join(tmpdir(), 'flowbridge-history-'));
      try {
        await (await openStore({ dataDir: fresh })).close();
        assert.equal(pragma(join(fresh, 'flowbridge.db'), 'auto_vacuum'), 2);
      } finally {
        rmSync(fresh, { recursive: true, force: true });
      }
    }),
  );

  test(
    'rows hold compact records, packed times and large JSON compressed',
    withDir(async (dir, file) => {
      const store = await openStore({ dataDir: dir });
      const { flow } = await store.createFlow({ name: 'f', definition: {} });
      const init = { runId: 'r', trigger: { outputs: { body: 'hello '.repeat(200) } } };
      await store.createRun(
        { id: 'r', flowId: flow.id, flowVersion: 1, triggerName: 'manual', init },
        {
          records: [
            {
              name: 'A',
              path: 'A',
              status: 'Succeeded',
              error: null,
              inputs: 1,
              outputs: 1,
              startTime: T,
              endTime: T,
              trackingId: 'r/A',
            },
          ],
        },
      );
      await store.close();
      const db = new Database(file, { readonly: true });
      try {
        const run = db.prepare(`SELECT init FROM runs WHERE id = 'r'`).get() as { init: unknown };
        assert.ok(Buffer.isBuffer(run.init), 'the large init is stored compressed');
        assert.ok((run.init as Buffer).length < JSON.stringify(init).length / 5);
        const rec = db
          .prepare(
            `SELECT record, name, start_time, end_time FROM action_records_recent WHERE run_id = 'r'
             UNION ALL SELECT record, name, start_time, end_time FROM action_records WHERE run_id = 'r'`,
          )
          .get() as { record: string; name: string; start_time: unknown; end_time: unknown };
        assert.deepEqual(JSON.parse(rec.record), { inputs: 1, $c: 'npsxobet' });
        assert.equal(rec.start_time, `#${Date.parse(T).toString(36).padStart(9, '0')}`);
        assert.equal(rec.end_time, '#', 'the end time is the start time');
        assert.equal(rec.name, '', 'the name is the path');
      } finally {
        db.close();
      }
      const again = await openStore({ dataDir: dir });
      try {
        const read = await again.getRun('r', { withActions: true });
        assert.deepStrictEqual(read?.init, init);
        assert.deepStrictEqual(read?.actions?.[0]?.startTime, T);
        assert.deepStrictEqual(read?.actions?.[0]?.endTime, T);
        assert.deepStrictEqual(read?.actions?.[0]?.name, 'A');
      } finally {
        await again.close();
      }
    }),
  );

  test(
    'a run init of a few hundred bytes is stored compact, compressed as its row is written',
    withDir(async (dir, file) => {
      const store = await openStore({ dataDir: dir });
      const { flow } = await store.createFlow({ name: 'f', definition: {} });
      const init = {
        runId: 's',
        workflow: { id: flow.id, name: 'f', version: '1' },
        trigger: { name: 'manual', outputs: { body: 'hello '.repeat(50) }, startTime: new Date(7).toISOString() },
        now: 7,
      };
      await store.createRun({ id: 's', flowId: flow.id, flowVersion: 1, triggerName: 'manual', startTime: 7, init });
      assert.deepStrictEqual((await store.getRun('s'))?.init, init);
      await store.close();
      const db = new Database(file, { readonly: true });
      try {
        const { stored } = db.prepare(`SELECT init AS stored FROM runs WHERE id = 's'`).get() as { stored: unknown };
        assert.ok(stored instanceof Uint8Array, 'compressed (a BLOB)');
        assert.ok(stored.byteLength < 200, `${stored.byteLength} bytes`);
        assert.deepEqual(JSON.parse(unpackJson(stored)), {
          workflow: { name: 'f' },
          trigger: { outputs: { body: 'hello '.repeat(50) } },
          $c: 'rivgbw',
        });
      } finally {
        db.close();
      }
    }),
  );

  test(
    'retention gives the pages of what it deleted back to the file system',
    withDir(async (dir, file) => {
      const store = await openStore({ dataDir: dir });
      const { flow } = await store.createFlow({ name: 'f', definition: {} });
      const base = pragma(file, 'page_count');
      const big = (i: number) => Array.from({ length: 40 }, (_, j) => `${i}-${j}-${Math.random()}`);
      for (let i = 0; i < 300; i++) {
        await store.createRun(
          {
            id: `r${i}`,
            flowId: flow.id,
            flowVersion: 1,
            triggerName: 'manual',
            startTime: i < 250 ? 1 : 10,
            init: {},
          },
          {
            records: [{ name: 'A', path: 'A', status: 'Succeeded', inputs: big(i), outputs: big(i + 1) }],
            runUpdate: { status: 'Succeeded' },
          },
        );
      }
      await store.close();
      const before = pragma(file, 'page_count');
      const again = await openStore({ dataDir: dir });
      try {
        assert.equal((await again.pruneRunsOlderThan(5)).runs, 250);
        assert.equal((await again.listRuns({ flowId: flow.id })).items.length, 50);
      } finally {
        await again.close();
      }
      const after = pragma(file, 'page_count');
      assert.equal(pragma(file, 'freelist_count'), 0);
      assert.ok(after - base < (before - base) / 3, `page count ${base} empty, ${before} -> ${after}`);
    }),
  );
});
