/**
 * For the end-to-end tests: the real `flowbridge start` (the built bin: run `npm run build` first)
 * on a temporary data folder, a node:http server on a free port, and a small JSON client.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'packages/server/bin/flowbridge.js');

export interface Flowbridge {
  url: string;
  output: () => string;
  stop(): Promise<void>;
}

export async function startFlowbridge(adminToken: string): Promise<Flowbridge> {
  if (!existsSync(join(root, 'packages/server/dist')))
    throw new Error('packages/server/dist is missing: run `npm run build` before the end-to-end tests.');
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-sdk-e2e-'));
  const child: ChildProcess = spawn(process.execPath, [bin, 'start', '--port', '0', '--data-dir', dir], {
    cwd: root,
    env: { ...process.env, FLOWBRIDGE_ADMIN_TOKEN: adminToken, FLOWBRIDGE_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`flowbridge did not start:\n${out}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /"url":"([^"]+)"[^\n]*"msg":"flowbridge started"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`flowbridge exited:\n${out}`));
    });
  });
  return {
    url,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A node:http server on 127.0.0.1 and a free port; the listener is set once the port is known. */
export async function listen(): Promise<{ url: string; use(listener: RequestListener): void; close(): Promise<void> }> {
  let current: RequestListener = (_req, res) => res.writeHead(503).end();
  const server: Server = createServer((req, res) => current(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    use: (listener) => (current = listener),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export function client(url: string, token: string) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response JSON of any shape: tests index into it
  return async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const res = await fetch(url + path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}

/** Polls until `probe` gives a value (not undefined), or fails after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs the flowbridge CLI (built bin) with `env`; resolves with its exit code and output. */
export function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: root, env: { ...process.env, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}
