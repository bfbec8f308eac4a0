// `flowbridge start --workers 2` (issue 18): the HTTP flow of http-flow.bench.ts (Request,
// Compose, InitializeVariable, Compose, Response) at concurrency 50, Stateless and Stateful, served
// by two worker processes behind one port, against a bare node:http cluster of two workers
// (bench/echo-cluster.mjs), and against one Flowbridge process (`--workers 1`) for the scaling.
// On the embedded store, and on PostgreSQL when it is reachable. Cases run interleaved so that
// the noise of the shared machine falls on all alike. The trigger rate limit is off: the figure is
// the runtime's, not the limiter's.
import {
  createDatabase,
  databaseUrl,
  dropDatabase,
  postgresAvailable,
} from '../packages/server/src/store/test-support/backends.js';
import { distNote, load, startEcho, startFlowbridge, type Flowbridge, type Server } from './harness.js';
import { compare, type BenchResult } from './types.js';

const CONCURRENCY = 50;
const WARMUP_MS = 1000;
const DURATION_MS = 4000;
const COPIES = 4;
const WORKERS = 2;

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const options = { concurrency: CONCURRENCY, warmupMs: WARMUP_MS, durationMs: DURATION_MS };
  const env = { FLOWBRIDGE_TRIGGER_RATE_LIMIT: '0' };
  let echo: Server | undefined;
  try {
    echo = await startEcho({ workers: WORKERS });
    const stale = distNote();
    const pg = await postgresAvailable();
    for (const store of ['SQLite', 'PostgreSQL'] as const) {
      if (store === 'PostgreSQL' && !pg) {
        results.push({ name: 'PostgreSQL: skipped', value: 0, unit: '', better: 'higher', note: 'not reachable' });
        continue;
      }
      // PostgreSQL: a database each, so that the one process is not a third member of the cluster.
      const dbNames = store === 'PostgreSQL' ? [await createDatabase(), await createDatabase()] : [];
      const envOf = (i: number) => (dbNames[i] ? { ...env, FLOWBRIDGE_DATABASE_URL: databaseUrl(dbNames[i]) } : env);
      let many: Flowbridge | undefined;
      let one: Flowbridge | undefined;
      try {
        many = await startFlowbridge({ args: ['--workers', String(WORKERS)], env: envOf(0) });
        one = await startFlowbridge({ args: ['--workers', '1'], env: envOf(1) });
        for (const kind of ['Stateless', 'Stateful'] as const) {
          const manyUrls = await many.deploy(kind, COPIES);
          const oneUrls = await one.deploy(kind, COPIES);
          const ref = await load({ ...options, urls: [`${echo.url}/echo`] });
          const ours = await load({ ...options, urls: manyUrls });
          const single = await load({ ...options, urls: oneUrls });
          if (ours.requests === 0 || single.requests === 0) {
            const why = `no call answered in ${DURATION_MS} ms (--workers ${WORKERS}: ${JSON.stringify(ours.statuses)}, one process: ${JSON.stringify(single.statuses)})`;
            results.push({ name: `${store}, ${kind}: failed`, value: 0, unit: '', better: 'higher', note: why });
            continue;
          }
          const errors = ours.errors
            ? `${ours.errors} of ${ours.requests} calls failed (${JSON.stringify(ours.statuses)}); `
            : '';
          const note = `${errors}${ours.requests} calls in ${ours.seconds.toFixed(1)} s (echo cluster ${ref.requests}, one process ${single.requests})${stale && !results.length ? `; ${stale}` : ''}`;
          const label = `${store}, ${kind}, --workers ${WORKERS}, c=${CONCURRENCY}`;
          results.push(
            {
              ...compare(`${label}: req/s`, ours.perSecond, 'req/s', ref.perSecond, `node:http cluster of ${WORKERS}`),
              note,
            },
            compare(`${label}: p50`, ours.p50Ms, 'ms', ref.p50Ms, `node:http cluster of ${WORKERS}`, 'lower'),
            compare(`${label}: p99`, ours.p99Ms, 'ms', ref.p99Ms, `node:http cluster of ${WORKERS}`, 'lower'),
            compare(`${label}: req/s`, ours.perSecond, 'req/s', single.perSecond, 'one process (--workers 1)'),
          );
        }
      } finally {
        await many?.stop();
        await one?.stop();
        for (const name of dbNames) await dropDatabase(name);
      }
    }
  } finally {
    await echo?.stop();
  }
  return results;
}
