// What the HTTP benchmarks share: starting the Flowbridge server and the bare node:http echo server
// as child processes on free loopback ports (timing the cold start to the first served request),
// deploying the benchmark flow over the API, and reading a process's memory from /proc. The load
// generator (wrk or autocannon, its own process) is bench/load.ts. Every process started here is
// killed when the benchmark ends, even on failure; temp data directories are removed.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { track } from './children.js';

export { load } from './load.js';

const ROOT = new URL('../', import.meta.url).pathname;
const BIN = join(ROOT, 'packages/server/bin/flowbridge.js');
const DIST = join(ROOT, 'packages/server/dist/cli/main.js');
/** What the bin runs when it is there (scripts/build.mjs bundles dist/ into it). */
const BUNDLE = join(ROOT, 'packages/server/dist/bundle/cli.js');
const SOURCE_CLI = join(ROOT, 'packages/server/src/host/test-cli.ts');

/** Trigger, three actions, Response: the flow of DESIGN §6. */
export const benchFlow = {
  $schema: 'https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#',
  contentVersion: '1.0.0.0',
  triggers: { manual: { type: 'Request', kind: 'Http', inputs: { method: 'POST' } } },
  actions: {
    Compose_input: { type: 'Compose', inputs: "@triggerBody()?['n']", runAfter: {} },
    Initialize_count: {
      type: 'InitializeVariable',
      inputs: { variables: [{ name: 'count', type: 'integer', value: "@add(outputs('Compose_input'), 1)" }] },
      runAfter: { Compose_input: ['Succeeded'] },
    },
    Compose_reply: {
      type: 'Compose',
      inputs: { n: "@variables('count')", name: "@triggerBody()?['name']" },
      runAfter: { Initialize_count: ['Succeeded'] },
    },
    Response: {
      type: 'Response',
      kind: 'Http',
      inputs: { statusCode: 200, body: "@outputs('Compose_reply')" },
      runAfter: { Compose_reply: ['Succeeded'] },
    },
  },
};

export interface Server {
  name: string;
  url: string;
  pid: number;
  /** Spawn to the first 200 from /healthz. */
  coldStartMs: number;
  /** Resident set now (KiB). */
  rssKiB(): number;
  /** Peak resident set so far (KiB). */
  peakKiB(): number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function statusOf(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(2000, () => req.destroy());
    req.once('error', () => resolve(0));
  });
}

/** Bytes of the files under `dir` (0 when it does not exist). */
export function dirBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    total += e.isDirectory() ? dirBytes(path) : e.isFile() ? statSync(path).size : 0;
  }
  return total;
}

function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${field} for ${pid}`);
  return Number(m[1]);
}

/** Whether the compiled server is older than its sources (then the figures are not of this code). */
export function distNote(): string | undefined {
  if (!existsSync(DIST)) return 'packages/server/dist missing: ran the server from source through tsx';
  const built = statSync(DIST).mtimeMs;
  const newer = (dir: string): string | undefined => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      const found = e.isDirectory()
        ? newer(path)
        : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && statSync(path).mtimeMs > built
          ? path
          : undefined;
      if (found) return found;
    }
    return undefined;
  };
  for (const p of ['expression', 'engine', 'server']) {
    const found = newer(join(ROOT, 'packages', p, 'src'));
    if (found) return `the compiled server is older than ${found.slice(ROOT.length)}: run \`npm run build\` first`;
  }
  if (!existsSync(BUNDLE)) return 'no bundle in packages/server/dist/bundle: the bin ran dist/ unbundled';
  if (statSync(BUNDLE).mtimeMs < built) return 'the bundle is older than packages/server/dist: run `npm run build`';
  return undefined;
}

/** Starts `node <args>` and waits for a 200 from its /healthz on `port` (30 s at most). */
export async function startChild(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  port: number,
  cleanup?: () => void,
): Promise<Server> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = track(child);
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    if (stderr.length < 20_000) stderr += c.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    cleanup?.();
  };
  try {
    const deadline = started + 30_000;
    while ((await statusOf(`${url}/healthz`)) !== 200) {
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${stderr}`);
      if (performance.now() > deadline) throw new Error(`${name} did not answer /healthz in 30 s:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const coldStartMs = performance.now() - started;
  const pid = child.pid as number;
  return {
    name,
    url,
    pid,
    coldStartMs,
    rssKiB: () => procStatus(pid, 'VmRSS'),
    peakKiB: () => procStatus(pid, 'VmHWM'),
    stop,
  };
}

/** The bare node:http JSON echo server; `workers`: that many of it behind one port (node:cluster). */
export async function startEcho(options: { workers?: number } = {}): Promise<Server> {
  const port = await freePort();
  if (options.workers !== undefined) {
    const script = join(ROOT, 'bench/echo-cluster.mjs');
    return startChild('node:http echo cluster', [script, String(port), String(options.workers)], process.env, port);
  }
  return startChild('node:http echo', [join(ROOT, 'bench/echo-server.mjs'), String(port)], process.env, port);
}

export interface Flowbridge extends Server {
  token: string;
  /** Its data folder (embedded SQLite): what it persists. */
  dataDir: string;
  /** Deploys the benchmark flow `copies` times with this kind; returns the signed trigger URLs. */
  deploy(kind: 'Stateful' | 'Stateless', copies: number): Promise<string[]>;
}

/**
 * `flowbridge start` on a free port with an empty temp data dir (embedded SQLite), or with
 * `options.dataDir` (kept when the server stops: a restart on the same data) and `options.token`;
 * `args` and `env` add flags (`--workers 2`) and variables (FLOWBRIDGE_DATABASE_URL for PostgreSQL);
 * `nodeArgs` go to node itself (`--cpu-prof`).
 */
export async function startFlowbridge(
  options: { dataDir?: string; token?: string; args?: string[]; env?: NodeJS.ProcessEnv; nodeArgs?: string[] } = {},
): Promise<Flowbridge> {
  const port = await freePort();
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'flowbridge-bench-'));
  const token = options.token ?? randomBytes(24).toString('hex');
  const env: NodeJS.ProcessEnv = { ...process.env, FLOWBRIDGE_ADMIN_TOKEN: token };
  delete env.FLOWBRIDGE_DATABASE_URL;
  delete env.FLOWBRIDGE_LOG_LEVEL;
  Object.assign(env, options.env);
  const cli = ['start', '--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir, ...(options.args ?? [])];
  const node = options.nodeArgs ?? [];
  const args = existsSync(DIST)
    ? [...node, BIN, ...cli]
    : [...node, '--conditions=source', '--import', 'tsx', SOURCE_CLI, ...cli];
  const server = await startChild('flowbridge', args, env, port, () => {
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  let seq = 0;
  const api = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const res = await fetch(server.url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  return {
    ...server,
    token,
    dataDir,
    async deploy(kind, copies) {
      const urls: string[] = [];
      for (let i = 0; i < copies; i++) {
        const flow = await api('POST', '/api/v1/flows', {
          name: `bench-${kind}-${seq++}`,
          kind,
          definition: benchFlow,
        });
        const cb = await api('POST', `/api/v1/flows/${String(flow.id)}/triggers/manual/listCallbackUrl`);
        urls.push(String(cb.value));
      }
      // One call each: the flow answers as the benchmark expects (and is warm).
      for (const url of urls) {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ n: 1, name: 'bench' }),
        });
        const body = (await res.json()) as unknown;
        if (res.status !== 200 || JSON.stringify(body) !== '{"n":2,"name":"bench"}')
          throw new Error(`${kind} flow answered ${res.status} ${JSON.stringify(body)}`);
      }
      return urls;
    },
  };
}

/** One POST to `url` and its status (a first request to a server). */
export async function post(url: string): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"n":1,"name":"bench"}',
  });
  await res.arrayBuffer();
  return res.status;
}
