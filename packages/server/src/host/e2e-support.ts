/** Spawns `flowbridge start` from source for end-to-end tests, and talks to it. */
import { bearerClient, startFlowbridge, type SpawnedProcess } from '../../../../scripts/test-support/spawn-server.js';

export interface ServerProcess extends Omit<SpawnedProcess, 'stop'> {
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `port: false`: no --port flag (a worker or scheduler then serves no HTTP); default `--port 0`. */
export async function startProcess(
  args: string[],
  env: Record<string, string>,
  options: { port?: boolean } = {},
): Promise<ServerProcess> {
  const { stop, ...server } = await startFlowbridge({ args, env, port: options.port === false ? false : 0 });
  // kill -9 unless told: these tests stop servers as a crash would.
  return { ...server, kill: (signal = 'SIGKILL') => stop(signal) };
}

export const client = bearerClient;

/** Rewrites a callback URL onto another base (the server got a new port after a restart). */
export function rebase(url: string, base: string): string {
  const u = new URL(url);
  return base + u.pathname + u.search;
}
