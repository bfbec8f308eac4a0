// Where a trigger call's CPU goes: `flowbridge start` under `node --cpu-prof`, the HTTP flow of
// http-flow.bench.ts (Stateful, then Stateless, each on a server of its own) loaded at c=50 for a
// few seconds, and the profile summarized by source file and function (cpu-profile.ts). The
// figures are the server's CPU per call; the notes list the top entries the README quotes.
// BENCH_PROFILE_DIR keeps the .cpuprofile files (open them in Chrome's DevTools).
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { line, summarize } from './cpu-profile.js';
import { load, startFlowbridge } from './harness.js';
import type { BenchResult } from './types.js';

const WARM_UP = { concurrency: 10, warmupMs: 1000, durationMs: 3000 };
const MEASURE = { concurrency: 50, warmupMs: 0, durationMs: 5000 };

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const keep = process.env.BENCH_PROFILE_DIR;
  for (const kind of ['Stateful', 'Stateless'] as const) {
    const dir = keep ? join(keep, kind.toLowerCase()) : mkdtempSync(join(tmpdir(), 'flowbridge-profile-'));
    mkdirSync(dir, { recursive: true });
    // The profile starts with the process: its start and the warm-up are in it too, a small share.
    const server = await startFlowbridge({ nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
    let cpu: number | undefined;
    try {
      const urls = await server.deploy(kind, 4);
      await load({ ...WARM_UP, urls });
      const measured = await load({ ...MEASURE, urls, serverPid: server.pid });
      cpu = measured.serverCpuUs;
    } finally {
      await server.stop(); // SIGTERM: node writes the profile as it exits
    }
    const main = readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .sort()[0];
    if (!main) throw new Error(`no profile was written to ${dir}`);
    const summary = summarize(join(dir, main));
    if (!keep) rmSync(dir, { recursive: true, force: true });
    results.push({
      name: `${kind}, c=50: server CPU per call`,
      value: cpu ?? Number.NaN,
      unit: 'µs',
      better: 'lower',
      note:
        `profile of ${summary.totalMs.toFixed(0)} ms; self by file: ${line(summary.selfByFile.slice(0, 12))}; ` +
        `inclusive by file: ${line(summary.inclusiveByFile.slice(0, 12))}; ` +
        `inclusive by function: ${line(summary.inclusiveByFunction.slice(0, 15))}`,
    });
  }
  return results;
}
