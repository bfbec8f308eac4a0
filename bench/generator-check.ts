// Whether the load generator, not the server, is the limit: the bare echo at c=50 loaded with one
// generator thread and with two. If a second thread gives the echo no more req/s, one thread was
// not the bottleneck; the note gives the CPU the generator itself used (in cores: this machine's
// cores are shared by the generator, the server and whatever else runs).
import { load, type LoadResult } from './load.js';
import { compare, type BenchResult } from './types.js';

const OPTIONS = { concurrency: 50, warmupMs: 1000, durationMs: 3000 };

const describe = (r: LoadResult): string =>
  `${r.generator}: ${Math.round(r.perSecond)} req/s, generator CPU ${r.generatorCpu.toFixed(2)} cores`;

export async function generatorCheck(echoUrl: string): Promise<BenchResult> {
  const one = await load({ ...OPTIONS, urls: [`${echoUrl}/echo`], threads: 1 });
  const two = await load({ ...OPTIONS, urls: [`${echoUrl}/echo`], threads: 2 });
  return {
    ...compare('echo c=50: req/s, 2 generator threads vs 1', two.perSecond, 'req/s', one.perSecond, '1 thread'),
    note: `${describe(one)}; ${describe(two)}`,
  };
}

/** What measured a run, for a note: the generator and its CPU over the cases. */
export function generatorNote(results: LoadResult[]): string {
  const cpu = results.map((r) => r.generatorCpu);
  const generators = [...new Set(results.map((r) => r.generator))].join(', ');
  return `load by ${generators} (its own process; CPU ${Math.min(...cpu).toFixed(2)}–${Math.max(...cpu).toFixed(2)} cores)`;
}
