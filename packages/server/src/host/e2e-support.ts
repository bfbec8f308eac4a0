/** Spawns `flowbridge start` from source for end-to-end tests, and talks to it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('./test-cli.ts', import.meta.url));
// tsx resolves from the working directory: the repository root.
const root = fileURLToPath(new URL('../../../../', import.meta.url));

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `port: false`: no --port flag (a worker or scheduler then serves no HTTP); default `--port 0`. */
export async function startProcess(
  args: string[],
  env: Record<string, string>,
  options: { port?: boolean } = {},
): Promise<ServerProcess> {
  const port = options.port === false ? [] : ['--port', '0'];
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', entry, 'start', ...port, ...args], {
    env: { ...process.env, FLOWBRIDGE_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: root,
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      // A worker or scheduler without --port serves no HTTP: its url is "".
      const m = /"url":"([^"]*)"[^\n]*"msg":"flowbridge started"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    child,
    output: () => out,
    kill: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
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

/** Rewrites a callback URL onto another base (the server got a new port after a restart). */
export function rebase(url: string, base: string): string {
  const u = new URL(url);
  return base + u.pathname + u.search;
}
