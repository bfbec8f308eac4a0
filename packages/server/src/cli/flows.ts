/**
 * `flowbridge flows deploy|list|enable|disable` against a running server. Deploying a flow whose
 * name exists saves a new version of it; otherwise it creates the flow.
 */
import { basename, extname } from 'node:path';
import { isRecord } from '../util/json.js';
import type { CliIO } from './io.js';
import { ClientError, createClient, listOf, table, type Client } from './client.js';
import { parseArgs, readJsonFile } from './read-json.js';

const USAGE = `Usage:
  flowbridge flows deploy <file> [--name N] [--environment E]
  flowbridge flows list [--environment E]
  flowbridge flows enable <id|name>
  flowbridge flows disable <id|name>
Options: --json, --url URL (FLOWBRIDGE_URL), --token T (FLOWBRIDGE_TOKEN)
`;

export interface FlowJson {
  id: string;
  name: string;
  environmentId?: string;
  state?: string;
  kind?: string;
  version?: number;
  updatedAt?: string;
}

/** Finds a flow by id or, failing that, by exact name; errors when a name is ambiguous. */
export async function resolveFlow(client: Client, idOrName: string): Promise<FlowJson> {
  const flows = listOf<FlowJson>(await client.request('GET', '/api/v1/flows'));
  const byId = flows.find((f) => f.id === idOrName);
  if (byId) return byId;
  const byName = flows.filter((f) => f.name === idOrName);
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) {
    throw new ClientError(
      `${byName.length} flows are named '${idOrName}': use the id (${byName.map((f) => f.id).join(', ')})`,
      null,
      null,
    );
  }
  throw new ClientError(`no flow with id or name '${idOrName}'`, 404, 'NotFound');
}

/** A file holds either a bare definition or `{definition, parameters?, name?}`. */
function documentOf(value: unknown): { definition: unknown; parameters?: unknown; name?: string } {
  if (isRecord(value)) {
    const v = value;
    if (v.definition && typeof v.definition === 'object') {
      return {
        definition: v.definition,
        ...(v.parameters === undefined ? {} : { parameters: v.parameters }),
        ...(typeof v.name === 'string' ? { name: v.name } : {}),
      };
    }
  }
  return { definition: value };
}

function flowRows(flows: FlowJson[]): string {
  return table(
    ['ID', 'NAME', 'STATE', 'VERSION', 'ENVIRONMENT', 'UPDATED'],
    flows.map((f) => [f.id, f.name, f.state, f.version, f.environmentId, f.updatedAt]),
  );
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const [verb, ...rest] = args;
  const parsed = parseArgs(rest, ['--name', '--environment', '--url', '--token'], ['--json']);
  if (parsed.error || !verb || !['deploy', 'list', 'enable', 'disable'].includes(verb)) {
    io.stderr(`flowbridge flows: ${parsed.error ?? (verb ? `unknown verb '${verb}'` : 'name a verb')}\n${USAGE}`);
    return 2;
  }
  const json = parsed.flags.has('--json');
  const client = createClient({
    url: parsed.values.get('--url'),
    token: parsed.values.get('--token'),
    env: io.env ?? process.env,
  });
  const environmentId = parsed.values.get('--environment');
  try {
    if (verb === 'list') {
      const query = environmentId ? `?environmentId=${encodeURIComponent(environmentId)}` : '';
      const flows = listOf<FlowJson>(await client.request('GET', `/api/v1/flows${query}`));
      io.stdout(json ? `${JSON.stringify(flows, null, 2)}\n` : flows.length ? flowRows(flows) : 'no flows\n');
      return 0;
    }
    const [target] = parsed.positional;
    if (target === undefined || parsed.positional.length > 1) {
      io.stderr(`flowbridge flows ${verb}: name one ${verb === 'deploy' ? 'file' : 'flow (id or name)'}\n${USAGE}`);
      return 2;
    }
    if (verb === 'deploy') {
      const read = await readJsonFile(target);
      if (!read.ok) {
        io.stderr(`flowbridge flows deploy: ${read.message}\n`);
        return 2;
      }
      const doc = documentOf(read.value);
      const name = parsed.values.get('--name') ?? doc.name ?? basename(target, extname(target));
      const existing = listOf<FlowJson>(await client.request('GET', '/api/v1/flows')).filter(
        (f) => f.name === name && (environmentId === undefined || f.environmentId === environmentId),
      );
      if (existing.length > 1) {
        io.stderr(`flowbridge flows deploy: ${existing.length} flows are named '${name}'; pass --environment\n`);
        return 1;
      }
      const body = {
        definition: doc.definition,
        ...(doc.parameters === undefined ? {} : { parameters: doc.parameters }),
      };
      const flow = existing[0]
        ? await client.request<FlowJson>('PUT', `/api/v1/flows/${encodeURIComponent(existing[0].id)}`, body)
        : await client.request<FlowJson>('POST', '/api/v1/flows', {
            name,
            ...body,
            ...(environmentId ? { environmentId } : {}),
          });
      if (json) io.stdout(`${JSON.stringify(flow, null, 2)}\n`);
      else
        io.stdout(
          `${existing[0] ? 'updated' : 'created'} flow '${flow.name}' (${flow.id}), version ${flow.version ?? '?'}\n`,
        );
      return 0;
    }
    const flow = await resolveFlow(client, target);
    const updated = await client.request<FlowJson>('POST', `/api/v1/flows/${encodeURIComponent(flow.id)}/${verb}`);
    if (json) io.stdout(`${JSON.stringify(updated ?? { id: flow.id }, null, 2)}\n`);
    else io.stdout(`${verb}d flow '${flow.name}' (${flow.id})\n`);
    return 0;
  } catch (e) {
    if (e instanceof ClientError) {
      io.stderr(`flowbridge flows ${verb}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
