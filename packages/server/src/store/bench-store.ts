// Persisted steps/s through the store (group commit), with 1 and 50 concurrent writers, on both
// backends, next to the raw insert rate of the same driver. A step is what RunHost.toWrite
// commits for a stateful run's effect result, before the writer goes on: one event appended, one
// action record upserted and the run's status (unchanged: Running). Runs start with a RunInit of
// a typical HTTP trigger (~1.4 KB: headers, a small body).
// Run: node --conditions=source --import tsx packages/server/src/store/bench-store.ts [seconds-per-case]
//   [--events-only] (steps without the action record: what writing records lazily would save)
//   [--sqlite | --postgres] (one backend only)
// PostgreSQL: FLOWBRIDGE_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres); skipped when unreachable.
import Database from 'better-sqlite3';
import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SqlStore } from './sql-store.js';
import { openStore } from './open.js';
import { createDatabase, databaseUrl, dropDatabase, postgresAvailable } from './test-support/backends.js';

// Also imported by bench/store.bench.ts (`npm run bench`): benchStore() is the whole benchmark;
// the command line below runs it when this file is the entry point.

/** [writers, runs]: 50 writers on 50 runs is the real case; on one run it shows what B-tree locality is worth. */
export type StoreBenchCase = [writers: number, runs: number];
export const DEFAULT_CASES: StoreBenchCase[] = [
  [1, 1],
  [50, 50],
  [50, 1],
];

export interface StoreBenchOptions {
  /** Seconds per case. */
  seconds?: number;
  cases?: StoreBenchCase[];
  backends?: Array<'sqlite' | 'postgres'>;
  /** Steps without their action record (default false). */
  eventsOnly?: boolean;
}

const event = (i: number) => ({
  kind: 'effectResult',
  id: `cmd-${i}`,
  path: `For_each[${i}]/Http`,
  attempt: 1,
  result: {
    status: 'Succeeded',
    outputs: { statusCode: 200, headers: { 'content-type': 'application/json' }, body: { id: i, ok: true } },
  },
  now: 1_767_225_600_000 + i,
});
/** What RunHost writes as a run's init: the trigger's outputs (headers, body) and the run's context. */
const init = (k: number) => ({
  runId: `00000000-0000-4000-8000-${String(k).padStart(12, '0')}`,
  workflow: { id: '6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e', name: 'orders', version: '3' },
  trigger: {
    name: 'manual',
    startTime: '2026-01-01T00:00:00.000Z',
    outputs: {
      headers: Object.fromEntries(Array.from({ length: 14 }, (_, h) => [`x-header-${h}`, 'v'.repeat(40)])),
      body: {
        orderId: 12345 + k,
        customer: { name: 'Ann Example', email: 'ann@example.com' },
        items: Array.from({ length: 5 }, (_, j) => ({ sku: `SKU-${j}`, qty: j + 1, price: 9.99 })),
      },
    },
  },
  now: 1_767_225_600_000,
  callbackBaseUrl: `https://flowbridge.example.test/runs/${k}`,
});
const record = (i: number) => ({
  name: 'Http',
  path: `For_each[${i}]/Http`,
  type: 'Http',
  status: 'Succeeded',
  inputs: { method: 'GET', uri: `https://example.test/items/${i}` },
  outputs: { statusCode: 200, body: { id: i, ok: true } },
  startTime: '2026-01-01T00:00:00.000Z',
  endTime: '2026-01-01T00:00:00.120Z',
  retryHistory: [],
});

export interface StoreBenchRow {
  backend: 'sqlite' | 'postgres';
  case: string;
  perSecond: number;
  /** Set for the store cases. */
  steps?: { writers: number; runs: number; avgBatch: number; perCpuSecond: number; processes?: number };
  /** Set for the raw driver cases: rows inserted per transaction. */
  raw?: { perTransaction: number };
  /** The backend could not be measured (PostgreSQL unreachable). */
  skipped?: boolean;
  note?: string;
}

// The machine may be shared: besides wall-clock rates, report steps per CPU-second of this
// process (what one free core would sustain, database work included for SQLite).
async function stepsPerSecond(
  seconds: number,
  store: SqlStore,
  writers: number,
  runCount = writers,
  eventsOnly = false,
): Promise<{ rate: number; batch: number; perCpuSecond: number }> {
  const { flow } = await store.createFlow({ name: `bench-${writers}`, definition: {} });
  const runs = await Promise.all(
    Array.from({ length: runCount }, (_, k) =>
      store.createRun({ flowId: flow.id, flowVersion: 1, triggerName: 't', init: init(k) }),
    ),
  );
  const before = store.groupCommitStats;
  let steps = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: writers }, (_, k) => runs[k % runs.length] as (typeof runs)[number]).map(async (run, k) => {
      // Writers sharing a run are the iterations of one For_each: each writes its own action paths.
      for (let i = k; performance.now() < end; i += writers) {
        await store.commitStep(run.id, {
          events: [event(i)],
          ...(eventsOnly ? {} : { records: [record(i)] }),
          runUpdate: { status: 'Running' },
        });
        steps++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const after = store.groupCommitStats;
  // Sanity: everything acknowledged is there.
  const h = await store.loadRunHistory(runs[0]?.id ?? '');
  if (h.lastSeq !== h.events.length || h.events.length === 0) throw new Error('bench: events missing');
  return {
    rate: steps / elapsed,
    batch: (after.units - before.units) / Math.max(1, after.batches - before.batches),
    perCpuSecond: steps / ((cpu.user + cpu.system) / 1e6),
  };
}

function timed(seconds: number, fn: (stop: () => boolean) => number): number {
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  const n = fn(() => performance.now() >= end);
  return n / ((performance.now() - started) / 1000);
}

async function benchSqlite(
  seconds: number,
  cases: StoreBenchCase[],
  eventsOnly: boolean,
  rows: StoreBenchRow[],
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-bench-'));
  try {
    const store = await openStore({ dataDir: dir });
    // 50 writers on 50 runs is the real case; on one run it shows what B-tree locality is worth.
    for (const [writers, runCount] of cases) {
      const r = await stepsPerSecond(seconds, store, writers, runCount, eventsOnly);
      rows.push({
        backend: 'sqlite',
        case: `${eventsOnly ? 'events-only ' : ''}steps/s, ${writers} writer(s), ${runCount} run(s)`,
        perSecond: r.rate,
        steps: { writers, runs: runCount, avgBatch: r.batch, perCpuSecond: r.perCpuSecond },
        note: `avg batch ${r.batch.toFixed(1)}; ${Math.round(r.perCpuSecond).toLocaleString('en-US')} per CPU-second of this process`,
      });
    }
    await store.close();
    // Raw better-sqlite3 on the same settings: one insert per transaction, and 1,000 per transaction.
    const db = new Database(join(dir, 'raw.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE t (run_id TEXT, seq INTEGER, event TEXT, PRIMARY KEY (run_id, seq))');
    const ins = db.prepare('INSERT INTO t VALUES (?, ?, ?)');
    const payload = JSON.stringify(event(1));
    let seq = 0;
    rows.push({
      backend: 'sqlite',
      case: 'raw inserts/s, 1 per transaction',
      raw: { perTransaction: 1 },
      perSecond: timed(seconds, (stop) => {
        let n = 0;
        while (!stop()) {
          ins.run('r', ++seq, payload);
          n++;
        }
        return n;
      }),
    });
    const many = db.transaction((count: number) => {
      for (let i = 0; i < count; i++) ins.run('r', ++seq, payload);
    });
    rows.push({
      backend: 'sqlite',
      case: 'raw inserts/s, 1000 per transaction',
      raw: { perTransaction: 1000 },
      perSecond: timed(seconds, (stop) => {
        let n = 0;
        while (!stop()) {
          many(1000);
          n += 1000;
        }
        return n;
      }),
    });
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchPostgres(
  seconds: number,
  cases: StoreBenchCase[],
  eventsOnly: boolean,
  rows: StoreBenchRow[],
): Promise<void> {
  if (!(await postgresAvailable())) {
    rows.push({ backend: 'postgres', case: 'skipped', perSecond: 0, skipped: true, note: 'server not reachable' });
    return;
  }
  const name = await createDatabase();
  try {
    const url = databaseUrl(name);
    const store = await openStore({ databaseUrl: url });
    // 50 writers on 50 runs is the real case; on one run it shows what B-tree locality is worth.
    for (const [writers, runCount] of cases) {
      const r = await stepsPerSecond(seconds, store, writers, runCount, eventsOnly);
      rows.push({
        backend: 'postgres',
        case: `${eventsOnly ? 'events-only ' : ''}steps/s, ${writers} writer(s), ${runCount} run(s)`,
        perSecond: r.rate,
        steps: { writers, runs: runCount, avgBatch: r.batch, perCpuSecond: r.perCpuSecond },
        note: `avg batch ${r.batch.toFixed(1)}; ${Math.round(r.perCpuSecond).toLocaleString('en-US')} per CPU-second of this process`,
      });
    }
    // Scale-out: two worker processes on the one database, 25 writers on 25 runs each.
    const two = await twoProcesses(seconds, store, url, eventsOnly);
    rows.push({
      backend: 'postgres',
      case: `${eventsOnly ? 'events-only ' : ''}steps/s, 2 processes x 25 writers, 50 runs`,
      perSecond: two.rate,
      steps: { writers: 50, runs: 50, avgBatch: two.batch, perCpuSecond: two.perCpuSecond, processes: 2 },
      note: `this process ${Math.round(two.mine).toLocaleString('en-US')}/s, the other ${Math.round(two.theirs).toLocaleString('en-US')}/s`,
    });
    await store.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('CREATE TABLE raw (run_id TEXT, seq INTEGER, event json, PRIMARY KEY (run_id, seq))');
    const payload = JSON.stringify(event(1));
    let seq = 0;
    const start1 = performance.now();
    let n1 = 0;
    while (performance.now() - start1 < seconds * 1000) {
      await client.query('INSERT INTO raw VALUES ($1, $2, $3)', ['r', ++seq, payload]);
      n1++;
    }
    rows.push({
      backend: 'postgres',
      case: 'raw inserts/s, 1 per transaction',
      raw: { perTransaction: 1 },
      perSecond: n1 / ((performance.now() - start1) / 1000),
    });
    const values = Array.from({ length: 1000 }, (_, i) => `($1, $${i + 2}, $1002)`).join(', ');
    const start2 = performance.now();
    let n2 = 0;
    while (performance.now() - start2 < seconds * 1000) {
      const seqs = Array.from({ length: 1000 }, () => ++seq);
      await client.query(`INSERT INTO raw VALUES ${values}`, ['r', ...seqs, payload]);
      n2 += 1000;
    }
    rows.push({
      backend: 'postgres',
      case: 'raw inserts/s, 1000 per transaction',
      raw: { perTransaction: 1000 },
      perSecond: n2 / ((performance.now() - start2) / 1000),
    });
    await client.end();
  } finally {
    await dropDatabase(name);
  }
}

/**
 * Two processes writing to one PostgreSQL database at once: this one and a child started with
 * `--pg-writer`. The child opens its store first and says `ready`; then both write for `seconds`.
 */
async function twoProcesses(
  seconds: number,
  store: SqlStore,
  url: string,
  eventsOnly: boolean,
): Promise<{ rate: number; mine: number; theirs: number; batch: number; perCpuSecond: number }> {
  const child = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--pg-writer', url, String(seconds), eventsOnly ? '1' : '0'],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  const next = (): Promise<string> =>
    new Promise((res, rej) => {
      lines.once('line', res);
      child.once('exit', (code) => rej(new Error(`bench writer process exited (${code})`)));
    });
  if ((await next()) !== 'ready') throw new Error('bench writer process did not start');
  child.stdin!.write('go\n');
  const [mine, theirs] = await Promise.all([
    stepsPerSecond(seconds, store, 25, 25, eventsOnly),
    next().then((l) => JSON.parse(l) as { rate: number }),
  ]);
  child.stdin!.end();
  return {
    rate: mine.rate + theirs.rate,
    mine: mine.rate,
    theirs: theirs.rate,
    batch: mine.batch,
    perCpuSecond: mine.perCpuSecond,
  };
}

/** The child of twoProcesses: 25 writers on its own 25 runs, started when told. */
async function pgWriter(url: string, seconds: number, eventsOnly: boolean): Promise<void> {
  const store = await openStore({ databaseUrl: url });
  const lines = createInterface({ input: process.stdin });
  const go = new Promise<void>((res) => lines.once('line', () => res()));
  console.log('ready');
  await go;
  const r = await stepsPerSecond(seconds, store, 25, 25, eventsOnly);
  console.log(JSON.stringify({ rate: r.rate }));
  lines.close();
  await store.close();
}

/** Runs the store benchmark: store cases, then the raw driver on the same settings, per backend. */
export async function benchStore(options: StoreBenchOptions = {}): Promise<StoreBenchRow[]> {
  const seconds = options.seconds ?? 2.5;
  const cases = options.cases ?? DEFAULT_CASES;
  const backends = options.backends ?? ['sqlite', 'postgres'];
  const rows: StoreBenchRow[] = [];
  const eventsOnly = options.eventsOnly ?? false;
  if (backends.includes('sqlite')) await benchSqlite(seconds, cases, eventsOnly, rows);
  if (backends.includes('postgres')) await benchPostgres(seconds, cases, eventsOnly, rows);
  return rows;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--pg-writer') {
    await pgWriter(args[1] ?? '', Number(args[2] ?? 2), args[3] === '1');
    return;
  }
  const seconds = Number(args.find((a) => !a.startsWith('--')) ?? 2.5);
  const only = (['sqlite', 'postgres'] as const).filter((b) => args.includes(`--${b}`));
  // Stop by ourselves whatever happens (a hung database must not hang CI).
  setTimeout(() => {
    console.error('bench-store: time limit reached, stopping');
    process.exit(2);
  }, 75_000).unref();
  const rows = await benchStore({
    seconds,
    eventsOnly: args.includes('--events-only'),
    ...(only.length ? { backends: [...only] } : {}),
  });
  for (const r of rows) {
    console.log(
      `${r.backend.padEnd(9)} ${r.case.padEnd(52)} ${Math.round(r.perSecond).toLocaleString('en-US').padStart(10)}${r.note ? `   (${r.note})` : ''}`,
    );
  }
  console.log(
    `(${seconds} s per case; node ${process.version}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')})`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
