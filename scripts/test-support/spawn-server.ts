/**
 * For end-to-end tests in every package and example: `flowbridge start` as a real child process
 * (from source through tsx, or the built bin), waited for until it logs that it listens, stopped
 * with its temporary data folder, and a small JSON client for its API. Outside every package's src,
 * so no build or bundle ever compiles it (and eslint.config.js `testOnly` names test-support/).
 * bench/harness.ts keeps its own: it waits on /healthz with a fixed port and measures the start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the children's working directory (tsx resolves from it). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** The CLI as `npm run build` leaves it (what users run). */
export const flowbridgeBin = join(repoRoot, 'packages/server/bin/flowbridge.js');
/** The CLI from source: always the code under test, no build needed. */
const sourceCli = join(repoRoot, 'packages/server/src/host/test-cli.ts');
const tsx = ['--conditions=source', '--import', 'tsx'];

export interface SpawnedProcess {
  /** From the log line waited for; "" for a process that serves no HTTP. */
  url: string;
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Sends `signal` unless it has exited, waits for its exit, removes its temporary data folder. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface SpawnOptions {
  /** What the errors call it: "<name> exited with <code>:" and its output (tests match that). */
  name: string;
  /** Over process.env. */
  env?: Record<string, string>;
  /** The `msg` of the JSON log line that carries the `url`. */
  until: string;
  timeoutMs?: number;
  /** Run after the process exits, on stop (removing what it was given). */
  cleanup?: () => void;
}

/** `node <args>` from the repository root, resolved once it logs `until` (rejected if it exits first). */
export async function spawnUntilLogged(args: string[], options: SpawnOptions): Promise<SpawnedProcess> {
  const { name, until, timeoutMs = 30_000 } = options;
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const pattern = new RegExp(`"url":"([^"]*)"[^\\n]*"msg":"${until}"`);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not log '${until}' in ${timeoutMs} ms:\n${out}`)),
      timeoutMs,
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = pattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    child,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const code = await exited;
      options.cleanup?.();
      return code;
    },
  };
}

export interface FlowbridgeOptions {
  /** 'source' (default): packages/server/src through tsx; 'bin': the built bin (`npm run build` first). */
  from?: 'source' | 'bin';
  /** `--port`; default 0 (a free one); false: no flag (a worker or scheduler then serves no HTTP). */
  port?: number | false;
  /** `--data-dir`: a folder the caller keeps, or `{ temp: prefix }` for one removed on stop; default none. */
  dataDir?: string | { temp: string };
  /** FLOWBRIDGE_ADMIN_TOKEN. */
  token?: string;
  /** Over FLOWBRIDGE_LOG_LEVEL=info (the started line is an info line) and the token. */
  env?: Record<string, string>;
  /** More `start` flags. */
  args?: string[];
  timeoutMs?: number;
}

/** `flowbridge start`, resolved with its URL once it logs "flowbridge started". */
export function startFlowbridge(options: FlowbridgeOptions = {}): Promise<SpawnedProcess> {
  const { from = 'source', port = 0, dataDir, token } = options;
  if (from === 'bin' && !existsSync(join(repoRoot, 'packages/server/dist')))
    throw new Error('packages/server/dist is missing: run `npm run build` before the end-to-end tests.');
  const temp = typeof dataDir === 'object' ? mkdtempSync(join(tmpdir(), dataDir.temp)) : undefined;
  const dir = temp ?? dataDir;
  const start = [
    'start',
    ...(port === false ? [] : ['--port', String(port)]),
    ...(typeof dir === 'string' ? ['--data-dir', dir] : []),
    ...(options.args ?? []),
  ];
  return spawnUntilLogged(from === 'bin' ? [flowbridgeBin, ...start] : [...tsx, sourceCli, ...start], {
    env: {
      FLOWBRIDGE_LOG_LEVEL: 'info',
      ...(token !== undefined ? { FLOWBRIDGE_ADMIN_TOKEN: token } : {}),
      ...options.env,
    },
    name: 'server',
    until: 'flowbridge started',
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(temp ? { cleanup: () => rmSync(temp, { recursive: true, force: true }) } : {}),
  });
}

/** `node --conditions=source --import tsx <file>`: an example or tool run from its sources. */
export function fromSource(file: string): string[] {
  return [...tsx, file];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of many shapes: tests index into them
export type Json = any;

export interface JsonAnswer {
  status: number;
  body: Json;
  headers: Headers;
}

/**
 * A JSON client for `base` with `headers` on every call. An answer that is not JSON throws, unless
 * `textBodies` keeps it as text (an application's own pages and errors).
 */
export function jsonClient(base: string, headers: Record<string, string>, options: { textBodies?: boolean } = {}) {
  return async (method: string, path: string, body?: unknown): Promise<JsonAnswer> => {
    const res = await fetch(base + path, {
      method,
      headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: parse(text, options.textBodies === true), headers: res.headers };
  };
}

function parse(text: string, textBodies: boolean): Json {
  if (!text) return undefined;
  if (!textBodies) return JSON.parse(text);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The Flowbridge API as `token` (the admin token, a personal access token, a JWT). */
export function bearerClient(base: string, token: string) {
  return jsonClient(base, { authorization: `Bearer ${token}` });
}

/** Polls until `probe` gives something (not undefined or false), or fails naming what it waited for. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
