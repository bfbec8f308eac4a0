// The queries for unfinished runs (the leader's admission sweep, a limited flow's admission, the
// API's "running runs" list) must find them through the partial indexes, never by walking the
// history: with 300,000 finished runs, one walk blocked the event loop for 130 ms every 10 s under
// load. SQLite's planner decides without statistics (no ANALYZE), so each case records the SQL the
// store really runs, through a driver that passes everything on, and asks SQLite for its plan.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Conn, Driver } from './driver.js';
import { migrate } from './migrate.js';
import type { RunQuery } from './run-types.js';
import { createSqlStore, type SqlStore } from './sql-store.js';
import { SqliteDriver } from './sqlite-driver.js';

interface Statement {
  sql: string;
  params: readonly unknown[];
}

/** `driver` with every statement it is given, in transactions too, appended to `seen`. */
function recording(driver: Driver, seen: Statement[]): Driver {
  const conn = (c: Conn): Conn => ({
    all: (sql, params = []) => {
      seen.push({ sql, params });
      return c.all(sql, params);
    },
    run: (sql, params = []) => {
      seen.push({ sql, params });
      return c.run(sql, params);
    },
  });
  return {
    ...conn(driver),
    dialect: driver.dialect,
    place: driver.place,
    shared: driver.shared,
    transaction: (fn, options) => driver.transaction((c) => fn(conn(c)), options),
    snapshot: (fn) => driver.snapshot((c) => fn(conn(c))),
    notifyWork: (c) => driver.notifyWork(c),
    listenWork: (callback) => driver.listenWork(callback),
    reclaimSpace: (pages) => driver.reclaimSpace(pages),
    tryAcquireLeadership: (name) => driver.tryAcquireLeadership(name),
    releaseLeadership: (name) => driver.releaseLeadership(name),
    close: () => driver.close(),
  };
}

/** SQLite's plan of each SELECT on `runs` that `call` ran, one line per step of each plan. */
async function plansOf(
  driver: Driver,
  seen: Statement[],
  call: () => Promise<unknown>,
): Promise<Array<{ sql: string; plan: string[] }>> {
  seen.length = 0;
  await call();
  const selects = seen.filter((s) => /^\s*SELECT\b[\s\S]*\bFROM runs\b/.test(s.sql));
  assert.ok(selects.length > 0, 'the call read the runs table');
  const plans = [];
  for (const s of selects) {
    const rows = await driver.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${s.sql}`, s.params);
    plans.push({ sql: s.sql.replace(/\s+/g, ' '), plan: rows.map((r) => r.detail) });
  }
  return plans;
}

function assertIndexed(plans: Array<{ sql: string; plan: string[] }>): void {
  for (const { sql, plan } of plans) {
    const text = plan.join(' | ');
    assert.match(text, /SEARCH runs USING (COVERING )?INDEX runs_unfinished/, `${sql}\n  plan: ${text}`);
  }
}

describe('query plans for unfinished runs (SQLite, no statistics)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-plans-'));
  const seen: Statement[] = [];
  let driver: Driver;
  let store: SqlStore;
  let flowId = '';

  test.before(async () => {
    driver = new SqliteDriver({ dataDir: dir });
    await migrate(driver, 0);
    store = createSqlStore(recording(driver, seen));
    const { flow } = await store.createFlow({ name: 'f', definition: {} });
    flowId = flow.id;
    // A finished history and a few unfinished runs: the plans must not depend on the data, but
    // the answers are checked too.
    for (let i = 0; i < 200; i++)
      await store.createRun({ id: `done-${i}`, flowId, flowVersion: 1, triggerName: 't', startTime: i, init: {} });
    for (let i = 0; i < 200; i++) await store.updateRun(`done-${i}`, { status: 'Succeeded', endTime: i + 1 });
    const mk = (id: string, startTime: number, status: 'Running' | 'Waiting' | 'Queued') =>
      store.createRun({ id, flowId, flowVersion: 1, triggerName: 't', startTime, status, init: {} });
    await mk('q-1', 1000, 'Queued');
    await mk('q-2', 1001, 'Queued');
    await mk('w-1', 1002, 'Waiting');
    await mk('r-1', 1003, 'Running');
  });
  test.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const lists: Array<[string, () => RunQuery, string[]]> = [
    ['all queued runs (the admission sweep)', () => ({ status: 'Queued', limit: 1000 }), ['q-2', 'q-1']],
    [
      "a flow's waiting runs (the API adds Queued)",
      () => ({ flowId, status: ['Waiting', 'Queued'] }),
      ['w-1', 'q-2', 'q-1'],
    ],
    ["a flow's running runs, next page", () => ({ flowId, status: 'Running', to: 2000 }), ['r-1']],
  ];
  for (const [name, query, ids] of lists)
    test(`listRuns: ${name}`, async () => {
      let got: string[] = [];
      assertIndexed(
        await plansOf(driver, seen, async () => {
          got = (await store.listRuns(query())).items.map((r) => r.id);
        }),
      );
      assert.deepEqual(got, ids);
    });

  test("a limited flow's admission: counting its unfinished runs and taking the oldest queued", async () => {
    assertIndexed(
      await plansOf(driver, seen, async () => {
        assert.deepEqual(await store.countUnfinishedRuns(flowId), { queued: 2, active: 2 });
      }),
    );
    assertIndexed(
      await plansOf(driver, seen, async () => {
        assert.deepEqual(await store.admitQueuedRuns(flowId, 3), ['q-1']);
      }),
    );
  });

  test('a list of finished runs still pages by start time (no regression of the plain list)', async () => {
    const plans = await plansOf(driver, seen, () => store.listRuns({ flowId, status: 'Succeeded', limit: 5 }));
    for (const { plan } of plans) assert.match(plan.join(' | '), /runs_flow_start/);
  });
});
