// An HTTP-triggered flow end to end (Request trigger, Compose, InitializeVariable, Compose,
// Response) at concurrency 1, 10 and 50: requests/s and p50/p99 latency, Stateless and Stateful,
// against a bare node:http JSON echo server. Each server is its own child process, started the
// same way; the load generator (wrk, else autocannon: bench/load.ts) is another, and a first row
// checks it is not the limit (bench/generator-check.ts). Cases run interleaved (echo, stateless,
// stateful at each concurrency) so that noise from the shared machine falls on all three alike.
// Each case spreads its calls over fresh copies of the flow (a server given a per-flow trigger rate
// limit, FLOWBRIDGE_TRIGGER_RATE_LIMIT, would measure the limiter otherwise; none is set by default).
import { generatorCheck, generatorNote } from './generator-check.js';
import { distNote, load, startEcho, startFlowbridge, type Flowbridge, type Server } from './harness.js';
import type { LoadResult } from './load.js';
import { compare, type BenchResult } from './types.js';

const CONCURRENCY = [1, 10, 50];
const WARMUP_MS = 1000;
const DURATION_MS = 3000;
const COPIES = 4;
const WARM_UP = { concurrency: 10, warmupMs: 1000, durationMs: 4000 };

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  let echo: Server | undefined;
  let flowbridge: Flowbridge | undefined;
  try {
    echo = await startEcho();
    flowbridge = await startFlowbridge();
    const stale = distNote();
    const check = await generatorCheck(echo.url);
    results.push(check);
    // A fresh server compiles its hot code during its first thousands of calls: warm both kinds
    // first (figures discarded), else c=1, the first case, measures the JIT.
    for (const kind of ['Stateless', 'Stateful'] as const)
      await load({ ...WARM_UP, urls: await flowbridge.deploy(kind, COPIES) });
    const loads: LoadResult[] = [];
    for (const concurrency of CONCURRENCY) {
      const options = { concurrency, warmupMs: WARMUP_MS, durationMs: DURATION_MS };
      const ref = await load({ ...options, urls: [`${echo.url}/echo`], serverPid: echo.pid });
      for (const kind of ['Stateless', 'Stateful'] as const) {
        const urls = await flowbridge.deploy(kind, COPIES);
        const ours = await load({ ...options, urls, serverPid: flowbridge.pid });
        loads.push(ref, ours);
        const errors = ours.errors
          ? `${ours.errors} of ${ours.requests} calls failed (${JSON.stringify(ours.statuses)}); `
          : '';
        const cpu = `server CPU ${ours.serverCpuUs?.toFixed(0)} µs per call (echo ${ref.serverCpuUs?.toFixed(0)})`;
        const note = `${errors}${ours.requests} calls in ${ours.seconds.toFixed(1)} s (echo ${ref.requests}); ${cpu}${stale && results.length === 1 ? `; ${stale}` : ''}`;
        const label = `${kind}, c=${concurrency}`;
        results.push(
          { ...compare(`${label}: req/s`, ours.perSecond, 'req/s', ref.perSecond, 'node:http echo'), note },
          compare(`${label}: p50`, ours.p50Ms, 'ms', ref.p50Ms, 'node:http echo', 'lower'),
          compare(`${label}: p99`, ours.p99Ms, 'ms', ref.p99Ms, 'node:http echo', 'lower'),
        );
      }
    }
    check.note = `${check.note ?? ''}; ${generatorNote(loads)}`;
  } finally {
    await flowbridge?.stop();
    await echo?.stop();
  }
  return results;
}
