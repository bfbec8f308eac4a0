/**
 * `flowbridge desktop-flows list|create` and `flowbridge machines list` against a running server
 * (FLOWBRIDGE_URL, FLOWBRIDGE_TOKEN), like `flowbridge flows`.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { CliIO } from './io.js';
import { ClientError, createClient, listOf, table } from './client.js';
import { parseArgs, readJsonFile } from './read-json.js';

const DESKTOP_USAGE = `Usage:
  flowbridge desktop-flows list [--environment E]
  flowbridge desktop-flows create <script file> [--name N] [--language bash|sh|powershell|python|node]
                                  [--inputs <schema.json>] [--outputs <schema.json>] [--environment E]
Options: --json, --url URL (FLOWBRIDGE_URL), --token T (FLOWBRIDGE_TOKEN)
`;
const MACHINES_USAGE = `Usage:
  flowbridge machines list [--group <machine group id>]
Options: --json, --url URL (FLOWBRIDGE_URL), --token T (FLOWBRIDGE_TOKEN)
`;

/** The language a script file's extension says. */
const BY_EXTENSION: Record<string, string> = {
  '.sh': 'bash',
  '.bash': 'bash',
  '.ps1': 'powershell',
  '.py': 'python',
  '.js': 'node',
  '.mjs': 'node',
};

interface Row {
  [key: string]: string | number | null | undefined;
}

interface MachineRow {
  id: string;
  name: string;
  machineGroupName: string | null;
  status: string;
  attended: boolean;
  currentSessionId: string | null;
  lastSeenAt: string;
  agentVersion: string | null;
}

async function withClient(
  command: string,
  usage: string,
  args: string[],
  io: CliIO,
  valueFlags: string[],
  body: (
    client: ReturnType<typeof createClient>,
    parsed: ReturnType<typeof parseArgs>,
    json: boolean,
  ) => Promise<number>,
): Promise<number> {
  const parsed = parseArgs(args, [...valueFlags, '--url', '--token'], ['--json']);
  if (parsed.error) {
    io.stderr(`flowbridge ${command}: ${parsed.error}\n${usage}`);
    return 2;
  }
  const client = createClient({
    url: parsed.values.get('--url'),
    token: parsed.values.get('--token'),
    env: io.env ?? process.env,
  });
  try {
    return await body(client, parsed, parsed.flags.has('--json'));
  } catch (e) {
    if (e instanceof ClientError) {
      io.stderr(`flowbridge ${command}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

export function runDesktopFlows(args: string[], io: CliIO): Promise<number> {
  const [verb, ...rest] = args;
  if (verb !== 'list' && verb !== 'create') {
    io.stderr(`flowbridge desktop-flows: ${verb ? `unknown verb '${verb}'` : 'name a verb'}\n${DESKTOP_USAGE}`);
    return Promise.resolve(2);
  }
  const flags = ['--name', '--language', '--inputs', '--outputs', '--environment'];
  return withClient(`desktop-flows ${verb}`, DESKTOP_USAGE, rest, io, flags, async (client, parsed, json) => {
    const environmentId = parsed.values.get('--environment');
    if (verb === 'list') {
      const flows = listOf<Row>(await client.request('GET', '/api/v1/desktop-flows')).filter(
        (f) => environmentId === undefined || f.environmentId === environmentId,
      );
      if (json) io.stdout(`${JSON.stringify(flows, null, 2)}\n`);
      else if (!flows.length) io.stdout('no desktop flows\n');
      else
        io.stdout(
          table(
            ['ID', 'NAME', 'VERSION', 'ENVIRONMENT', 'UPDATED'],
            flows.map((f) => [f.id, f.name, f.version, f.environmentId, f.updatedAt]),
          ),
        );
      return 0;
    }
    const [file] = parsed.positional;
    if (file === undefined || parsed.positional.length > 1) {
      io.stderr(`flowbridge desktop-flows create: name one script file\n${DESKTOP_USAGE}`);
      return 2;
    }
    const language = parsed.values.get('--language') ?? BY_EXTENSION[extname(file).toLowerCase()];
    if (!language) {
      io.stderr(`flowbridge desktop-flows create: say --language (the extension of '${file}' does not tell)\n`);
      return 2;
    }
    let script: string;
    try {
      script = await readFile(file, 'utf8');
    } catch (error) {
      io.stderr(`flowbridge desktop-flows create: cannot read '${file}': ${(error as Error).message}\n`);
      return 2;
    }
    const schemas: Record<string, unknown> = {};
    for (const which of ['inputs', 'outputs'] as const) {
      const path = parsed.values.get(`--${which}`);
      if (path === undefined) continue;
      const read = await readJsonFile(path);
      if (!read.ok) {
        io.stderr(`flowbridge desktop-flows create: ${read.message}\n`);
        return 2;
      }
      schemas[which] = read.value;
    }
    const created = await client.request<Row>('POST', '/api/v1/desktop-flows', {
      name: parsed.values.get('--name') ?? basename(file, extname(file)),
      language,
      script,
      ...schemas,
      ...(environmentId ? { environmentId } : {}),
    });
    io.stdout(
      json ? `${JSON.stringify(created, null, 2)}\n` : `created desktop flow '${created.name}' (${created.id})\n`,
    );
    return 0;
  });
}

export function runMachines(args: string[], io: CliIO): Promise<number> {
  const [verb, ...rest] = args;
  if (verb !== 'list') {
    io.stderr(`flowbridge machines: ${verb ? `unknown verb '${verb}'` : 'name a verb'}\n${MACHINES_USAGE}`);
    return Promise.resolve(2);
  }
  return withClient('machines list', MACHINES_USAGE, rest, io, ['--group'], async (client, parsed, json) => {
    const group = parsed.values.get('--group');
    const machines = listOf<MachineRow>(
      await client.request('GET', `/api/v1/machines${group ? `?machineGroupId=${encodeURIComponent(group)}` : ''}`),
    );
    if (json) io.stdout(`${JSON.stringify(machines, null, 2)}\n`);
    else if (!machines.length) io.stdout('no machines\n');
    else
      io.stdout(
        table(
          ['ID', 'NAME', 'GROUP', 'STATUS', 'ATTENDED', 'SESSION', 'LAST SEEN', 'AGENT'],
          machines.map((m) => [
            m.id,
            m.name,
            m.machineGroupName,
            m.status,
            m.attended ? 'yes' : 'no',
            m.currentSessionId,
            m.lastSeenAt,
            m.agentVersion,
          ]),
        ),
      );
    return 0;
  });
}
