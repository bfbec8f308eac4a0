// The server's footprint next to a bare node:http JSON echo server started the same way: cold
// start (spawn to the first 200 from /healthz, median of three starts on an empty data dir), idle
// RSS (after start, deploying the flows and one request each, then a pause of 1 s, and again 15 s
// later) and peak RSS (VmHWM) under the http-flow load at concurrency 50, Stateless then Stateful.
import { distNote, load, post, startEcho, startFlowbridge, type Flowbridge, type Server } from './harness.js';
import { compare, type BenchResult } from './types.js';

const STARTS = 3;
const LOAD = { concurrency: 50, warmupMs: 500, durationMs: 2500 };
const MiB = 1024;
const SETTLE_MS = 15_000;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function run(): Promise<BenchResult[]> {
  // Cold starts, alternating so that both see the same machine.
  const ours: number[] = [];
  const ref: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const e = await startEcho();
    ref.push(e.coldStartMs);
    await e.stop();
    const f = await startFlowbridge();
    ours.push(f.coldStartMs);
    await f.stop();
  }
  const stale = distNote();
  const results: BenchResult[] = [
    {
      ...compare('cold start to first request', median(ours), 'ms', median(ref), 'node:http echo', 'lower'),
      note: `median of ${STARTS}: ours ${ours.map((x) => x.toFixed(0)).join('/')} ms, echo ${ref.map((x) => x.toFixed(0)).join('/')} ms${stale ? `; ${stale}` : ''}`,
    },
  ];

  let echo: Server | undefined;
  let flowbridge: Flowbridge | undefined;
  try {
    echo = await startEcho();
    flowbridge = await startFlowbridge();
    const stateless = await flowbridge.deploy('Stateless', 4);
    const stateful = await flowbridge.deploy('Stateful', 4);
    if ((await post(`${echo.url}/echo`)) !== 200) throw new Error('echo server did not answer');
    await pause(1000);
    results.push(compare('idle RSS', flowbridge.rssKiB() / MiB, 'MiB', echo.rssKiB() / MiB, 'node:http echo', 'lower'));
    // What an idle server keeps once V8 has given back what the start and the first calls left
    // (its memory reducer runs some seconds after the allocations stop).
    await pause(SETTLE_MS);
    results.push(
      compare(
        `idle RSS, ${SETTLE_MS / 1000} s later`,
        flowbridge.rssKiB() / MiB,
        'MiB',
        echo.rssKiB() / MiB,
        'node:http echo',
        'lower',
      ),
    );

    await load({ ...LOAD, urls: [`${echo.url}/echo`] });
    const s1 = await load({ ...LOAD, urls: stateless });
    const s2 = await load({ ...LOAD, urls: stateful });
    results.push({
      ...compare(
        'peak RSS (VmHWM) under load, c=50',
        flowbridge.peakKiB() / MiB,
        'MiB',
        echo.peakKiB() / MiB,
        'node:http echo',
        'lower',
      ),
      note: `after ${s1.requests} stateless and ${s2.requests} stateful calls; RSS after the load ${(flowbridge.rssKiB() / MiB).toFixed(1)} MiB`,
    });
  } finally {
    await flowbridge?.stop();
    await echo?.stop();
  }
  return results;
}
