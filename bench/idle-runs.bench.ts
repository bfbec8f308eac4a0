// Idle runs (issue #18): what runs that only wait cost. `flowbridge start` (embedded SQLite) gets
// RUNS stateful runs of a flow Request → Wait 1 hour → Compose, started over HTTP from this process
// (spread over fresh flow copies: the server limits trigger calls per flow); once every run waits
// (its timer in the store, no run held in memory) the server's RSS is compared with the RSS before
// them, taken after as many runs of the same flow with a Wait of 1 second have waited and ended:
// the heap has then grown to what starting that many runs that wait takes, and the difference is
// what the waiting runs keep. (Runs that end at once, the warm-up until session 10, no longer do:
// a run that ends in its first write holds little while it commits, one that waits holds its step.) The reference is the same number of stateless runs, which wait in memory by design.
// RSS moves with garbage not yet collected, so the same is also measured in this process on a
// RunHost over an embedded store, after forced GCs: the JS heap the waiting runs keep.
// Then the server is stopped (SIGTERM, then kill -9) and started again on the same data: the time
// from the spawn until /metrics shows every timer back under the timer loop
// (flowbridge_timers_pending) with no run replayed into memory (flowbridge_live_runs), next to the
// same for a server started on an empty data dir just before.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../packages/server/src/store/index.js';
import { RunHost } from '../packages/server/src/host/run-host.js';
import { distNote, startFlowbridge, type Flowbridge } from './harness.js';
import { compare, type BenchResult } from './types.js';

const RUNS = Number(process.env.IDLE_RUNS ?? 10_000);
/** Runs per flow copy: under the default per-flow trigger limit (6000 a minute). */
const PER_FLOW = 1000;
const CONCURRENCY = 32;
const MiB = 1024;

/** Request → Wait `count` `unit`s → Compose. */
const waitFlow = (count: number, unit: 'Second' | 'Hour') => ({
  $schema: 'https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#',
  contentVersion: '1.0.0.0',
  triggers: { manual: { type: 'Request', kind: 'Http', inputs: { method: 'POST' } } },
  actions: {
    Wait: { type: 'Wait', inputs: { interval: { count, unit } }, runAfter: {} },
    Compose_done: { type: 'Compose', inputs: "@triggerBody()?['n']", runAfter: { Wait: ['Succeeded'] } },
  },
});

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function api(f: Flowbridge, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(f.url + path, {
    method,
    headers: { authorization: `Bearer ${f.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** `copies` copies of the flow waiting `wait` (1 hour, or 1 second for the warm-up); their trigger URLs. */
async function deploy(f: Flowbridge, kind: 'Stateful' | 'Stateless', wait: 'hour' | 'second', copies: number) {
  const urls: string[] = [];
  for (let i = 0; i < copies; i++) {
    const name = `idle-${kind}-${wait}-${i}`;
    const definition = waitFlow(1, wait === 'hour' ? 'Hour' : 'Second');
    const flow = await api(f, 'POST', '/api/v1/flows', { name, kind, definition });
    const cb = await api(f, 'POST', `/api/v1/flows/${String(flow.id)}/triggers/manual/listCallbackUrl`);
    urls.push(String(cb.value));
  }
  return urls;
}

/** Starts `count` runs over `urls` (PER_FLOW each), CONCURRENCY calls at a time; returns calls/s. */
async function fire(urls: string[], count: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < count; i = next++) {
        const res = await fetch(urls[Math.floor(i / PER_FLOW) % urls.length] as string, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ n: i }),
        });
        await res.arrayBuffer();
        if (res.status !== 202) throw new Error(`trigger call ${i} answered ${res.status}`);
      }
    }),
  );
  return (count * 1000) / (performance.now() - started);
}

async function gauges(url: string): Promise<{ pending: number; live: number } | undefined> {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const read = (name: string): number => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1]);
    return { pending: read('flowbridge_timers_pending'), live: read('flowbridge_live_runs') };
  } catch {
    return undefined;
  }
}

/** Polls /metrics until `done` holds (at most `ms`); returns the time it took from `since`. */
async function until(
  url: string,
  done: (g: { pending: number; live: number }) => boolean,
  since: number,
  ms: number,
): Promise<number> {
  for (;;) {
    const g = await gauges(url);
    if (g && done(g)) return performance.now() - since;
    if (performance.now() - since > ms) throw new Error(`/metrics did not settle in ${ms} ms: ${JSON.stringify(g)}`);
    await pause(20);
  }
}

/** RSS of a fresh server before and after RUNS runs of `kind` wait (KiB). */
async function idleCost(kind: 'Stateful' | 'Stateless', dataDir?: string) {
  const f = await startFlowbridge(dataDir ? { dataDir } : {});
  try {
    const copies = Math.ceil(RUNS / PER_FLOW);
    // Warm-up: as many runs that wait a second and end, so the heap has grown to what starting
    // runs that wait takes (and what waking and ending them takes).
    await fire(await deploy(f, kind, 'second', copies), RUNS);
    await until(f.url, (g) => g.pending === 0 && g.live === 0, performance.now(), 300_000);
    const urls = await deploy(f, kind, 'hour', copies);
    await pause(2000);
    const before = f.rssKiB();
    const rate = await fire(urls, RUNS);
    if (kind === 'Stateful') await until(f.url, (g) => g.pending >= RUNS && g.live === 0, performance.now(), 300_000);
    // IDLE_SETTLE_MS: how long the server idles before the second reading (2 s; longer lets V8
    // give back more of what the burst of starts grew, which is not what the waiting runs keep).
    await pause(Number(process.env.IDLE_SETTLE_MS ?? 2000));
    const after = f.rssKiB();
    if (kind === 'Stateless') return { f, before, after, rate };
    // As many again, on fresh copies: what each further batch adds, apart from what the first
    // burst of waiting runs grew once (heap pages, caches, the timer loop's first use).
    await fire(await deploy(f, kind, 'hour', copies), RUNS);
    await until(f.url, (g) => g.pending >= 2 * RUNS && g.live === 0, performance.now(), 300_000);
    await pause(Number(process.env.IDLE_SETTLE_MS ?? 2000));
    return { f, before, after, rate, next: f.rssKiB() };
  } catch (error) {
    await f.stop();
    throw error;
  }
}

/** JS heap after GC (bytes), here. */
function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run through `npm run bench` (node --expose-gc)');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Heap kept by RUNS waiting runs of `kind` on a RunHost in this process (MiB), after as many that end at once. */
async function heapCost(kind: 'Stateful' | 'Stateless'): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'flowbridge-idle-heap-'));
  const store = await openStore({ dataDir });
  const host = new RunHost({ store, baseUrl: () => 'http://127.0.0.1', callbackSecret: 'bench' });
  try {
    const startAll = async (hours: number) => {
      const { flow } = await store.createFlow({
        name: `heap-${kind}-${hours}`,
        kind,
        definition: waitFlow(hours, 'Hour'),
      });
      const batch: Promise<unknown>[] = [];
      for (let n = 0; n < RUNS; n++) {
        batch.push(host.startRun({ flow, version: 1, triggerName: 'manual', outputs: { body: { n } } }));
        if (batch.length === CONCURRENCY) await Promise.all(batch.splice(0));
      }
      await Promise.all(batch);
    };
    await startAll(0);
    await pause(200);
    const before = heapAfterGc();
    await startAll(1);
    await pause(200);
    return (heapAfterGc() - before) / (MiB * 1024);
  } finally {
    await host.stop(10);
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchResult[]> {
  const stale = distNote();
  const dataDir = mkdtempSync(join(tmpdir(), 'flowbridge-idle-runs-'));
  const results: BenchResult[] = [];
  try {
    const ref = await idleCost('Stateless');
    await ref.f.stop();
    const ours = await idleCost('Stateful', dataDir);
    const waiting = ours.next === undefined ? RUNS : 2 * RUNS;
    const delta = (ours.after - ours.before) / MiB;
    const refDelta = (ref.after - ref.before) / MiB;
    results.push({
      ...compare(
        `RSS added by ${RUNS} waiting runs`,
        delta,
        'MiB',
        refDelta,
        `${RUNS} stateless runs waiting in memory`,
        'lower',
      ),
      note: `stateful: RSS ${(ours.before / MiB).toFixed(1)} -> ${(ours.after / MiB).toFixed(1)} MiB (target: at most +20 MiB), started at ${ours.rate.toFixed(0)} runs/s; stateless (${ref.rate.toFixed(0)} runs/s): ${(ref.before / MiB).toFixed(1)} -> ${(ref.after / MiB).toFixed(1)} MiB${stale ? `; ${stale}` : ''}`,
    });

    if (ours.next !== undefined)
      results.push({
        name: `RSS added by the next ${RUNS} waiting runs`,
        value: (ours.next - ours.after) / MiB,
        unit: 'MiB',
        better: 'lower',
        note: `stateful, ${2 * RUNS} waiting in all: RSS ${(ours.after / MiB).toFixed(1)} -> ${(ours.next / MiB).toFixed(1)} MiB; against the first ${RUNS}, the part of their figure that each further batch repeats`,
      });

    const heapOurs = await heapCost('Stateful');
    const heapRef = await heapCost('Stateless');
    results.push({
      ...compare(
        `JS heap kept by ${RUNS} waiting runs (after GC, in-process)`,
        heapOurs,
        'MiB',
        heapRef,
        `${RUNS} stateless runs`,
        'lower',
      ),
      // A heap that did not grow (within GC noise) has no meaningful ratio.
      ...(heapOurs < 0.05 ? { ratio: undefined } : {}),
      note: 'a RunHost over an embedded store in the benchmark process, heap after forced GCs before and after the waiting runs',
    });

    // Restarts on the same data: SIGTERM (drained stop), then kill -9 (crash).
    let server = ours.f;
    for (const how of ['SIGTERM', 'SIGKILL'] as const) {
      if (how === 'SIGKILL') process.kill(server.pid, 'SIGKILL');
      await server.stop();
      const emptySpawned = performance.now();
      const empty = await startFlowbridge();
      const emptyMs = await until(empty.url, (g) => g.pending === 0 && g.live === 0, emptySpawned, 60_000);
      const emptyRss = empty.rssKiB();
      await empty.stop();
      const spawned = performance.now();
      server = await startFlowbridge({ dataDir, token: ours.f.token });
      const armed = await until(server.url, (g) => g.pending === waiting && g.live === 0, spawned, 60_000);
      results.push({
        ...compare(
          `restart after ${how}: all ${waiting} waiting runs back on their timers`,
          armed,
          'ms',
          emptyMs,
          'start on an empty data dir',
          'lower',
        ),
        note: `spawn to /metrics showing ${waiting} pending timers and no run in memory (target: at most 10 s); /healthz answered after ${server.coldStartMs.toFixed(0)} ms; RSS then ${(server.rssKiB() / MiB).toFixed(1)} MiB (empty data dir: ${(emptyRss / MiB).toFixed(1)} MiB)`,
      });
    }
    await server.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  return results;
}
