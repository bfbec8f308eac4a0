// What the browser tests need: a `flowbridge start` spawned from source on a fresh data directory,
// Debian's Chromium (never a downloaded browser), the built app, and a folder for screenshots.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const webRoot = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
// The server's CLI from source (as its own end-to-end tests spawn it): always the code under test.
const serverCli = fileURLToPath(new URL('../../server/src/host/test-cli.ts', import.meta.url));

/** Where screenshots go (git-ignored): the test's artefacts. */
export const screenshotDir = join(webRoot, 'test-results', 'screenshots');

/** The Chromium of the system (Debian's `chromium` package), or undefined. */
export function findChromium(): string | undefined {
  const fromEnv = process.env.FLOWBRIDGE_CHROMIUM;
  const names = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];
  const candidates = [
    ...(fromEnv ? [fromEnv] : []),
    ...(process.env.PATH ?? '').split(delimiter).flatMap((dir) => names.map((n) => join(dir, n))),
  ];
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Builds the app when dist/ is missing (npm install builds it; a fresh checkout may not have). */
export async function ensureBuilt(): Promise<void> {
  if (existsSync(join(webRoot, 'dist', 'index.html'))) return;
  const vite = await import('vite');
  await vite.build({ root: webRoot, configFile: join(webRoot, 'vite.config.ts'), logLevel: 'warn' });
}

export interface Server {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startServer(env: Record<string, string>): Promise<Server> {
  const dataDir = mkdtempSync(join(tmpdir(), 'flowbridge-web-e2e-'));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', serverCli, 'start', '--port', '0'],
    {
      cwd: repoRoot,
      env: { ...process.env, FLOWBRIDGE_LOG_LEVEL: 'info', FLOWBRIDGE_DATA_DIR: dataDir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${out}`)), 30_000);
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
      reject(new Error(`the server exited:\n${out}`));
    });
  });
  return {
    url,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function screenshotPath(name: string): string {
  mkdirSync(screenshotDir, { recursive: true });
  return join(screenshotDir, `${name}.png`);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of many shapes: tests index into them
type AnyJson = any;

/** JSON over HTTP with the admin token, for what the test sets up outside the browser. */
export function apiClient(base: string, token: string) {
  return async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: AnyJson; headers: Headers }> => {
    const res = await fetch(base + path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
}
