/**
 * `flowbridge connectors import <folder>` (and list) against a running server: reads the folder as
 * Microsoft's paconn tool lays it out (apiDefinition.swagger.json, apiProperties.json, maybe
 * script.csx) and sends the files' text, which the server reads tolerantly. Importing a connector
 * whose name exists adds a version to it.
 */
import { readFile } from 'node:fs/promises';
import { findConnectorFiles } from '../connectors/folder.js';
import type { CliIO } from './io.js';
import { ClientError, createClient, listOf, table } from './client.js';
import { parseArgs } from './read-json.js';

const USAGE = `Usage:
  flowbridge connectors import <folder> [--name N] [--environment E]
  flowbridge connectors list [--environment E]
Options: --json, --url URL (FLOWBRIDGE_URL), --token T (FLOWBRIDGE_TOKEN)
`;

interface ConnectorJson {
  name: string;
  apiId: string;
  version?: number;
  environmentId?: string;
  operations?: unknown[];
  triggers?: unknown[];
  warnings?: Array<{ code: string; message: string }>;
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const [verb, ...rest] = args;
  const parsed = parseArgs(rest, ['--name', '--environment', '--url', '--token'], ['--json']);
  if (parsed.error || !verb || !['import', 'list'].includes(verb)) {
    io.stderr(`flowbridge connectors: ${parsed.error ?? (verb ? `unknown verb '${verb}'` : 'name a verb')}\n${USAGE}`);
    return 2;
  }
  const json = parsed.flags.has('--json');
  const environmentId = parsed.values.get('--environment');
  const client = createClient({
    url: parsed.values.get('--url'),
    token: parsed.values.get('--token'),
    env: io.env ?? process.env,
  });
  const query = environmentId ? `?environmentId=${encodeURIComponent(environmentId)}` : '';
  try {
    if (verb === 'list') {
      const list = listOf<ConnectorJson>(await client.request('GET', `/api/v1/connectors${query}`));
      io.stdout(
        json
          ? `${JSON.stringify(list, null, 2)}\n`
          : list.length
            ? table(
                ['NAME', 'VERSION', 'ENVIRONMENT', 'OPERATIONS', 'TRIGGERS'],
                list.map((c) => [c.name, c.version, c.environmentId, c.operations?.length, c.triggers?.length]),
              )
            : 'no connectors\n',
      );
      return 0;
    }
    const [folder] = parsed.positional;
    if (folder === undefined || parsed.positional.length > 1) {
      io.stderr(`flowbridge connectors import: name one folder\n${USAGE}`);
      return 2;
    }
    let files;
    try {
      files = await findConnectorFiles(folder);
    } catch (e) {
      io.stderr(`flowbridge connectors import: cannot read '${folder}': ${(e as Error).message}\n`);
      return 2;
    }
    if (!files.apiDefinition) {
      io.stderr(`flowbridge connectors import: '${folder}' has no apiDefinition.swagger.json\n`);
      return 2;
    }
    const body = {
      apiDefinition: await readText(files.apiDefinition),
      ...(files.apiProperties ? { apiProperties: await readText(files.apiProperties) } : {}),
      ...(parsed.values.get('--name') ? { name: parsed.values.get('--name') } : {}),
      ...(environmentId ? { environmentId } : {}),
      ...(files.customCode ? { customCode: true } : {}),
    };
    // A connector of that name that exists gets a new version.
    const connector = await client.request<ConnectorJson>('POST', '/api/v1/connectors', body);
    if (json) io.stdout(`${JSON.stringify(connector, null, 2)}\n`);
    else {
      io.stdout(
        `imported connector '${connector.name}' (${connector.apiId}), version ${connector.version ?? '?'}: ` +
          `${connector.operations?.length ?? 0} operations, ${connector.triggers?.length ?? 0} triggers\n`,
      );
      for (const w of connector.warnings ?? []) io.stdout(`warning ${w.code}: ${w.message}\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof ClientError) {
      io.stderr(`flowbridge connectors ${verb}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

/** The file's text as UTF-8 when it is, else Latin-1 (19 corpus files are): the server decodes either. */
async function readText(path: string): Promise<string> {
  const bytes = await readFile(path);
  const text = bytes.toString('utf8');
  return text.includes('\uFFFD') ? bytes.toString('latin1') : text;
}
