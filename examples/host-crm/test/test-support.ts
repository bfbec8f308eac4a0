/**
 * For the end-to-end story: `flowbridge start` (the built bin) and the CRM as separate processes,
 * a proxy in front of Flowbridge that can fail the next few calls, and polling with a deadline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = fileURLToPath(new URL('../../../packages/server/bin/flowbridge.js', import.meta.url));
const crmMain = fileURLToPath(new URL('../src/main.ts', import.meta.url));

export interface Proc {
  url: string;
  child: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Spawns a process and waits for the JSON log line `msg` with its `url`. */
async function spawnUntil(args: string[], env: Record<string, string>, msg: string): Promise<Proc> {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pattern = new RegExp(`"url":"([^"]+)"[^\\n]*"msg":"${msg}"`);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${msg}' within 30 s:\n${out}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const m = pattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`exited before '${msg}':\n${out}`));
    });
  });
  return {
    url,
    child,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** `flowbridge start` as `npm run build` leaves it. */
export function startFlowbridge(dataDir: string, env: Record<string, string>): Promise<Proc> {
  if (!existsSync(new URL('../../../packages/server/dist', import.meta.url))) {
    throw new Error('packages/server/dist is missing: run `npm run build` first.');
  }
  return spawnUntil(
    [bin, 'start', '--port', '0', '--data-dir', dataDir],
    { FLOWBRIDGE_LOG_LEVEL: 'info', ...env },
    'flowbridge started',
  );
}

/** The CRM as `npm start -w examples/host-crm` runs it (from source, with the SDK's sources). */
export function startCrm(env: Record<string, string>): Promise<Proc> {
  return spawnUntil(['--conditions=source', '--import', 'tsx', crmMain], env, 'crm started');
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

/** Polls until `probe` returns something, or fails naming what it waited for (no timing asserted). */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  deadlineMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response JSON of any shape: tests index into it
export type Json = any;

/** A JSON API client (Flowbridge with a bearer token, or the CRM's connector with its API key). */
export function jsonClient(base: string, headers: Record<string, string>) {
  return async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
    const res = await fetch(base + path, {
      method,
      headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: Json = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: kept as text
    }
    return { status: res.status, body: parsed };
  };
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
