// Flowbridge next to a peer in the same run: Node-RED (installed from the npm registry into a temp
// folder by bench/node-red.ts, never a dependency of ours) serving the same flow (Request trigger,
// Compose, InitializeVariable, Compose, Response), loaded by the same generator at concurrency
// 1, 10 and 50, interleaved with our Stateless and Stateful flows and the bare node:http echo.
// Reports req/s, p50 and p99 as ours/Node-RED (the aim: at least 1.5× Node-RED's req/s while
// persisting every step), Node-RED/echo, and what each server wrote to disk under the load.
import { generatorCheck, generatorNote } from './generator-check.js';
import { dirBytes, distNote, load, startEcho, startFlowbridge, type Flowbridge, type Server } from './harness.js';
import type { LoadResult } from './load.js';
import { installNodeRed, startNodeRed, type NodeRed } from './node-red.js';
import { compare, type BenchResult } from './types.js';

const CONCURRENCY = [1, 10, 50];
const WARMUP_MS = 1000;
const DURATION_MS = 3000;
/** Copies of the flow per case (each of ours has a per-flow trigger rate limit); Node-RED gets as many paths. */
const COPIES = 8;
const AIM = 1.5;

const KiB = 1024;
const calls = (r: LoadResult): string =>
  `${r.requests} calls${r.errors ? `, ${r.errors} failed (${JSON.stringify(r.statuses)})` : ''}`;

export async function run(): Promise<BenchResult[]> {
  const installed = await installNodeRed();
  const results: BenchResult[] = [];
  const loads: LoadResult[] = [];
  let echo: Server | undefined;
  let flowbridge: Flowbridge | undefined;
  let nodeRed: NodeRed | undefined;
  try {
    echo = await startEcho();
    flowbridge = await startFlowbridge();
    nodeRed = await startNodeRed(COPIES);
    const stale = distNote();
    results.push(await generatorCheck(echo.url));
    const written = { Stateless: 0, Stateful: 0, nodeRed: 0 };
    const served = { Stateless: 0, Stateful: 0, nodeRed: 0 };
    for (const concurrency of CONCURRENCY) {
      const options = { concurrency, warmupMs: WARMUP_MS, durationMs: DURATION_MS };
      const ref = await load({ ...options, urls: [`${echo.url}/echo`] });
      let before = dirBytes(nodeRed.userDir);
      const peer = await load({ ...options, urls: nodeRed.urls });
      written.nodeRed += dirBytes(nodeRed.userDir) - before;
      served.nodeRed += peer.requests;
      loads.push(ref, peer);
      results.push({
        ...compare(`Node-RED, c=${concurrency}: req/s`, peer.perSecond, 'req/s', ref.perSecond, 'node:http echo'),
        note: `${calls(peer)} (echo ${ref.requests})`,
      });
      for (const kind of ['Stateless', 'Stateful'] as const) {
        const urls = await flowbridge.deploy(kind, COPIES);
        before = dirBytes(flowbridge.dataDir);
        const ours = await load({ ...options, urls });
        written[kind] += dirBytes(flowbridge.dataDir) - before;
        served[kind] += ours.requests;
        loads.push(ours);
        const label = `${kind} vs Node-RED, c=${concurrency}`;
        results.push(
          {
            ...compare(`${label}: req/s`, ours.perSecond, 'req/s', peer.perSecond, 'Node-RED'),
            note: `${calls(ours)}; aim ≥ ${AIM * 100}%: ${ours.perSecond >= AIM * peer.perSecond ? 'met' : 'missed'}`,
          },
          compare(`${label}: p50`, ours.p50Ms, 'ms', peer.p50Ms, 'Node-RED', 'lower'),
          compare(`${label}: p99`, ours.p99Ms, 'ms', peer.p99Ms, 'Node-RED', 'lower'),
        );
      }
    }
    const growth = (kind: keyof typeof written): string =>
      `${(written[kind] / KiB).toFixed(0)} KiB over ${served[kind]} calls`;
    const first = results[0];
    if (first)
      first.note = [
        first.note,
        installed,
        generatorNote(loads),
        `disk written under load: Flowbridge's data dir Stateful ${growth('Stateful')}, Stateless ${growth('Stateless')} ` +
          `(SQLite reuses its WAL, so this undercounts what it persisted); Node-RED's user dir ${growth('nodeRed')}: ` +
          'it persists nothing of a call (no run history, no steps)',
        stale,
      ]
        .filter(Boolean)
        .join('; ');
  } finally {
    await nodeRed?.stop();
    await flowbridge?.stop();
    await echo?.stop();
  }
  return results;
}
