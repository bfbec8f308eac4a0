// One group-commit unit per caller, and how a batch of them is written in one transaction: the
// runs aggregate's write path. A step's work items, timers and callbacks belong to the queue
// aggregate and go through its statements (queue-rows.ts), in the same transaction.
// Units are prepared (validated, serialized, large payloads split off) before they join a batch,
// so a caller's bad input fails that caller alone and no JSON work happens inside a transaction.
// Inside the transaction the rows of all units go out as a few multi-row statements, so a batch
// of 50 steps costs about as many round trips as a batch of one.
//
// SQLite appends events and action records to the *_recent tables (in commit order, a few pages
// per batch) and mergeRecent moves them to the tables clustered by run in bulk (schema.ts,
// migration 2, says why). PostgreSQL writes the clustered tables directly. A unit that creates a
// run and ends it keeps the run's records packed in the run's row instead, on both backends
// (packed-records.ts); a later write of records for such a run turns them into rows first (the
// one JSON work inside a transaction, and a rare one: a run does not write after it ended).
import { compactInit, initBlob } from './compact-init.js';
import { stored } from './compact-json.js';
import { sortableId } from './ids.js';
import type { Conn, Driver } from './driver.js';
import { StoreError } from './errors.js';
import { textBlob, toBlob, toJson, toJsonOrNull } from './json.js';
import { endsInOneUnit, nonEmpty as str, packRecords, recordTexts, unpackToRows } from './packed-records.js';
import type { Blob, PayloadRow } from './json.js';
import { cancelWait, deleteWorkItems, insertCallbacks, insertWorkItems, upsertTimers } from './queue-rows.js';
import type { WorkRow } from './queue-rows.js';
import { insertMany } from './rows.js';
import { insertNewRuns } from './run-inserts.js';
import { updateRuns } from './run-seqs.js';
import type { NewRun, RunStatus, StepWrite } from './run-types.js';

export interface PreparedRecord {
  path: string;
  /** The name and times as their columns keep them (compact-json.ts, packRecordColumns). */
  name: string;
  status: string;
  startTime: string | null;
  endTime: string | null;
  data: Blob;
}

export interface PreparedUnit {
  runId: string | null;
  create: {
    id: string;
    flowId: string;
    flowVersion: number;
    triggerName: string;
    status: RunStatus;
    startTime: number;
    clientTrackingId: string | null;
    init: Blob;
    /** The run's action records packed in its row (packed-records.ts); then `records` is empty. */
    records: Blob | null;
  } | null;
  events: Blob[];
  records: PreparedRecord[];
  /** runUpdate.status, written with the batch's seq bump (one statement for all runs). */
  status: string | null;
  /** StepWrite.expectSeq: the run's last seq the writer holds (fencing; checked on PostgreSQL). */
  expectSeq: number | null;
  /** The other runUpdate columns, one statement per unit. */
  runUpdate: Array<[column: string, value: unknown]>;
  enqueue: WorkRow[];
  timers: Array<{ key: string; dueAt: number }>;
  callbacks: Array<{ key: string; path: string }>;
  cancelWaits: string[];
  completeWork: string[];
  payloads: PayloadRow[];
  /** StepWrite.background: no caller waits for it. */
  background: boolean;
}

export interface UnitResult {
  seqs: number[];
  workIds: string[];
  completed: number;
}

/**
 * `compress`: JSON of run history may be stored compressed (SQLite; compact-json.ts says when).
 * Action records are stored without what their columns hold (compact-json.ts) on both backends.
 */
export function prepareUnit(
  runId: string | null,
  create: NewRun | null,
  step: StepWrite,
  now: number,
  threshold: number,
  compress = false,
): PreparedUnit {
  const payloads: PayloadRow[] = [];
  const kept = (b: Blob): Blob => {
    if (b.payload) payloads.push(b.payload);
    return b;
  };
  const blob = (value: unknown, what: string): Blob => kept(toBlob(value, runId ?? '', what, threshold, compress));
  const events = step.events ?? [];
  const records = step.records ?? [];
  const needsRun = events.length > 0 || records.length > 0 || step.runUpdate !== undefined;
  if (needsRun && runId === null) throw new StoreError('InvalidArgument', 'events, records and runUpdate need a runId');
  if ((step.timers?.length || step.callbacks?.length || step.cancelWaits?.length) && runId === null) {
    throw new StoreError('InvalidArgument', 'timers and callbacks need a runId');
  }
  if (step.expectSeq !== undefined && (!Number.isInteger(step.expectSeq) || step.expectSeq < 0))
    throw new StoreError('InvalidArgument', 'expectSeq must be a whole number');
  const unit: PreparedUnit = {
    runId,
    expectSeq: step.expectSeq ?? null,
    create: null,
    events: events.map((e, i) => blob(e, `events[${i}]`)),
    records: [],
    status: null,
    runUpdate: [],
    enqueue: (step.enqueue ?? []).map((item) => ({
      id: item.id ?? sortableId(),
      runId: item.runId === undefined ? runId : item.runId,
      kind: str(item.kind, 'enqueue.kind'),
      payload: toJsonOrNull(item.payload, 'enqueue.payload'),
      availableAt: item.availableAt ?? now,
    })),
    timers: (step.timers ?? []).map((t) => ({ key: str(t.key, 'timer.key'), dueAt: t.dueAt })),
    callbacks: (step.callbacks ?? []).map((c) => ({ key: str(c.key, 'callback.key'), path: c.path })),
    cancelWaits: step.cancelWaits ?? [],
    completeWork: step.completeWork ?? [],
    payloads,
    background: step.background === true,
  };
  // A run created and ended here keeps its records in its own row (packed-records.ts).
  const packed = create && runId !== null && endsInOneUnit(step) ? packRecords(records, runId, compress) : null;
  if (!packed) {
    unit.records = recordTexts(records, runId ?? '').map(({ text, ...cols }) => ({
      ...cols,
      data: kept(textBlob(text, runId ?? '', threshold, compress)),
    }));
  }
  if (create && runId !== null) {
    const cols = {
      runId,
      flowId: str(create.flowId, 'run.flowId'),
      flowVersion: create.flowVersion,
      triggerName: str(create.triggerName, 'run.triggerName'),
      startTime: create.startTime ?? now,
      clientTrackingId: create.clientTrackingId ?? null,
    };
    // The init without what the row's columns hold (compact-init.ts).
    const compact = compactInit(create.init, cols);
    unit.create = {
      id: runId,
      flowId: cols.flowId,
      flowVersion: cols.flowVersion,
      triggerName: cols.triggerName,
      status: create.status ?? 'Running',
      startTime: cols.startTime,
      clientTrackingId: cols.clientTrackingId,
      init: kept(initBlob(toJson(compact, 'run.init'), runId, threshold, compress)),
      records: packed,
    };
  }
  const u = step.runUpdate;
  if (u) {
    // Every step of a run sets its status: it goes with the seq bump, in one statement per batch.
    if (typeof u.status === 'string') unit.status = u.status;
    else if (u.status !== undefined) unit.runUpdate.push(['status', u.status]); // fails as InvalidArgument
    if (u.endTime !== undefined) unit.runUpdate.push(['end_time', u.endTime]);
    if (u.error !== undefined) unit.runUpdate.push(['error', toJsonOrNull(u.error, 'runUpdate.error')]);
    if (u.parked !== undefined) unit.runUpdate.push(['parked', u.parked ? 1 : 0]);
    for (const key of ['response', 'outputs', 'init'] as const) {
      const v = u[key];
      if (v === undefined) continue;
      const b = v === null ? { inline: null, ref: null } : blob(v, `runUpdate.${key}`);
      unit.runUpdate.push([key, b.inline], [`${key}_ref`, b.ref]);
    }
  }
  return unit;
}

/** Whether events and action records go through the *_recent tables (SQLite). */
export function staged(driver: Driver): boolean {
  return driver.dialect === 'sqlite';
}

const RECORD_COLUMNS = 'run_id, path, name, status, record, record_ref, start_time, end_time';
const UPSERT_RECORD = `ON CONFLICT (run_id, path) DO UPDATE SET name = excluded.name, status = excluded.status,
  record = excluded.record, record_ref = excluded.record_ref, start_time = excluded.start_time,
  end_time = excluded.end_time`;

/**
 * Moves staged events, action records and event counters to the tables clustered by run (inside
 * the caller's transaction): sorted by run, each run's rows land together on few pages. At most
 * `limit` rows in all (events, then records, then counters), the oldest first, so that one commit
 * does bounded work; unbounded by default (retention needs every staged row of a run gone). Of a
 * record staged more than once, the newest wins: older versions move first, and a read prefers
 * the staged one while any is left (run-rows.ts). A run's counter goes back to runs.last_seq.
 * Returns the number of rows moved: fewer than `limit` means nothing is staged any more.
 */
export async function mergeRecent(c: Conn, limit = Infinity): Promise<number> {
  let moved = 0;
  /** The newest key of the oldest `limit - moved` rows of `table` by `key` (null: none); all when unbounded. */
  const upTo = async (table: string, key: string): Promise<unknown> => {
    if (moved >= limit) return null;
    const bounded = Number.isFinite(limit);
    const [r] = await c.all<{ hi: unknown }>(
      bounded
        ? `SELECT MAX(${key}) AS hi FROM (SELECT ${key} FROM ${table} ORDER BY ${key} LIMIT ?)`
        : `SELECT MAX(${key}) AS hi FROM ${table}`,
      bounded ? [limit - moved] : [],
    );
    return r?.hi ?? null;
  };
  const events = await upTo('run_events_recent', 'id');
  if (events !== null) {
    await c.run(
      `INSERT INTO run_events (run_id, seq, event, event_ref)
       SELECT run_id, seq, event, event_ref FROM run_events_recent WHERE id <= ? ORDER BY run_id, seq`,
      [events],
    );
    moved += await c.run('DELETE FROM run_events_recent WHERE id <= ?', [events]);
  }
  const records = await upTo('action_records_recent', 'id');
  if (records !== null) {
    // Of a path staged more than once, only the newest of these rows is upserted (the others
    // would be overwritten in the same statement). (SQLite needs a WHERE before ON CONFLICT to
    // parse an upsert from a SELECT.)
    await c.run(
      `INSERT INTO action_records (${RECORD_COLUMNS})
       SELECT ${RECORD_COLUMNS} FROM action_records_recent
       WHERE id IN (SELECT MAX(id) FROM action_records_recent WHERE id <= ? GROUP BY run_id, path)
       ORDER BY run_id, path ${UPSERT_RECORD}`,
      [records],
    );
    moved += await c.run('DELETE FROM action_records_recent WHERE id <= ?', [records]);
  }
  const counters = await upTo('run_seqs_recent', 'run_id');
  if (counters !== null) {
    await c.run(
      'UPDATE runs SET last_seq = s.base + s.n FROM run_seqs_recent s WHERE runs.id = s.run_id AND s.run_id <= ?',
      [counters],
    );
    moved += await c.run('DELETE FROM run_seqs_recent WHERE run_id <= ?', [counters]);
  }
  return moved;
}

export async function applyUnits(driver: Driver, c: Conn, units: PreparedUnit[], now: number): Promise<UnitResult[]> {
  const results: UnitResult[] = units.map((u) => ({ seqs: [], workIds: u.enqueue.map((e) => e.id), completed: 0 }));

  // A new run's row is inserted with its first step's status and other run columns: no UPDATE
  // of the row just written (nor its runs_unfinished entry made and dropped in one batch).
  const folded = await insertNewRuns(driver, c, units);

  // Seqs: one counter per run, bumped once per batch; each unit gets the next range in batch order.
  // Statuses: the newest of each run in the batch, in one statement (each unit's runUpdate is a
  // plain assignment per column, so applying each column's last value equals applying them in order).
  const bumps = new Map<string, { n: number; status: string | null; expect: number | null }>();
  for (const u of units) {
    const status = folded.has(u) ? null : u.status;
    if (!u.runId || (!u.events.length && status === null)) continue;
    // The first unit of a run in the batch holds the seq the run has before the batch.
    const b = bumps.get(u.runId) ?? { n: 0, status: null, expect: u.expectSeq };
    b.n += u.events.length;
    if (status !== null) b.status = status;
    bumps.set(u.runId, b);
  }
  if (bumps.size) {
    const last = await updateRuns(driver, c, bumps, staged(driver));
    const next = new Map<string, number>();
    for (const [id, b] of bumps) next.set(id, (last.get(id) ?? 0) - b.n + 1);
    const eventRows: unknown[][] = [];
    units.forEach((u, i) => {
      if (!u.events.length || !u.runId) return;
      let seq = next.get(u.runId) ?? 1;
      for (const e of u.events) {
        results[i]?.seqs.push(seq);
        eventRows.push([u.runId, seq, stored(e.inline), e.ref]);
        seq++;
      }
      next.set(u.runId, seq);
    });
    const table = staged(driver) ? 'run_events_recent' : 'run_events';
    if (eventRows.length) await insertMany(c, `INSERT INTO ${table} (run_id, seq, event, event_ref)`, 4, eventRows);
  }

  // Records: the last write of a path in the batch wins (one row may not be upserted twice in one
  // statement, and an older version of it is no use in the staging table either).
  const records = new Map<string, unknown[]>();
  for (const u of units) {
    for (const r of u.records) {
      records.set(`${u.runId}\u0000${r.path}`, [
        u.runId,
        r.path,
        r.name,
        r.status,
        stored(r.data.inline),
        r.data.ref,
        r.startTime,
        r.endTime,
      ]);
    }
  }
  // A run whose records are packed in its row gets rows from now on: its packed ones first.
  const writing = new Set<string>();
  for (const u of units) if (u.records.length && u.runId) writing.add(u.runId);
  await unpackToRows(c, [...writing], driver.dialect === 'sqlite');
  if (records.size && staged(driver)) {
    await insertMany(c, `INSERT INTO action_records_recent (${RECORD_COLUMNS})`, 8, [...records.values()]);
  } else if (records.size) {
    await insertMany(c, `INSERT INTO action_records (${RECORD_COLUMNS})`, 8, [...records.values()], UPSERT_RECORD);
  }

  for (const u of units) {
    if (!u.runUpdate.length || !u.runId || folded.has(u)) continue;
    const n = await c.run(`UPDATE runs SET ${u.runUpdate.map(([col]) => `${col} = ?`).join(', ')} WHERE id = ?`, [
      ...u.runUpdate.map(([, v]) => stored(v)),
      u.runId,
    ]);
    if (n === 0) throw new StoreError('NotFound', `run ${u.runId} does not exist`, { target: u.runId });
  }

  // The queue's rows of these steps, through the queue aggregate's statements (queue-rows.ts).
  const enqueue = units.flatMap((u) => u.enqueue);
  await insertWorkItems(c, enqueue);

  const timers = new Map<string, { runId: string | null; key: string; dueAt: number }>();
  for (const u of units) {
    for (const t of u.timers) timers.set(`${u.runId}\u0000${t.key}`, { runId: u.runId, key: t.key, dueAt: t.dueAt });
  }
  await upsertTimers(c, [...timers.values()]);

  await insertCallbacks(
    c,
    units.flatMap((u) => u.callbacks.map((cb) => ({ key: cb.key, runId: u.runId, path: cb.path, createdAt: now }))),
  );

  for (const u of units) {
    for (const key of u.cancelWaits) await cancelWait(c, u.runId, key);
  }

  for (const [i, u] of units.entries()) {
    if (!u.completeWork.length) continue;
    const n = await deleteWorkItems(c, u.completeWork);
    const r = results[i];
    if (r) r.completed = n;
  }

  const payloads = units.flatMap((u) => u.payloads.map((p) => [p.id, p.runId, p.data, p.size]));
  if (payloads.length) await insertMany(c, 'INSERT INTO payloads (id, run_id, data, size)', 4, payloads);

  if (enqueue.length) await driver.notifyWork(c);
  return results;
}
