// What a load generator is asked (LoadOptions) and answers (LoadResult), the same whichever
// generator ran (bench/load.ts picks one), and how a generator's raw counts become a LoadResult.
export interface LoadOptions {
  /** Called round-robin (several copies of a flow, so no single one hits its per-flow rate limit); one origin. */
  urls: string[];
  /** Connections kept open, each with one request in flight. */
  concurrency: number;
  /** Rounded to whole seconds (wrk's unit), at least one; the warm-up's figures are discarded. */
  warmupMs: number;
  durationMs: number;
  body?: unknown;
  /** The generator's threads (wrk) or worker threads (autocannon); 1 by default. */
  threads?: number;
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
}

/** Whole seconds, at least one. */
export const wholeSeconds = (ms: number): number => Math.max(1, Math.round(ms / 1000));

/** The result as the rest of a benchmark expects it, from the counts any generator gives. */
export function resultOf(
  counts: { requests: number; statuses: Record<string, number>; transportErrors: number; seconds: number },
  latencyMs: { p50: number; p99: number; max: number },
  generator: string,
  cpuSeconds: number,
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
    generatorCpu: cpuSeconds / counts.seconds,
  };
}
