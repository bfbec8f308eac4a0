// What a load generator is asked (LoadOptions) and answers (LoadResult), the same whichever
// generator ran (bench/load.ts picks one), and how a generator's raw counts become a LoadResult.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface LoadOptions {
  /** Called round-robin (several copies of a flow, each fresh); one origin. */
  urls: string[];
  /** Connections kept open, each with one request in flight. */
  concurrency: number;
  /** Rounded to whole seconds (wrk's unit), at least one; the warm-up's figures are discarded. */
  warmupMs: number;
  durationMs: number;
  body?: unknown;
  /**
   * The generator's threads: wrk's default is 2 (at most one per connection; on a busy machine one
   * thread waits for a core and limits the echo, see bench/generator-check.ts); autocannon's is 1
   * (more are worker threads).
   */
  threads?: number;
  /** The server's process: the load starts once it is idle, and its CPU in the measured window is reported (`serverCpuUs`). */
  serverPid?: number;
}

export interface LoadResult {
  requests: number;
  /** Non-2xx answers and transport errors (socket errors, timeouts) during the measured window. */
  errors: number;
  statuses: Record<string, number>;
  seconds: number;
  /** 2xx answers per second. */
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Which generator measured, e.g. "wrk 4.1.0, 1 thread". */
  generator: string;
  /** CPU the generator used during the measured window, in cores (CPU seconds per second). */
  generatorCpu: number;
  /** With `serverPid`: the server's CPU time (all its threads) per call in the measured window, in µs. */
  serverCpuUs?: number;
}

let ticks: number | undefined;

/** The unit of /proc's CPU times, per second. */
export function clockTicks(): number {
  ticks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return ticks;
}

/** CPU time (user + system, all threads) a process has used so far, in seconds; Linux's /proc. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is the first, utime the 12th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks();
}

/** Whole seconds, at least one. */
export const wholeSeconds = (ms: number): number => Math.max(1, Math.round(ms / 1000));

/** The result as the rest of a benchmark expects it, from the counts any generator gives. */
export function resultOf(
  counts: { requests: number; statuses: Record<string, number>; transportErrors: number; seconds: number },
  latencyMs: { p50: number; p99: number; max: number },
  generator: string,
  cpu: { generator: number; server?: number },
): LoadResult {
  let ok = 0;
  for (const [status, n] of Object.entries(counts.statuses)) if (status.startsWith('2')) ok += n;
  return {
    requests: counts.requests,
    errors: counts.requests - ok + counts.transportErrors,
    statuses: counts.statuses,
    seconds: counts.seconds,
    perSecond: ok / counts.seconds,
    p50Ms: latencyMs.p50,
    p99Ms: latencyMs.p99,
    maxMs: latencyMs.max,
    generator,
    generatorCpu: cpu.generator / counts.seconds,
    ...(cpu.server === undefined ? {} : { serverCpuUs: (cpu.server * 1e6) / Math.max(1, counts.requests) }),
  };
}
