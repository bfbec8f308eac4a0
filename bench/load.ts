// The load generator of the HTTP benchmarks: wrk (Debian's `wrk`, C, epoll) when it is on the
// PATH, else autocannon (a pinned devDependency) in a child process of its own. Either way the
// generator is another process than what it measures, and it reports the CPU it used itself, so a
// run shows whether the generator, not the server, was the limit. Nothing is installed here: with
// neither generator the benchmark fails saying so. BENCH_LOAD_GENERATOR=autocannon forces the
// fallback (to compare the two).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runChild } from './children.js';
import { cpuSeconds, wholeSeconds, type LoadOptions, type LoadResult } from './load-result.js';
import { wrkLoad } from './wrk.js';

export type { LoadOptions, LoadResult } from './load-result.js';

const ROOT = new URL('../', import.meta.url).pathname;

let wrkFound: string | undefined | null = null;

/** wrk's version when it is on the PATH (`wrk -v` prints it and exits with 1). */
export function wrkVersion(): string | undefined {
  if (wrkFound !== null) return wrkFound;
  const probe = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  wrkFound = probe.error ? undefined : (/wrk (?:debian\/)?(\S+)/.exec(probe.stdout)?.[1] ?? 'unknown version');
  return wrkFound;
}

/** The generator `load` uses on this machine. */
export function generatorName(): 'wrk' | 'autocannon' {
  const forced = process.env.BENCH_LOAD_GENERATOR;
  if (forced === 'autocannon') return 'autocannon';
  if (forced && forced !== 'wrk') throw new Error(`BENCH_LOAD_GENERATOR must be wrk or autocannon, not ${forced}`);
  if (wrkVersion()) return 'wrk';
  if (forced === 'wrk') throw new Error('BENCH_LOAD_GENERATOR=wrk but wrk is not on the PATH (apt-get install wrk)');
  return 'autocannon';
}

/**
 * Waits (10 s at most) until the server at `pid` is idle: under 5% of a core over 250 ms. Work the
 * previous case left behind (runs persisted after they answered, checkpoints) then does not land
 * in the next case's figures.
 */
async function settle(pid: number): Promise<void> {
  const until = performance.now() + 10_000;
  for (let before = cpuSeconds(pid); performance.now() < until;) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = cpuSeconds(pid);
    if (now - before < 0.0125) return;
    before = now;
  }
}

/** Loads `urls` as `options` say, then returns what was measured after the warm-up. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  if (options.serverPid !== undefined) await settle(options.serverPid);
  const origins = new Set(options.urls.map((u) => new URL(u).origin));
  if (origins.size !== 1) throw new Error(`load: the urls must share one origin, got ${[...origins].join(', ')}`);
  if (generatorName() === 'wrk') return wrkLoad(options, wrkVersion() ?? '');
  const limit = (wholeSeconds(options.warmupMs) + wholeSeconds(options.durationMs)) * 1000 + 30_000;
  const out = await runChild(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'bench/autocannon-load.ts'), JSON.stringify(options)],
    limit,
  );
  return JSON.parse(out.trim().split('\n').pop() ?? '') as LoadResult;
}
