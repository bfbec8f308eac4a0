// Runs wrk (bench/wrk.lua) for the warm-up, then again for the measured window, and reads the
// JSON line the script prints at the end: counts by status, latency percentiles and wrk's own CPU.
import { join } from 'node:path';
import { runChild } from './children.js';
import { clockTicks, cpuSeconds, resultOf, wholeSeconds, type LoadOptions, type LoadResult } from './load-result.js';

const ROOT = new URL('../', import.meta.url).pathname;
const SCRIPT = join(ROOT, 'bench/wrk.lua');

interface WrkSummary {
  requests: number;
  durationUs: number;
  socketErrors: number;
  timeouts: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
  cpuTicks: number;
  statuses: Record<string, number>;
}

async function wrk(options: LoadOptions, threads: number, seconds: number): Promise<WrkSummary> {
  const first = new URL(options.urls[0] ?? '');
  const paths = options.urls.map((u) => {
    const url = new URL(u);
    return url.pathname + url.search;
  });
  const body = JSON.stringify(options.body ?? { n: 1, name: 'bench' });
  const args = ['-t', String(threads), '-c', String(options.concurrency), '-d', `${seconds}s`, '--timeout', '10s'];
  const out = await runChild(
    'wrk',
    [...args, '-s', SCRIPT, first.origin, '--', body, ...paths],
    seconds * 1000 + 30_000,
  );
  const line = out.split('\n').find((l) => l.startsWith('WRKJSON '));
  if (!line) throw new Error(`wrk printed no summary:\n${out}`);
  return JSON.parse(line.slice('WRKJSON '.length)) as WrkSummary;
}

export async function wrkLoad(options: LoadOptions, version: string): Promise<LoadResult> {
  // wrk needs at least one connection per thread.
  const threads = Math.max(1, Math.min(options.threads ?? 2, options.concurrency));
  await wrk(options, threads, wholeSeconds(options.warmupMs));
  const server = options.serverPid === undefined ? undefined : cpuSeconds(options.serverPid);
  const s = await wrk(options, threads, wholeSeconds(options.durationMs));
  const serverCpu = server === undefined ? undefined : cpuSeconds(options.serverPid ?? 0) - server;
  return resultOf(
    {
      requests: s.requests,
      statuses: s.statuses,
      transportErrors: s.socketErrors + s.timeouts,
      seconds: s.durationUs / 1e6,
    },
    { p50: s.p50Us / 1000, p99: s.p99Us / 1000, max: s.maxUs / 1000 },
    `wrk ${version}, ${threads} thread${threads === 1 ? '' : 's'}`,
    { generator: s.cpuTicks / clockTicks(), server: serverCpu },
  );
}
