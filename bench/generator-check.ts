// Whether the load generator, not the server, is the limit: the bare echo at c=50 loaded with one
// generator thread and with two, alternately, twice each (the best of each counts: this machine is
// shared, and a busy neighbour only ever lowers a figure). If a second thread gives the echo no
// more req/s, one was not the bottleneck; under contention it is (a lone generator thread waits
// for a core), which is why wrk runs two by default. The note gives the CPU the generator itself
// used, in cores (the generator, the server and whatever else runs share this machine's cores).
import { load, type LoadResult } from './load.js';
import { compare, type BenchResult } from './types.js';

const OPTIONS = { concurrency: 50, warmupMs: 1000, durationMs: 3000 };

/** The run with the most req/s. */
export const best = (runs: LoadResult[]): LoadResult => runs.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));

const describe = (runs: LoadResult[]): string =>
  `${runs[0]?.generator ?? ''}: ${runs.map((r) => Math.round(r.perSecond)).join(' / ')} req/s, ` +
  `generator CPU ${runs.map((r) => r.generatorCpu.toFixed(2)).join(' / ')} cores`;

export async function generatorCheck(echoUrl: string): Promise<BenchResult> {
  const one: LoadResult[] = [];
  const two: LoadResult[] = [];
  for (let i = 0; i < 2; i++) {
    one.push(await load({ ...OPTIONS, urls: [`${echoUrl}/echo`], threads: 1 }));
    two.push(await load({ ...OPTIONS, urls: [`${echoUrl}/echo`], threads: 2 }));
  }
  return {
    ...compare(
      'echo c=50: req/s, 2 generator threads vs 1',
      best(two).perSecond,
      'req/s',
      best(one).perSecond,
      '1 thread',
    ),
    note: `best of 2 each; ${describe(one)}; ${describe(two)}`,
  };
}

/** What measured a run, for a note: the generator and its CPU over the cases. */
export function generatorNote(results: LoadResult[]): string {
  const cpu = results.map((r) => r.generatorCpu);
  const generators = [...new Set(results.map((r) => r.generator))].join(', ');
  return `load by ${generators} (its own process; CPU ${Math.min(...cpu).toFixed(2)}–${Math.max(...cpu).toFixed(2)} cores)`;
}
