// Idle runs (issue #18): what runs that only wait cost. `flowbridge start` (embedded SQLite) gets
// RUNS stateful runs of a flow Request → Wait 1 hour → Compose, started over HTTP from this process
// (spread over fresh flow copies: the server limits trigger calls per flow); once every run waits
// (its timer in the store, no run held in memory) the server's RSS is compared with the RSS before
// the runs. The reference is the same number of stateless runs, which wait in memory by design.
// Then the server is stopped (SIGTERM, then kill -9) and started again on the same data: the time
// from the spawn until /metrics shows every timer back under the timer loop
// (flowbridge_timers_pending) with no run replayed into memory (flowbridge_live_runs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distNote, startFlowbridge, type Flowbridge } from './harness.js';
import { compare, type BenchResult } from './types.js';

const RUNS = Number(process.env.IDLE_RUNS ?? 10_000);
/** Runs per flow copy: under the default per-flow trigger limit (6000 a minute). */
const PER_FLOW = 1000;
const CONCURRENCY = 32;
const MiB = 1024;

const waitFlow = {
  $schema: 'https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#',
  contentVersion: '1.0.0.0',
  triggers: { manual: { type: 'Request', kind: 'Http', inputs: { method: 'POST' } } },
  actions: {
    Wait_an_hour: { type: 'Wait', inputs: { interval: { count: 1, unit: 'Hour' } }, runAfter: {} },
    Compose_done: { type: 'Compose', inputs: "@triggerBody()?['n']", runAfter: { Wait_an_hour: ['Succeeded'] } },
  },
};

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

async function deploy(f: Flowbridge, kind: 'Stateful' | 'Stateless', copies: number): Promise<string[]> {
  const urls: string[] = [];
  for (let i = 0; i < copies; i++) {
    const flow = await api(f, 'POST', '/api/v1/flows', { name: `idle-${kind}-${i}`, kind, definition: waitFlow });
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
    const urls = await deploy(f, kind, Math.ceil(RUNS / PER_FLOW));
    await fire(urls, urls.length); // one run per copy: flows compiled, code paths warm
    await pause(1500);
    const before = f.rssKiB();
    const rate = await fire(urls, RUNS);
    if (kind === 'Stateful')
      await until(f.url, (g) => g.pending >= RUNS + urls.length && g.live === 0, performance.now(), 120_000);
    await pause(1500);
    return { f, before, after: f.rssKiB(), rate, urls };
  } catch (error) {
    await f.stop();
    throw error;
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
    const waiting = RUNS + ours.urls.length;
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
      note: `stateful: RSS ${(ours.before / MiB).toFixed(1)} -> ${(ours.after / MiB).toFixed(1)} MiB (target: at most +20 MiB), started at ${ours.rate.toFixed(0)} runs/s; stateless: ${(ref.before / MiB).toFixed(1)} -> ${(ref.after / MiB).toFixed(1)} MiB${stale ? `; ${stale}` : ''}`,
    });

    // Restarts on the same data: SIGTERM (drained stop), then kill -9 (crash).
    let server = ours.f;
    for (const how of ['SIGTERM', 'SIGKILL'] as const) {
      if (how === 'SIGKILL') process.kill(server.pid, 'SIGKILL');
      await server.stop();
      const spawned = performance.now();
      server = await startFlowbridge({ dataDir, token: ours.f.token });
      const armed = await until(server.url, (g) => g.pending === waiting && g.live === 0, spawned, 60_000);
      results.push({
        name: `restart after ${how}: all ${waiting} waiting runs back on their timers`,
        value: armed,
        unit: 'ms',
        better: 'lower',
        note: `spawn to /metrics showing ${waiting} pending timers and no run in memory (target: at most 10 s); /healthz answered after ${server.coldStartMs.toFixed(0)} ms; RSS then ${(server.rssKiB() / MiB).toFixed(1)} MiB`,
      });
    }
    await server.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  return results;
}
