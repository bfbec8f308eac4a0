/**
 * For the end-to-end tests: the real `flowbridge start` (the built bin: run `npm run build` first)
 * on a temporary data folder, a node:http server on a free port, and a small JSON client.
 */
import { execFile } from 'node:child_process';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  flowbridgeBin,
  repoRoot,
  startFlowbridge as spawnFlowbridge,
  type SpawnedProcess,
} from '../../../scripts/test-support/spawn-server.js';

export { bearerClient as client, until } from '../../../scripts/test-support/spawn-server.js';

export type Flowbridge = SpawnedProcess;

export function startFlowbridge(adminToken: string): Promise<Flowbridge> {
  return spawnFlowbridge({
    from: 'bin',
    dataDir: { temp: 'flowbridge-sdk-e2e-' },
    token: adminToken,
    timeoutMs: 60_000,
  });
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

/** Runs the flowbridge CLI (built bin) with `env`; resolves with its exit code and output. */
export function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [flowbridgeBin, ...args],
      { cwd: repoRoot, env: { ...process.env, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}
