// The runs aggregate's rows as its own reads and other aggregates' transactions see them: the
// run columns (with SQLite's staged event counts), the history reads, and the counts and status
// moves that trigger concurrency (admission.ts) makes in its own transactions.
import { expandInit } from './compact-init.js';
import { expandRecord, unpackRecordColumns } from './compact-json.js';
import type { Conn, Row } from './driver.js';
import { fromJson } from './json.js';
import { n, nOrNull, placeholders, sOrNull } from './rows.js';
import { UNFINISHED_RUN_STATUSES } from './run-types.js';
import type { Run, RunStatus, StoredActionRecord } from './run-types.js';

/**
 * The unfinished statuses as SQL literals: the condition of the partial indexes runs_unfinished and
 * runs_unfinished_flow (schema.ts). A query uses those indexes only if it repeats this condition
 * word for word (a bound parameter cannot prove it), so every query for unfinished runs includes
 * `status IN (UNFINISHED_SQL)`. Those that list them in order sort by `+start_time`, an expression
 * no index provides: else SQLite's planner, which has no statistics, walks runs_flow_start through
 * the flow's whole history to spare itself sorting the few rows the partial index would find.
 * query-plans.test.ts checks the plans.
 */
export const UNFINISHED_SQL = UNFINISHED_RUN_STATUSES.map((s) => `'${s}'`).join(', ');

/**
 * The reads of run history. SQLite's newest events, action records and event counts are staged in
 * the *_recent tables until they are moved in bulk (schema.ts, migration 2; step-batch.ts): its
 * reads see both. PostgreSQL writes the clustered tables directly and reads them alone. A run
 * whose records are packed in its row (packed-records.ts) has no record rows: runs.ts reads those.
 */
export function historySql(staged: boolean) {
  /** A run's last_seq; `runs` is the table's name or alias in the query. */
  const lastSeq = (runs: string): string =>
    staged
      ? `COALESCE((SELECT s.base + s.n FROM run_seqs_recent s WHERE s.run_id = ${runs}.id), ${runs}.last_seq) AS last_seq`
      : `${runs}.last_seq`;
  return {
    lastSeq,
    runColumns: `id, flow_id, flow_version, environment_id, trigger_name, status, start_time, end_time, error,
      client_tracking_id, ${lastSeq('runs')}`,
    /** Params: runId (twice when staged). Staged events are the newest: seqs above the moved ones. */
    events: staged
      ? `SELECT e.seq, COALESCE(e.event, p.data) AS event FROM (
           SELECT seq, event, event_ref FROM run_events WHERE run_id = ?
           UNION ALL SELECT seq, event, event_ref FROM run_events_recent WHERE run_id = ?) e
         LEFT JOIN payloads p ON p.id = e.event_ref ORDER BY e.seq`
      : `SELECT e.seq, COALESCE(e.event, p.data) AS event FROM run_events e LEFT JOIN payloads p ON p.id = e.event_ref
         WHERE e.run_id = ? ORDER BY e.seq`,
    /** Params: runId (three times when staged). A staged record replaces the moved one; the newest staged wins. */
    actions: staged
      ? `SELECT COALESCE(a.record, p.data) AS record, ${recordColumns('a.')} FROM (
           SELECT ${recordColumns('')}, record, record_ref FROM action_records
           WHERE run_id = ? AND path NOT IN (SELECT path FROM action_records_recent WHERE run_id = ?)
           UNION ALL
           SELECT ${recordColumns('')}, record, record_ref FROM action_records_recent
           WHERE id IN (SELECT MAX(id) FROM action_records_recent WHERE run_id = ? GROUP BY path)) a
         LEFT JOIN payloads p ON p.id = a.record_ref ORDER BY COALESCE(a.start_time, '~'), a.path`
      : `SELECT COALESCE(a.record, p.data) AS record, ${recordColumns('a.')} FROM action_records a
         LEFT JOIN payloads p ON p.id = a.record_ref
         WHERE a.run_id = ? ORDER BY COALESCE(a.start_time, '~'), a.path`,
    /** How many times each history statement takes the run id. */
    idParams: staged ? { events: 2, actions: 3 } : { events: 1, actions: 1 },
  };
}

/** The columns an action record's row holds besides the record (what its compact form leaves out). */
const recordColumns = (prefix: string): string =>
  ['run_id', 'path', 'name', 'status', 'start_time', 'end_time'].map((c) => prefix + c).join(', ');

/** An action record as written, from a row of `historySql().actions` (compact-json.ts). */
export function toActionRecord(row: Row): StoredActionRecord {
  return expandRecord(fromJson(row.record), unpackRecordColumns(row)) as StoredActionRecord;
}

/** The columns `initOf` needs besides the init, as a runs-row select list; `runs` is its table or alias. */
export const initColumns = (runs: string): string =>
  ['id', 'flow_id', 'flow_version', 'trigger_name', 'start_time', 'client_tracking_id']
    .map((c) => `${runs}.${c}`)
    .join(', ');

/** A run's init as written, from its stored (maybe compact, compact-init.ts) value and its row. */
export function initOf(r: Row, stored: unknown): unknown {
  return expandInit(fromJson(stored), {
    runId: String(r.id),
    flowId: String(r.flow_id),
    flowVersion: n(r.flow_version),
    triggerName: String(r.trigger_name),
    startTime: n(r.start_time),
    clientTrackingId: sOrNull(r.client_tracking_id),
  });
}

export function toRun(r: Row): Run {
  return {
    id: String(r.id),
    flowId: String(r.flow_id),
    flowVersion: n(r.flow_version),
    environmentId: String(r.environment_id),
    triggerName: String(r.trigger_name),
    status: r.status as RunStatus,
    startTime: n(r.start_time),
    endTime: nOrNull(r.end_time),
    error: fromJson(r.error),
    clientTrackingId: sOrNull(r.client_tracking_id),
    lastSeq: n(r.last_seq),
  };
}

/** A flow's unfinished runs: those waiting for a slot (Queued) and the others (active). */
export async function countUnfinished(c: Conn, flowId: string): Promise<{ queued: number; active: number }> {
  const rows = await c.all<{ status: string; n: unknown }>(
    `SELECT status, COUNT(*) AS n FROM runs WHERE status IN (${UNFINISHED_SQL}) AND flow_id = ? GROUP BY status`,
    [flowId],
  );
  let queued = 0;
  let active = 0;
  for (const r of rows) {
    if (r.status === 'Queued') queued += n(r.n);
    else active += n(r.n);
  }
  return { queued, active };
}

/** All of a flow's unfinished runs, queued or not, in one count. */
export async function countAllUnfinished(c: Conn, flowId: string): Promise<number> {
  const [row] = await c.all<{ n: unknown }>(
    `SELECT COUNT(*) AS n FROM runs WHERE status IN (${UNFINISHED_SQL}) AND flow_id = ?`,
    [flowId],
  );
  return n(row?.n);
}

/** Moves the flow's oldest `limit` Queued runs to Running; returns their ids in order. */
export async function startQueuedRuns(c: Conn, flowId: string, limit: number): Promise<string[]> {
  const rows = await c.all<{ id: string }>(
    `SELECT id FROM runs WHERE flow_id = ? AND status IN (${UNFINISHED_SQL}) AND status = 'Queued'
     ORDER BY +start_time, id LIMIT ?`,
    [flowId, limit],
  );
  const ids = rows.map((r) => r.id);
  if (ids.length === 0) return [];
  await c.run(`UPDATE runs SET status = 'Running' WHERE id IN (${placeholders(ids.length)})`, ids);
  return ids;
}

/** Cancels the run if it is still Queued; false when it is not. */
export async function cancelIfQueued(c: Conn, runId: string, at: number): Promise<boolean> {
  return (
    (await c.run(`UPDATE runs SET status = 'Cancelled', end_time = ? WHERE id = ? AND status = 'Queued'`, [
      at,
      runId,
    ])) > 0
  );
}
