// A short run's action records packed in its own row (issue #18: history grows by at most 1 MiB
// per 1,000 runs of the HTTP flow). A run that one write unit creates and ends (the HTTP flow's
// runs, stateful or stateless) keeps its records in runs.records (schema.ts, migration 11) as one
// JSON array instead of a row each in action_records: no run id repeated per row and index entry,
// no staging and later move (SQLite), and a read of its actions is one row. Each entry is
// [path, name, status, startTime, endTime, record] with the columns and the record as a record's
// row would hold them (compact-json.ts, rules 1 and 2), and the array is compressed like any other
// JSON (rule 3). Entries are in the order a read of rows gives, so reads return the same either way.
//
// A run has either packed records or rows, never both: a later write of records for a packed run
// (rare: a run does not write after it ended) first turns its packed records into rows.
import {
  compactRecord,
  deferPack,
  expandRecord,
  packJson,
  packRecordColumns,
  unpackRecordColumns,
} from './compact-json.js';
import type { RecordColumns } from './compact-json.js';
import type { Conn } from './driver.js';
import { StoreError } from './errors.js';
import { fromJson, toJson } from './json.js';
import type { Blob } from './json.js';
import { insertMany, placeholders } from './rows.js';
import type { ActionRecordInput, StoredActionRecord } from './run-types.js';
import { UNFINISHED_RUN_STATUSES } from './run-types.js';

/**
 * Most JSON text a run's records may have in all to be packed: the HTTP flow's are a few hundred
 * bytes; a run with much more keeps rows, so that its runs row (read by every listing) stays small.
 */
export const PACK_LIMIT = 16 * 1024;

/** A record as its row would hold it: the packed columns (compact-json.ts) and its compact JSON text. */
export interface RecordText {
  path: string;
  name: string;
  status: string;
  startTime: string | null;
  endTime: string | null;
  text: string;
}

/** A non-empty string, or InvalidArgument naming `what` (a unit's checks, step-batch.ts, use it too). */
export function nonEmpty(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '') throw new StoreError('InvalidArgument', `${what} must be a non-empty string`);
  return v;
}

/** A record's columns, checked: path, name and status are non-empty strings. */
function columnsOf(r: ActionRecordInput, i: number, runId: string): RecordColumns {
  if (r === null || typeof r !== 'object') throw new StoreError('InvalidArgument', `records[${i}] is not an object`);
  return {
    runId,
    path: nonEmpty(r.path, `records[${i}].path`),
    name: nonEmpty(r.name, `records[${i}].name`),
    status: nonEmpty(r.status, `records[${i}].status`),
    startTime: typeof r.startTime === 'string' ? r.startTime : null,
    endTime: typeof r.endTime === 'string' ? r.endTime : null,
  };
}

/**
 * A step's records as their rows hold them (compact-json.ts, rules 1 and 2), checked (columnsOf).
 * The same columns and compact record make a packed entry (packRecords).
 */
export function recordTexts(records: ActionRecordInput[], runId: string): RecordText[] {
  return records.map((r, i) => {
    const cols = columnsOf(r, i, runId);
    const text = toJson(compactRecord(r, cols), `records[${i}]`);
    return { path: cols.path, status: cols.status, ...packRecordColumns(cols), text };
  });
}

/** Whether a unit that creates a run also ends it, with nothing left to wake it: its records may be packed. */
export function endsInOneUnit(step: {
  runUpdate?: { status?: unknown };
  enqueue?: unknown[];
  timers?: unknown[];
  callbacks?: unknown[];
  cancelWaits?: unknown[];
}): boolean {
  const status = step.runUpdate?.status;
  return (
    typeof status === 'string' &&
    !(UNFINISHED_RUN_STATUSES as readonly string[]).includes(status) &&
    !step.enqueue?.length &&
    !step.timers?.length &&
    !step.callbacks?.length &&
    !step.cancelWaits?.length
  );
}

/**
 * UTF-16 code units whose order differs from their UTF-8 bytes' (surrogates sort below
 * U+E000..U+FFFF in UTF-16, above them in UTF-8); without them, JavaScript's own order is the bytes'.
 */
const UTF16_ORDER_DIFFERS = /[\uD800-\uFFFF]/;

/** Byte order (SQLite's BINARY collation, PostgreSQL's C collation) of two texts. */
function byteOrder(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** JavaScript's own order of two texts: byte order when neither has UTF16_ORDER_DIFFERS. */
function codeUnitOrder(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

/** Entries in the order a read of rows gives them (run-rows.ts, historySql: start time column, '~' when none, then path). */
function sortEntries(entries: Entry[]): Entry[] {
  const order = entries.some((e) => UTF16_ORDER_DIFFERS.test(e[0]) || UTF16_ORDER_DIFFERS.test(e[3] ?? ''))
    ? byteOrder
    : codeUnitOrder;
  return entries.sort((a, b) => order(a[3] ?? '~', b[3] ?? '~') || order(a[0], b[0]));
}

/**
 * The packed value of a run's records, or null when they should be rows (none, too large, or one
 * that is not JSON: recordTexts then names it). Checked as recordTexts checks them. Of a path
 * written more than once the last wins, as with rows; entries are in the order a read of rows
 * gives them (sortEntries). The whole value is one JSON.stringify: no text per record, joined again.
 */
export function packRecords(records: ActionRecordInput[], runId: string, compress: boolean): Blob | null {
  if (records.length === 0) return null;
  const byPath = new Map<string, Entry>();
  records.forEach((r, i) => {
    const cols = columnsOf(r, i, runId);
    const packed = packRecordColumns(cols);
    byPath.set(cols.path, [
      cols.path,
      packed.name,
      cols.status,
      packed.startTime,
      packed.endTime,
      compactRecord(r, cols),
    ]);
  });
  const entries = sortEntries([...byPath.values()]);
  let text: string;
  try {
    text = JSON.stringify(entries);
  } catch {
    return null;
  }
  return text.length > PACK_LIMIT ? null : { inline: deferPack(text, compress), ref: null, payload: null };
}

type Entry = [
  path: string,
  name: string,
  status: string,
  startTime: string | null,
  endTime: string | null,
  record: unknown,
];

/** The entries of a stored packed value (a malformed one reads as none rather than failing every read). */
function entriesOf(stored: unknown): Entry[] {
  const value = fromJson(stored);
  return Array.isArray(value) ? (value as Entry[]) : [];
}

/** A packed entry as the row it stands for (the columns run-rows.ts reads). */
function rowOf(runId: string, e: Entry): Record<string, unknown> {
  return { run_id: runId, path: e[0], name: e[1], status: e[2], start_time: e[3], end_time: e[4] };
}

/** A run's action records from its packed value, as a read of its rows gives them. */
export function unpackRecords(runId: string, stored: unknown): StoredActionRecord[] {
  return entriesOf(stored).map((e) => expandRecord(e[5], unpackRecordColumns(rowOf(runId, e))) as StoredActionRecord);
}

/** How many records a packed value holds (retention's counts). */
export function countPacked(stored: unknown): number {
  return entriesOf(stored).length;
}

/**
 * Turns the packed records of these runs (those that have any) into action_records rows, inside
 * the caller's transaction, before more records of them are written. Rows go straight to the
 * clustered table: newer records written after them (staged on SQLite) replace them as usual.
 */
export async function unpackToRows(c: Conn, runIds: string[], compress: boolean): Promise<void> {
  if (runIds.length === 0) return;
  const packed = await c.all<{ id: string; records: unknown }>(
    `SELECT id, records FROM runs WHERE id IN (${placeholders(runIds.length)}) AND records IS NOT NULL`,
    runIds,
  );
  if (packed.length === 0) return;
  const rows: unknown[][] = [];
  for (const { id, records } of packed) {
    for (const e of entriesOf(records)) {
      rows.push([id, e[0], e[1], e[2], packJson(JSON.stringify(e[5]), compress), null, e[3], e[4]]);
    }
  }
  if (rows.length) {
    await insertMany(
      c,
      'INSERT INTO action_records (run_id, path, name, status, record, record_ref, start_time, end_time)',
      8,
      rows,
      'ON CONFLICT (run_id, path) DO NOTHING',
    );
  }
  const ids = packed.map((r) => r.id);
  await c.run(`UPDATE runs SET records = NULL WHERE id IN (${placeholders(ids.length)})`, ids);
}
