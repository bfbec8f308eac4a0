// Run history stays small and fast (issue #18, item 4), on the embedded SQLite store:
// (a) growth: bytes the database grows by per 1,000 runs of the HTTP flow (bench/harness.ts),
//     Stateful and Stateless, run through the real server; the reference is the same runs' JSON
//     (GET /api/v1/runs/{id}?expand=actions) stored plainly, one row per run, in a bare SQLite table.
// (b) with HISTORY_RUNS runs in history (default 1,000,000, over 10 flows; made fast by
//     store/test-support/bulk-history.ts in the store's own rows): p50/p99 of listing a flow's runs
//     (first page, and a page 100 pages deep by continuation), of listing unfinished runs (a
//     flow's waiting runs, every queued run), and of opening a run with its actions, through the
//     store methods the API uses and through the HTTP API.
// (c) retention pruning 60% of that history while runs execute (10 concurrent, each writing what
//     a stateful HTTP-flow run writes): file size before/after, the longest event-loop stall and
//     the slowest run during pruning, next to the same runs' slowest without pruning.
// The issue's targets are the references of (a) per 1 MiB, (b) 50 ms and (c) 100 ms.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { openStore } from '../packages/server/src/store/open.js';
import type { SqlStore } from '../packages/server/src/store/sql-store.js';
import { insertFinishedRuns } from '../packages/server/src/store/test-support/bulk-history.js';
import { benchFlow, distNote, startFlowbridge, type Flowbridge } from './harness.js';
import { compare, type BenchResult } from './types.js';

const GROWTH_RUNS = 3000;
const BIG = Number(process.env.HISTORY_RUNS ?? 1_000_000);
const FLOWS = 10;
const SAMPLES = 200;
const MiB = 1024 * 1024;
const TARGET_MIB_PER_1000 = 1;
const TARGET_READ_MS = 50;
const TARGET_STALL_MS = 100;

export async function run(): Promise<BenchResult[]> {
  return [...(await growth()), ...(await bigHistory())];
}

/** Pages in use (not free) of the database as of its last commit, WAL included. */
function usedBytes(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const pages =
      Number(db.pragma('page_count', { simple: true })) - Number(db.pragma('freelist_count', { simple: true }));
    return pages * Number(db.pragma('page_size', { simple: true }));
  } finally {
    db.close();
  }
}

/** The database file's size once its WAL is folded in. */
function fileBytes(file: string): number {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return statSync(file).size;
}

async function callAll(urls: string[], count: number, concurrency: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const res = await fetch(urls[i % urls.length] as string, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ n: i, name: 'bench' }),
        });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`flow answered ${res.status}`);
      }
    }),
  );
}

async function api(fb: Flowbridge, path: string): Promise<Record<string, unknown>> {
  const res = await fetch(fb.url + path, { headers: { authorization: `Bearer ${fb.token}` } });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

async function settled(file: string, expected: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const db = new Database(file, { readonly: true });
    const row = db
      .prepare(`SELECT COUNT(*) AS n, SUM(status IN ('Queued', 'Running', 'Waiting')) AS open FROM runs`)
      .get() as { n: number; open: number };
    db.close();
    if (row.n >= expected && !row.open) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('runs did not finish');
}

async function growth(): Promise<BenchResult[]> {
  const fb = await startFlowbridge();
  const out: BenchResult[] = [];
  try {
    const file = join(fb.dataDir, 'flowbridge.db');
    const stale = distNote();
    let total = 0;
    for (const kind of ['Stateful', 'Stateless'] as const) {
      const urls = await fb.deploy(kind, 1);
      const flowId = /flows\/([^/]+)\//.exec(urls[0] ?? '')?.[1];
      await callAll(urls, 500, 8); // warm: the staging tables have rows, the first merge happened
      total += 501;
      await settled(file, total);
      const before = usedBytes(file);
      const listed = await api(fb, `/api/v1/runs?flowId=${flowId}&limit=1`);
      const after0 = (listed.value as Array<{ startTime: string }>)[0]?.startTime;
      await callAll(urls, GROWTH_RUNS, 8);
      total += GROWTH_RUNS;
      await settled(file, total);
      const grown = usedBytes(file) - before;
      // The reference: the same runs' JSON, stored plainly.
      const plain = new Database(':memory:');
      plain.exec('CREATE TABLE runs (id TEXT PRIMARY KEY, body TEXT NOT NULL)');
      const insert = plain.prepare('INSERT INTO runs (id, body) VALUES (?, ?)');
      let cursor: string | null = null;
      let stored = 0;
      do {
        const page = await api(
          fb,
          `/api/v1/runs?flowId=${flowId}&limit=500&from=${encodeURIComponent(after0 ?? '')}${cursor ? `&cursor=${cursor}` : ''}`,
        );
        for (const r of page.value as Array<{ id: string; startTime: string }>) {
          if (r.startTime === after0) continue;
          const detail = await api(fb, `/api/v1/runs/${r.id}?expand=actions`);
          insert.run(r.id, JSON.stringify(detail));
          stored++;
        }
        cursor = page.nextCursor as string | null;
      } while (cursor);
      const plainBytes =
        (Number(plain.pragma('page_count', { simple: true })) *
          Number(plain.pragma('page_size', { simple: true })) *
          GROWTH_RUNS) /
        Math.max(1, stored);
      plain.close();
      const ours = (grown * 1000) / GROWTH_RUNS / MiB;
      out.push(
        {
          ...compare(
            `${kind} HTTP flow: growth per 1,000 runs`,
            ours,
            'MiB',
            (plainBytes * 1000) / GROWTH_RUNS / MiB,
            'the runs’ JSON stored plainly',
            'lower',
          ),
          note: `${GROWTH_RUNS} runs through the server (8 concurrent), pages in use before/after; plain: ${stored} runs' detail JSON in a bare table${stale && !out.length ? `; ${stale}` : ''}`,
        },
        compare(`${kind}: growth vs the issue's target`, ours, 'MiB', TARGET_MIB_PER_1000, 'target', 'lower'),
      );
    }
  } finally {
    await fb.stop();
  }
  return out;
}

function percentiles(ms: number[]): { p50: number; p99: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99) };
}

async function timed(fn: (i: number) => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 10; i++) await fn(i);
  const ms: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t = performance.now();
    await fn(i);
    ms.push(performance.now() - t);
  }
  return percentiles(ms);
}

function latency(name: string, r: { p50: number; p99: number }, note?: string): BenchResult[] {
  return [
    { name: `${name}: p50`, value: r.p50, unit: 'ms', better: 'lower' },
    { ...compare(`${name}: p99`, r.p99, 'ms', TARGET_READ_MS, 'target', 'lower'), ...(note ? { note } : {}) },
  ];
}

/** What a stateful run of the HTTP flow writes: the run, then its records and end in one step. */
const httpRun = (runId: string, startTime: number, k: number) => {
  const iso = new Date(startTime).toISOString().replace('Z', '0000Z');
  const record = (name: string, type: string, inputs: unknown, outputs?: unknown) => ({
    name,
    path: name,
    type,
    status: 'Succeeded',
    code: type === 'InitializeVariable' ? 'NotSpecified' : 'OK',
    error: null,
    inputs,
    ...(outputs === undefined ? {} : { outputs }),
    startTime: iso,
    endTime: iso,
    trackingId: `${runId}/${name}`,
  });
  const reply = { n: k + 1, name: 'bench' };
  return {
    init: {
      runId,
      workflow: { id: 'f', name: 'bench', version: '1' },
      trigger: {
        name: 'manual',
        outputs: {
          headers: {
            Host: '127.0.0.1:8080',
            Connection: 'keep-alive',
            'Content-Type': 'application/json',
            Accept: '*/*',
            'Accept-Language': '*',
            'Sec-Fetch-Mode': 'cors',
            'User-Agent': 'node',
            'Accept-Encoding': 'gzip, deflate',
            'Content-Length': '24',
          },
          body: { n: k, name: 'bench' },
        },
        startTime: new Date(startTime).toISOString(),
      },
      now: startTime,
      callbackBaseUrl: `http://127.0.0.1:8080/api/v1/callbacks/${runId}/vdkwVNRPcpKN6xK3kWZCx6tgg22Fg2wsRHUDivxzoOc`,
    },
    records: [
      record('Compose_input', 'Compose', k, k),
      record('Initialize_count', 'InitializeVariable', {
        variables: [{ name: 'count', type: 'integer', value: k + 1 }],
      }),
      record('Compose_reply', 'Compose', reply, reply),
      record('Response', 'Response', { statusCode: 200, body: reply }, { statusCode: 200, headers: {}, body: reply }),
    ],
    response: { statusCode: 200, headers: {}, body: reply },
    outputs: {},
  };
};

async function bigHistory(): Promise<BenchResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'flowbridge-history-'));
  const file = join(dataDir, 'flowbridge.db');
  const out: BenchResult[] = [];
  try {
    let store: SqlStore = await openStore({ dataDir });
    const flowIds: string[] = [];
    for (let i = 0; i < FLOWS; i++)
      flowIds.push((await store.createFlow({ name: `history-${i}`, definition: benchFlow })).flow.id);
    await store.close();
    // Within the last 20 days: the server's retention (30 days) leaves them alone.
    const now = Date.now();
    const from = now - 20 * 86_400_000;
    const t0 = performance.now();
    const sample = await insertFinishedRuns({ dataDir, flowIds, runs: BIG, from, to: now - 60_000, run: httpRun });
    const fillS = (performance.now() - t0) / 1000;
    const size = fileBytes(file);
    const flowId = flowIds[0] as string;
    const fillNote = `${BIG.toLocaleString('en-US')} runs over ${FLOWS} flows made in ${fillS.toFixed(0)} s; database ${(size / MiB).toFixed(0)} MiB`;

    // Through the store methods the API uses.
    store = await openStore({ dataDir });
    let deep: string | null = null;
    for (let p = 0; p < 100; p++)
      deep = (await store.listRuns({ flowId, limit: 50, ...(deep ? { cursor: deep } : {}) })).nextCursor;
    const deepCursor = deep as string;
    out.push(
      ...latency(
        'store: list a flow’s runs, first page (50)',
        await timed(() => store.listRuns({ flowId, limit: 50 })),
        fillNote,
      ),
      ...latency(
        'store: list, page 101 by continuation',
        await timed(() => store.listRuns({ flowId, limit: 50, cursor: deepCursor })),
      ),
      // Unfinished runs, none among the finished history: the API's "Waiting" filter (it adds
      // Queued) and the leader's admission sweep, every 10 s (host/admission.ts).
      ...latency(
        'store: list a flow’s waiting runs (status filter)',
        await timed(() => store.listRuns({ flowId, status: ['Waiting', 'Queued'], limit: 50 })),
      ),
      ...latency(
        'store: list all queued runs (admission sweep)',
        await timed(() => store.listRuns({ status: 'Queued', limit: 1000 })),
      ),
      ...latency(
        'store: open a run with its actions (getRun)',
        await timed((i) => store.getRun(sample[(i * 7919) % sample.length] as string, { withActions: true })),
      ),
      ...latency(
        'store: read a run and its history (readRun)',
        await timed((i) => store.readRun(sample[(i * 7907) % sample.length] as string)),
      ),
    );
    await store.close();

    // Through the HTTP API of the real server on that database.
    const fb = await startFlowbridge({ dataDir });
    try {
      const cursor = encodeURIComponent(deepCursor);
      out.push(
        ...latency(
          'HTTP: GET /api/v1/runs?flowId (first page, 50)',
          await timed(() => api(fb, `/api/v1/runs?flowId=${flowId}&limit=50`)),
        ),
        ...latency(
          'HTTP: the same, page 101 by cursor',
          await timed(() => api(fb, `/api/v1/runs?flowId=${flowId}&limit=50&cursor=${cursor}`)),
        ),
        ...latency(
          'HTTP: GET /api/v1/runs/{id}?expand=actions',
          await timed((i) => api(fb, `/api/v1/runs/${sample[(i * 7919) % sample.length]}?expand=actions`)),
        ),
      );
    } finally {
      await fb.stop();
    }

    out.push(...(await pruning(dataDir, file, flowId, from, now)));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  return out;
}

async function pruning(
  dataDir: string,
  file: string,
  flowId: string,
  from: number,
  now: number,
): Promise<BenchResult[]> {
  const store = await openStore({ dataDir });
  try {
    let k = 0;
    let stop = false;
    let slowest = 0;
    let done = 0;
    const load = async (): Promise<void> => {
      while (!stop) {
        const t = performance.now();
        const startTime = Date.now();
        const id = randomUUID();
        const r = httpRun(id, startTime, k++);
        const run = await store.createRun({
          id,
          flowId,
          flowVersion: 1,
          triggerName: 'manual',
          init: r.init,
          startTime,
          environmentId: 'default',
        });
        await store.commitStep(run.id, {
          records: r.records,
          runUpdate: { status: 'Succeeded', endTime: Date.now(), response: r.response, outputs: r.outputs },
        });
        slowest = Math.max(slowest, performance.now() - t);
        done++;
      }
    };
    const phase = async (
      during: () => Promise<unknown>,
    ): Promise<{ slowest: number; stall: number; runs: number; ms: number }> => {
      slowest = 0;
      done = 0;
      stop = false;
      const h = monitorEventLoopDelay({ resolution: 5 });
      h.enable();
      const t = performance.now();
      const loads = Array.from({ length: 10 }, load);
      await during();
      stop = true;
      await Promise.all(loads);
      h.disable();
      return { slowest, stall: h.max / 1e6, runs: done, ms: performance.now() - t };
    };
    const quiet = await phase(() => new Promise((r) => setTimeout(r, 3000)));
    const before = fileBytes(file);
    let counts: { runs: number } = { runs: 0 };
    const busy = await phase(async () => {
      counts = await store.pruneRunsOlderThan(from + (now - from) * 0.6);
    });
    const after = fileBytes(file);
    const note = `pruned ${counts.runs.toLocaleString('en-US')} runs in ${(busy.ms / 1000).toFixed(1)} s while ${busy.runs} runs executed (10 concurrent; ${quiet.runs} in ${(quiet.ms / 1000).toFixed(1)} s without pruning); file ${(before / MiB).toFixed(0)} -> ${(after / MiB).toFixed(0)} MiB`;
    return [
      {
        name: 'retention: file size after pruning 60%',
        value: after / MiB,
        unit: 'MiB',
        better: 'lower',
        reference: before / MiB,
        referenceName: 'before',
        ratio: before / after,
        note,
      },
      compare(
        'retention: longest event-loop stall while pruning',
        busy.stall,
        'ms',
        quiet.stall,
        'longest without pruning',
        'lower',
      ),
      compare('retention: longest stall while pruning vs target', busy.stall, 'ms', TARGET_STALL_MS, 'target', 'lower'),
      compare(
        'retention: slowest run while pruning',
        busy.slowest,
        'ms',
        quiet.slowest,
        'slowest run without pruning',
        'lower',
      ),
      compare('retention: slowest run while pruning vs target', busy.slowest, 'ms', TARGET_STALL_MS, 'target', 'lower'),
    ];
  } finally {
    await store.close();
  }
}
