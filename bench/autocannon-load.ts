// The fallback load generator (bench/load.ts uses it when wrk is not on the PATH): autocannon in
// this process of its own, with `threads` worker threads when more than one is asked. A warm-up
// run, then the measured one; prints one JSON line, a LoadResult, with the CPU this process used.
// Usage: node --import tsx bench/autocannon-load.ts '<LoadOptions as JSON>'
import autocannon from 'autocannon';
import { createRequire } from 'node:module';
import { cpuSeconds, resultOf, wholeSeconds, type LoadOptions } from './load-result.js';

const options = JSON.parse(process.argv[2] ?? '{}') as LoadOptions;
const version = (createRequire(import.meta.url)('autocannon/package.json') as { version: string }).version;
const workers = Math.max(1, Math.min(options.threads ?? 1, options.concurrency));
const body = JSON.stringify(options.body ?? { n: 1, name: 'bench' });
const run = (seconds: number) =>
  autocannon({
    url: new URL(options.urls[0] ?? '').origin,
    connections: options.concurrency,
    duration: seconds,
    timeout: 10,
    // Worker threads only when asked: a single thread needs none.
    ...(workers > 1 ? { workers } : {}),
    requests: options.urls.map((u) => {
      const url = new URL(u);
      return { method: 'POST', path: url.pathname + url.search, headers: { 'content-type': 'application/json' }, body };
    }),
  });

await run(wholeSeconds(options.warmupMs));
const before = process.cpuUsage();
const server = options.serverPid === undefined ? undefined : cpuSeconds(options.serverPid);
const r = await run(wholeSeconds(options.durationMs));
const cpu = process.cpuUsage(before);
const serverCpu = server === undefined ? undefined : cpuSeconds(options.serverPid ?? 0) - server;
const statuses = Object.fromEntries(Object.entries(r.statusCodeStats).map(([status, s]) => [status, s.count]));
const result = resultOf(
  { requests: r.requests.total, statuses, transportErrors: r.errors, seconds: r.duration },
  { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
  `autocannon ${version}, ${workers} thread${workers === 1 ? '' : 's'}`,
  { generator: (cpu.user + cpu.system) / 1e6, server: serverCpu },
);
console.log(JSON.stringify(result));
