/**
 * For the end-to-end story: `flowbridge start` (the built bin) and the CRM as separate processes,
 * a proxy in front of Flowbridge that can fail the next few calls, and polling with a deadline.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  fromSource,
  jsonClient as apiClient,
  spawnUntilLogged,
  startFlowbridge as spawnFlowbridge,
  type SpawnedProcess,
} from '../../../scripts/test-support/spawn-server.js';

export { until, type Json } from '../../../scripts/test-support/spawn-server.js';

const crmMain = fileURLToPath(new URL('../src/main.ts', import.meta.url));

export type Proc = SpawnedProcess;

/** `flowbridge start` as `npm run build` leaves it. */
export function startFlowbridge(dataDir: string, env: Record<string, string>): Promise<Proc> {
  return spawnFlowbridge({ from: 'bin', dataDir, env });
}

/** The CRM as `npm start -w examples/host-crm` runs it (from source, with the SDK's sources). */
export function startCrm(env: Record<string, string>): Promise<Proc> {
  return spawnUntilLogged(fromSource(crmMain), { name: 'crm', env, until: 'crm started' });
}

export interface FlakyProxy {
  url: string;
  /** Requests seen, as `METHOD path` (without the query: trigger URLs carry a signature). */
  seen: string[];
  upstream: string;
  /** The next `count` requests whose path starts with `prefix` get 503 without reaching upstream. */
  failNext(prefix: string, count: number): void;
  close(): Promise<void>;
}

export async function flakyProxy(): Promise<FlakyProxy> {
  let failing: { prefix: string; left: number } | undefined;
  const proxy: FlakyProxy = {
    url: '',
    seen: [],
    upstream: '',
    failNext: (prefix, count) => (failing = { prefix, left: count }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    proxy.seen.push(`${req.method} ${path}`);
    if (failing && failing.left > 0 && path.startsWith(failing.prefix)) {
      failing.left--;
      req.resume();
      res.writeHead(503, { 'content-type': 'text/plain' }).end('proxy: failing on purpose');
      return;
    }
    const target = new URL(req.url ?? '/', proxy.upstream);
    const forward = httpRequest(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

/** A JSON API client (Flowbridge with a bearer token, or the CRM's connector with its API key). */
export function jsonClient(base: string, headers: Record<string, string>) {
  return apiClient(base, headers, { textBodies: true });
}

/** A form post to the CRM's pages, as a browser sends it: answers 303 with where it leads. */
export async function postForm(base: string, path: string, form: Record<string, string | number> = {}) {
  const res = await fetch(base + path, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(Object.entries(form).map(([k, v]): [string, string] => [k, String(v)])).toString(),
  });
  await res.arrayBuffer();
  const location = new URL(res.headers.get('location') ?? '/', base);
  return {
    status: res.status,
    location,
    flash: location.searchParams.get('flash'),
    error: location.searchParams.get('error'),
    created: location.searchParams.get('created'),
  };
}

export async function page(base: string, path: string): Promise<string> {
  const res = await fetch(base + path);
  return res.text();
}
