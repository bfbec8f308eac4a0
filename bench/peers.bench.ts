// Flowbridge next to a peer in the same run: Node-RED (installed from the npm registry into a temp
// folder by bench/node-red.ts, never a dependency of ours) serving the same flow (Request trigger,
// Compose, InitializeVariable, Compose, Response), loaded by the same generator at concurrency
// 1, 10 and 50, interleaved with our Stateless and Stateful flows and the bare node:http echo.
// Two rounds over all cases (BENCH_ROUNDS); each case counts its best round (a busy neighbour on
// this shared machine only ever lowers a figure). Reports req/s, p50 and p99 as ours/Node-RED (the aim: at
// least 1.5× Node-RED's req/s while persisting every step), the server's CPU per call (all its
// threads, from /proc: steadier than req/s when neighbours compete for the cores), Node-RED/echo,
// and what each server wrote to disk under the load.
import { best, generatorCheck, generatorNote } from './generator-check.js';
import { dirBytes, distNote, load, startEcho, startFlowbridge, type Flowbridge, type Server } from './harness.js';
import type { LoadResult } from './load.js';
import { installNodeRed, startNodeRed, type NodeRed } from './node-red.js';
import { compare, type BenchResult } from './types.js';

const CONCURRENCY = [1, 10, 50];
/** BENCH_ROUNDS=n for more rounds on a busy machine. */
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 2;
const WARMUP_MS = 1000;
const DURATION_MS = 3000;
/** Copies of the flow per case (fresh flows, as http-flow.bench.ts); Node-RED gets as many paths. */
const COPIES = 8;
const AIM = 1.5;
const KiB = 1024;

type Who = 'echo' | 'Node-RED' | 'Stateless' | 'Stateful';

interface Servers {
  echo: Server;
  flowbridge: Flowbridge;
  nodeRed: NodeRed;
}

/** Loads one case once; returns the result and the bytes its server's folder grew meanwhile. */
async function measure(s: Servers, who: Who, concurrency: number): Promise<{ result: LoadResult; written: number }> {
  const options = { concurrency, warmupMs: WARMUP_MS, durationMs: DURATION_MS };
  if (who === 'echo')
    return { result: await load({ ...options, urls: [`${s.echo.url}/echo`], serverPid: s.echo.pid }), written: 0 };
  const serverPid = who === 'Node-RED' ? s.nodeRed.pid : s.flowbridge.pid;
  const dir = who === 'Node-RED' ? s.nodeRed.userDir : s.flowbridge.dataDir;
  // Fresh copies of our flow for each case, as http-flow.bench.ts does.
  const urls = who === 'Node-RED' ? s.nodeRed.urls : await s.flowbridge.deploy(who, COPIES);
  const before = dirBytes(dir);
  const result = await load({ ...options, urls, serverPid });
  return { result, written: dirBytes(dir) - before };
}

/** The least server CPU per call over the rounds (contention only ever adds to it). */
const cpuPerCall = (runs: LoadResult[]): number => Math.min(...runs.map((r) => r.serverCpuUs ?? NaN));

const calls = (runs: LoadResult[]): string =>
  `${runs.map((r) => Math.round(r.perSecond)).join(' / ')} req/s in the ${runs.length} rounds` +
  runs
    .filter((r) => r.errors)
    .map((r) => `; ${r.errors} of ${r.requests} calls failed (${JSON.stringify(r.statuses)})`)
    .join('');

export async function run(): Promise<BenchResult[]> {
  const installed = await installNodeRed();
  let echo: Server | undefined;
  let flowbridge: Flowbridge | undefined;
  let nodeRed: NodeRed | undefined;
  try {
    echo = await startEcho();
    flowbridge = await startFlowbridge();
    nodeRed = await startNodeRed(COPIES);
    const servers = { echo, flowbridge, nodeRed };
    const check = await generatorCheck(echo.url);
    // A fresh server compiles its hot code during its first thousands of calls: one throwaway
    // pass at c=10 first, else c=1, the first case, measures the JIT.
    for (const who of ['Node-RED', 'Stateless', 'Stateful'] as const) await measure(servers, who, 10);
    const runs = new Map<string, LoadResult[]>();
    const written: Record<Who, number> = { echo: 0, 'Node-RED': 0, Stateless: 0, Stateful: 0 };
    const served: Record<Who, number> = { echo: 0, 'Node-RED': 0, Stateless: 0, Stateful: 0 };
    for (let round = 0; round < ROUNDS; round++)
      for (const concurrency of CONCURRENCY)
        for (const who of ['echo', 'Node-RED', 'Stateless', 'Stateful'] as const) {
          const m = await measure(servers, who, concurrency);
          runs.set(`${who}@${concurrency}`, [...(runs.get(`${who}@${concurrency}`) ?? []), m.result]);
          written[who] += m.written;
          served[who] += m.result.requests;
        }

    const results: BenchResult[] = [check];
    for (const concurrency of CONCURRENCY) {
      const of = (who: Who): LoadResult[] => runs.get(`${who}@${concurrency}`) ?? [];
      const ref = best(of('echo'));
      const peer = best(of('Node-RED'));
      results.push({
        ...compare(`Node-RED, c=${concurrency}: req/s`, peer.perSecond, 'req/s', ref.perSecond, 'node:http echo'),
        note:
          `Node-RED ${calls(of('Node-RED'))}, ${cpuPerCall(of('Node-RED')).toFixed(0)} µs CPU per call; ` +
          `echo ${calls(of('echo'))}, ${cpuPerCall(of('echo')).toFixed(0)} µs CPU per call`,
      });
      for (const kind of ['Stateless', 'Stateful'] as const) {
        const ours = best(of(kind));
        const label = `${kind} vs Node-RED, c=${concurrency}`;
        const verdict = ours.perSecond >= AIM * peer.perSecond ? 'met' : 'missed';
        results.push(
          {
            ...compare(`${label}: req/s`, ours.perSecond, 'req/s', peer.perSecond, 'Node-RED'),
            note: `aim ≥ ${AIM * 100}%: ${verdict}; ${calls(of(kind))}`,
          },
          compare(`${label}: p50`, ours.p50Ms, 'ms', peer.p50Ms, 'Node-RED', 'lower'),
          compare(`${label}: p99`, ours.p99Ms, 'ms', peer.p99Ms, 'Node-RED', 'lower'),
          compare(
            `${label}: CPU per call`,
            cpuPerCall(of(kind)),
            'µs',
            cpuPerCall(of('Node-RED')),
            'Node-RED',
            'lower',
          ),
        );
      }
    }
    const growth = (who: Who): string => `${(written[who] / KiB).toFixed(0)} KiB over ${served[who]} calls`;
    check.note = [
      check.note,
      installed,
      generatorNote([...runs.values()].flat()),
      `disk written under load: Flowbridge's data dir (embedded SQLite) grew Stateful ${growth('Stateful')}, ` +
        `Stateless ${growth('Stateless')} (SQLite reuses its WAL, so growth undercounts what it wrote); ` +
        `Node-RED's user dir ${growth('Node-RED')}: it persists nothing of a call (no run history, no steps)`,
      distNote(),
    ]
      .filter(Boolean)
      .join('; ');
    return results;
  } finally {
    await nodeRed?.stop();
    await flowbridge?.stop();
    await echo?.stop();
  }
}
