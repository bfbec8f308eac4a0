// How close a durable run per call can come to the bare echo on this machine, and how close
// Flowbridge comes to that: the HTTP flow (Stateful and Stateless, c=50) beside the node:http echo
// and two hand-written durable servers that do the least such a run needs (bench/durable-floor.mjs:
// signature, JSON body, the flow's three results, a record of the run kept before the answer), one
// keeping its runs in SQLite through a writer thread, one appending them to a journal file.
// Interleaved rounds (BENCH_ROUNDS, default 3), each case counting its best round, as peers.bench.ts.
// Reports each against the echo, and ours against the SQLite floor.
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { best, generatorCheck, generatorNote } from './generator-check.js';
import {
  distNote,
  freePort,
  load,
  startChild,
  startEcho,
  startFlowbridge,
  type Flowbridge,
  type Server,
} from './harness.js';
import type { LoadResult } from './load.js';
import { compare, type BenchResult } from './types.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS) || 3;
const LOAD = { concurrency: 50, warmupMs: 1000, durationMs: 3000 };
const WARM_UP = { concurrency: 10, warmupMs: 1000, durationMs: 3000 };
const COPIES = 4;

type Mode = 'sqlite' | 'journal';
type Who = 'echo' | `floor ${Mode}` | 'Stateless' | 'Stateful';
const CASES: Who[] = ['echo', 'floor sqlite', 'floor journal', 'Stateless', 'Stateful'];

interface Floor extends Server {
  urls: string[];
}

/** bench/durable-floor.mjs in `mode`, its data in a temp folder; `urls`: COPIES signed trigger URLs. */
async function startFloor(mode: Mode): Promise<Floor> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `flowbridge-floor-${mode}-`));
  const key = randomBytes(32);
  const script = new URL('./durable-floor.mjs', import.meta.url).pathname;
  const env = { ...process.env, FLOOR_KEY: key.toString('hex') };
  const server = await startChild(`floor ${mode}`, [script, String(port), mode, join(dir, 'runs')], env, port, () =>
    rmSync(dir, { recursive: true, force: true }),
  );
  const urls = Array.from({ length: COPIES }, (_, i) => {
    const flow = `flow-${i}`;
    return `${server.url}/flows/${flow}/invoke?sig=${createHmac('sha256', key).update(flow).digest('base64url')}`;
  });
  return { ...server, urls };
}

export async function run(): Promise<BenchResult[]> {
  const servers: Server[] = [];
  try {
    const echo = await startEcho();
    servers.push(echo);
    const floors = { sqlite: await startFloor('sqlite'), journal: await startFloor('journal') };
    servers.push(floors.sqlite, floors.journal);
    const flowbridge: Flowbridge = await startFlowbridge();
    servers.push(flowbridge);
    const check = await generatorCheck(echo.url);
    const target = async (who: Who): Promise<{ urls: string[]; pid: number }> => {
      if (who === 'echo') return { urls: [`${echo.url}/echo`], pid: echo.pid };
      if (who === 'floor sqlite' || who === 'floor journal') {
        const floor = floors[who === 'floor sqlite' ? 'sqlite' : 'journal'];
        return { urls: floor.urls, pid: floor.pid };
      }
      return { urls: await flowbridge.deploy(who, COPIES), pid: flowbridge.pid };
    };
    // Fresh servers compile their hot code during their first thousands of calls: warm each first.
    for (const who of CASES.slice(1)) await load({ ...WARM_UP, urls: (await target(who)).urls });
    const runs = new Map<Who, LoadResult[]>();
    for (let round = 0; round < ROUNDS; round++)
      for (const who of CASES) {
        const { urls, pid } = await target(who);
        runs.set(who, [...(runs.get(who) ?? []), await load({ ...LOAD, urls, serverPid: pid })]);
      }

    const of = (who: Who): LoadResult[] => runs.get(who) ?? [];
    const note = (who: Who): string => {
      const r = of(who);
      const failed = r.filter((x) => x.errors).map((x) => `; ${x.errors} of ${x.requests} calls failed`);
      const cpu = Math.min(...r.map((x) => x.serverCpuUs ?? NaN)).toFixed(0);
      return `${r.map((x) => Math.round(x.perSecond)).join(' / ')} req/s in the ${r.length} rounds, ${cpu} µs server CPU per call${failed.join('')}`;
    };
    const echoBest = best(of('echo'));
    const floor = best(of('floor sqlite'));
    const results: BenchResult[] = [check];
    for (const who of CASES.slice(1)) {
      const ours = best(of(who));
      results.push({
        ...compare(`${who}, c=50: req/s`, ours.perSecond, 'req/s', echoBest.perSecond, 'node:http echo'),
        note: note(who),
      });
    }
    for (const kind of ['Stateless', 'Stateful'] as const)
      results.push(
        compare(
          `${kind} vs floor sqlite, c=50: req/s`,
          best(of(kind)).perSecond,
          'req/s',
          floor.perSecond,
          'floor sqlite',
        ),
      );
    check.note = [check.note, `echo ${note('echo')}`, generatorNote([...runs.values()].flat()), distNote()]
      .filter(Boolean)
      .join('; ');
    return results;
  } finally {
    for (const server of servers.reverse()) await server.stop();
  }
}
