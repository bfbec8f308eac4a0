/**
 * `flowbridge agent --server <url> --registration-key <key> [--name <machine name>] [--attended]
 * [--state-dir <dir>]`: runs desktop flows on this machine for a Flowbridge server (agent/agent.ts).
 */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { Agent } from '../agent/agent.js';
import type { CliIO } from './io.js';
import { parseArgs } from './read-json.js';

export const DEFAULT_STATE_DIR = './.flowbridge-agent';

const USAGE = `Usage:
  flowbridge agent --server <url> --registration-key <key> [--name <machine name>] [--attended] [--state-dir <dir>]
The first start registers this machine in the key's machine group and keeps its credential in the
state folder (default ${DEFAULT_STATE_DIR}); later starts need only --state-dir (and --server to move it).
Environment: FLOWBRIDGE_URL, FLOWBRIDGE_REGISTRATION_KEY; FLOWBRIDGE_AGENT_RETRY_MAX_MS (default 5000).
`;

export async function run(args: string[], io: CliIO): Promise<number> {
  const env = io.env ?? process.env;
  const parsed = parseArgs(args, ['--server', '--registration-key', '--name', '--state-dir'], ['--attended']);
  if (parsed.error || parsed.positional.length) {
    io.stderr(`flowbridge agent: ${parsed.error ?? `unexpected '${parsed.positional[0]}'`}\n${USAGE}`);
    return 2;
  }
  const retryMaxMs = Number(env.FLOWBRIDGE_AGENT_RETRY_MAX_MS);
  const agent = new Agent({
    server: parsed.values.get('--server') ?? env.FLOWBRIDGE_URL,
    registrationKey: parsed.values.get('--registration-key') ?? env.FLOWBRIDGE_REGISTRATION_KEY,
    name: parsed.values.get('--name') ?? hostname(),
    attended: parsed.flags.has('--attended'),
    stateDir: resolve(parsed.values.get('--state-dir') ?? DEFAULT_STATE_DIR),
    log: (message) => io.stderr(`${new Date().toISOString()} flowbridge agent: ${message}\n`),
    ...(Number.isFinite(retryMaxMs) && retryMaxMs > 0 ? { retryMaxMs } : {}),
  });
  const stop = (): void => agent.stop();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  try {
    return await agent.run();
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  }
}
