/**
 * Our desktop flows and sessions as Dataverse rows (spec §13): the `workflow` columns a client
 * reads of a desktop flow (category 6), the `flowsession` columns of §13.5, and the little OData a
 * BPM client uses on them: `$select`, a `$filter` of `eq` clauses joined by `and`, `$orderby`.
 */
import type { DesktopFlow, DesktopSession } from '../store/index.js';
import { DesktopError } from './errors.js';
import { stateCode } from './status.js';

type Columns = Record<string, unknown>;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const seconds = (from: number | null, to: number | null): number | null =>
  from === null || to === null ? null : Math.max(0, Math.round((to - from) / 1000));

/** Desktop flows are workflows of category 6, activated (statecode 1, statuscode 2). */
export function workflowColumns(flow: DesktopFlow): Columns {
  return {
    workflowid: flow.id,
    name: flow.name,
    category: 6,
    type: 1,
    statecode: 1,
    statuscode: 2,
    primaryentity: 'none',
    createdon: iso(flow.createdAt),
    modifiedon: iso(flow.updatedAt),
    _ownerid_value: flow.ownerId,
    versionnumber: flow.currentVersion,
  };
}

/** The flowsession columns; durations in seconds. */
export function sessionColumns(s: DesktopSession): Columns {
  const ran = s.startedAt !== null;
  return {
    flowsessionid: s.id,
    name: s.id,
    statuscode: s.status,
    statecode: stateCode(s.status),
    createdon: iso(s.createdAt),
    modifiedon: iso(s.completedAt ?? s.startedAt ?? s.createdAt),
    startedon: iso(s.startedAt),
    completedon: iso(s.completedAt),
    errorcode: s.errorCode,
    errormessage: s.errorMessage,
    errordetails: null,
    runmode: s.runMode,
    runsessionmode: 1,
    triggertype: s.triggerType,
    runduration: seconds(s.createdAt, s.completedAt),
    runexecutionduration: seconds(s.startedAt, s.completedAt),
    runwaitduration: seconds(s.createdAt, s.startedAt ?? s.completedAt),
    callbackurl: s.callbackUrl,
    correlationid: s.runId,
    _regardingobjectid_value: s.flowId,
    _machineid_value: ran ? s.machineId : null,
    _machinegroupid_value: s.groupId,
  };
}

export function etag(version: number): string {
  return `W/"${version}"`;
}

/** The `$select` columns (all when absent); a column that does not exist is a 400, as in Dataverse. */
export function selectColumns(all: Columns, select: unknown): Columns {
  if (typeof select !== 'string' || select.trim() === '') return all;
  const out: Columns = {};
  for (const raw of select.split(',')) {
    const name = raw.trim().toLowerCase();
    if (!(name in all))
      throw new DesktopError('InvalidRequest', `Could not find a property named '${raw.trim()}'.`, '$select');
    out[name] = all[name];
  }
  return out;
}

type Clause = { column: string; value: string | number };

/** `category eq 6 and name eq 'x'`: the clauses, or a 400 for anything else. */
export function parseFilter(filter: unknown): Clause[] {
  if (typeof filter !== 'string' || filter.trim() === '') return [];
  const clauses: Clause[] = [];
  for (const part of filter.split(/\s+and\s+/i)) {
    const m = /^\s*\(?\s*(\w+)\s+eq\s+(?:'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?)|([0-9a-f-]{36}))\s*\)?\s*$/i.exec(part);
    if (!m)
      throw new DesktopError(
        'InvalidRequest',
        `Unsupported $filter clause '${part.trim()}': use "<column> eq <value>" joined by "and".`,
        '$filter',
      );
    const value = m[2] !== undefined ? m[2].replace(/''/g, "'") : m[3] !== undefined ? Number(m[3]) : m[4]!;
    clauses.push({ column: m[1]!.toLowerCase(), value });
  }
  return clauses;
}

export function matches(row: Columns, clauses: readonly Clause[]): boolean {
  return clauses.every((c) => {
    if (!(c.column in row))
      throw new DesktopError('InvalidRequest', `Could not find a property named '${c.column}'.`, '$filter');
    const v = row[c.column];
    return typeof c.value === 'number' ? Number(v) === c.value : String(v).toLowerCase() === c.value.toLowerCase();
  });
}

/** `$orderby=name desc`: sorts in place by one column. */
export function orderBy(rows: Columns[], order: unknown): Columns[] {
  if (typeof order !== 'string' || order.trim() === '') return rows;
  const m = /^\s*(\w+)(?:\s+(asc|desc))?\s*$/i.exec(order);
  if (!m) throw new DesktopError('InvalidRequest', `Unsupported $orderby '${order}'.`, '$orderby');
  const column = m[1]!.toLowerCase();
  const sign = m[2]?.toLowerCase() === 'desc' ? -1 : 1;
  return rows.sort((a, b) => sign * String(a[column] ?? '').localeCompare(String(b[column] ?? '')));
}

/** The `{schema}` document of a desktop flow's inputs or outputs (§13.1). */
export function schemaDocument(schema: Record<string, unknown>): Record<string, unknown> {
  return { schema: { type: 'object', properties: {}, ...schema } };
}
