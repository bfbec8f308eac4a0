/** `flowbridge runs list|show|cancel|resubmit` against a running server. */
import type { CliIO } from './io.js';
import { ClientError, createClient, listOf, table } from './client.js';
import { resolveFlow } from './flows.js';
import { parseArgs } from './read-json.js';

const USAGE = `Usage:
  flowbridge runs list [--flow <id|name>] [--status S[,S]] [--limit N]
  flowbridge runs show <runId>
  flowbridge runs cancel <runId>
  flowbridge runs resubmit <runId>
Options: --json, --url URL (FLOWBRIDGE_URL), --token T (FLOWBRIDGE_TOKEN)
`;

interface RunJson {
  id: string;
  flowId?: string;
  status?: string;
  triggerName?: string;
  startTime?: string;
  endTime?: string | null;
  error?: { code?: string; message?: string } | null;
  actions?: Record<string, { status?: string; startTime?: string; endTime?: string; error?: { code?: string } | null }>;
}

function duration(start?: string, end?: string | null): string {
  if (!start || !end) return '-';
  const ms = Date.parse(end) - Date.parse(start);
  if (!Number.isFinite(ms)) return '-';
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}

function showRun(r: RunJson): string {
  const lines = [
    `run       ${r.id}`,
    `flow      ${r.flowId ?? '-'}`,
    `status    ${r.status ?? '-'}`,
    `trigger   ${r.triggerName ?? '-'}`,
    `started   ${r.startTime ?? '-'}`,
    `ended     ${r.endTime ?? '-'}  (${duration(r.startTime, r.endTime)})`,
  ];
  if (r.error) lines.push(`error     ${r.error.code ?? ''}: ${r.error.message ?? ''}`);
  let text = lines.join('\n') + '\n';
  const actions = Object.entries(r.actions ?? {});
  if (actions.length) {
    text +=
      '\n' +
      table(
        ['ACTION', 'STATUS', 'DURATION', 'ERROR'],
        actions.map(([name, a]) => [name, a.status, duration(a.startTime, a.endTime), a.error?.code]),
      );
  }
  return text;
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const [verb, ...rest] = args;
  const parsed = parseArgs(rest, ['--flow', '--status', '--limit', '--url', '--token'], ['--json']);
  if (parsed.error || !verb || !['list', 'show', 'cancel', 'resubmit'].includes(verb)) {
    io.stderr(`flowbridge runs: ${parsed.error ?? (verb ? `unknown verb '${verb}'` : 'name a verb')}\n${USAGE}`);
    return 2;
  }
  const json = parsed.flags.has('--json');
  const client = createClient({
    url: parsed.values.get('--url'),
    token: parsed.values.get('--token'),
    env: io.env ?? process.env,
  });
  try {
    if (verb === 'list') {
      const query = new URLSearchParams();
      const flow = parsed.values.get('--flow');
      if (flow !== undefined) query.set('flowId', (await resolveFlow(client, flow)).id);
      const status = parsed.values.get('--status');
      if (status !== undefined) query.set('status', status);
      const limit = parsed.values.get('--limit');
      if (limit !== undefined) query.set('limit', limit);
      const qs = query.size ? `?${query.toString()}` : '';
      const runs = listOf<RunJson>(await client.request('GET', `/api/v1/runs${qs}`));
      if (json) io.stdout(`${JSON.stringify(runs, null, 2)}\n`);
      else if (!runs.length) io.stdout('no runs\n');
      else {
        io.stdout(
          table(
            ['ID', 'FLOW', 'STATUS', 'STARTED', 'DURATION'],
            runs.map((r) => [r.id, r.flowId, r.status, r.startTime, duration(r.startTime, r.endTime)]),
          ),
        );
      }
      return 0;
    }
    const [id] = parsed.positional;
    if (id === undefined || parsed.positional.length > 1) {
      io.stderr(`flowbridge runs ${verb}: name one run id\n${USAGE}`);
      return 2;
    }
    const path = `/api/v1/runs/${encodeURIComponent(id)}`;
    if (verb === 'show') {
      const r = await client.request<RunJson>('GET', `${path}?expand=actions`);
      io.stdout(json ? `${JSON.stringify(r, null, 2)}\n` : showRun(r));
      return 0;
    }
    const result = await client.request<{ id?: string; status?: string }>('POST', `${path}/${verb}`);
    if (json) io.stdout(`${JSON.stringify(result ?? {}, null, 2)}\n`);
    else if (verb === 'cancel') io.stdout(`cancelling run ${id}\n`);
    else io.stdout(`resubmitted run ${id} as run ${result?.id ?? '?'}\n`);
    return 0;
  } catch (e) {
    if (e instanceof ClientError) {
      io.stderr(`flowbridge runs ${verb}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
