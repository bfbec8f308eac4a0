// The load generator for the HTTP benchmarks, run as its own process so that it does not share an
// event loop with what it measures. N concurrent loops POST a JSON body over keep-alive
// connections for a warm-up, then for a fixed time while recording latencies; prints one JSON line.
// Usage: node --import tsx bench/load.ts '{"urls":[...],"concurrency":50,"warmupMs":1000,"durationMs":3000}'
import http from 'node:http';

export interface LoadOptions {
  /** Called round-robin (several copies of a flow, so no single one hits its per-flow rate limit). */
  urls: string[];
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  body?: unknown;
}

export interface LoadResult {
  requests: number;
  /** Non-2xx answers and transport errors during the measured window. */
  errors: number;
  statuses: Record<string, number>;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as LoadOptions;
  const total = options.warmupMs + options.durationMs;
  // Bounded whatever happens (a server that stops answering must not hang the run).
  setTimeout(() => {
    console.error('load: time limit reached');
    process.exit(3);
  }, total + 15_000).unref();

  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const targets = options.urls.map((u) => new URL(u));
  const payload = Buffer.from(JSON.stringify(options.body ?? { n: 1, name: 'bench' }));
  const call = (target: URL): Promise<number> =>
    new Promise((resolve) => {
      const req = http.request(
        {
          agent,
          method: 'POST',
          hostname: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          headers: { 'content-type': 'application/json', 'content-length': payload.length },
        },
        (res) => {
          res.resume();
          res.once('end', () => resolve(res.statusCode ?? 0));
          res.once('error', () => resolve(0));
        },
      );
      req.setTimeout(10_000, () => req.destroy());
      req.once('error', () => resolve(0));
      req.end(payload);
    });

  let latencies = new Float64Array(1 << 16);
  let count = 0;
  let errors = 0;
  const statuses: Record<string, number> = {};
  let next = 0;
  const start = performance.now();
  const measureFrom = start + options.warmupMs;
  const end = start + total;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (performance.now() < end) {
        const target = targets[next++ % targets.length] as URL;
        const t0 = performance.now();
        const status = await call(target);
        const t1 = performance.now();
        if (t0 < measureFrom || t1 > end) continue;
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status < 200 || status >= 300) errors++;
        if (count === latencies.length) {
          const grown = new Float64Array(latencies.length * 2);
          grown.set(latencies);
          latencies = grown;
        }
        latencies[count++] = t1 - t0;
      }
    }),
  );
  agent.destroy();
  const seconds = (Math.min(performance.now(), end) - measureFrom) / 1000;
  const sorted = latencies.slice(0, count).sort();
  const result: LoadResult = {
    requests: count,
    errors,
    statuses,
    seconds,
    perSecond: (count - errors) / seconds,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.length ? (sorted[sorted.length - 1] ?? NaN) : NaN,
  };
  console.log(JSON.stringify(result));
}

await main();
