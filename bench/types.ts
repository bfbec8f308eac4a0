/** One figure a benchmark reports; `reference` is the same measure for the baseline it is compared with. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** Higher is better (rates) or lower is better (latencies, memory). */
  better: 'higher' | 'lower';
  reference?: number;
  referenceName?: string;
  /** How ours compares with the reference, oriented so that above 1 means ours is better: ours/ref for rates, ref/ours for latencies and memory. */
  ratio?: number;
  /** Context printed under the table (a skipped case, how the figure was obtained). */
  note?: string;
}

/** Runs `fn` repeatedly for about `ms` milliseconds after a warm-up; returns calls per second. */
export function rate(fn: () => void, ms = 1000, batch = 1000): number {
  const warmUntil = performance.now() + ms / 4;
  while (performance.now() < warmUntil) for (let i = 0; i < batch; i++) fn();
  let count = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < batch; i++) fn();
    count += batch;
    now = performance.now();
  }
  return (count * 1000) / (now - start);
}

/** Like `rate` for async work: runs `fn` with `concurrency` in flight for `ms`; returns completions per second. */
export async function asyncRate(fn: () => Promise<unknown>, ms = 1000, concurrency = 1): Promise<number> {
  let count = 0;
  const end = performance.now() + ms;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await fn();
        count++;
      }
    }),
  );
  return (count * 1000) / (performance.now() - start);
}

export function compare(
  name: string,
  value: number,
  unit: string,
  reference: number,
  referenceName: string,
  better: 'higher' | 'lower' = 'higher',
): BenchResult {
  return {
    name,
    value,
    unit,
    better,
    reference,
    referenceName,
    ratio: better === 'higher' ? value / reference : reference / value,
  };
}
