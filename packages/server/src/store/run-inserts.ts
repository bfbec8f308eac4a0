// The rows of the runs a batch creates, each with its first step's status and the other run
// columns of that step a new row can hold. On SQLite each run is one INSERT ... SELECT from its
// flow version (which gives its environment, and no row when the version does not exist). On
// PostgreSQL that was a round trip per run inside the transaction, which bounded an HTTP flow's
// Stateful calls at c=50 by the commit's latency, with most of the machine idle; there the batch
// looks up the flow versions this process has not seen yet (what it found holds for good:
// flowEnvironments) and inserts one multi-row statement per shape of row (the columns besides the
// run's own), so that 50 new runs cost about as many round trips as one; a batch that does no
// more than that, from versions it knows, is that one statement alone (loneInsert), outside any
// BEGIN and COMMIT. SQLite has no round trip to save: the look-up, one more statement, cost a
// call at c=1 about a tenth of its time. There a batch of one such run written on the event loop
// (one call at a time) is its INSERT ... SELECT alone: without BEGIN IMMEDIATE, COMMIT and the
// transaction's turns, the HTTP flow's Stateful calls at c=1 went from about 3,500 to 3,700 req/s.
import { stored } from './compact-json.js';
import type { Conn, Driver } from './driver.js';
import { StoreError } from './errors.js';
import { flowEnvironments, flowVersionKey, selectFromFlowVersion } from './flows.js';
import { insertMany, manyRowsSql, MAX_PARAMS, placeholders } from './rows.js';
import type { PreparedUnit } from './step-batch.js';

type NewRun = NonNullable<PreparedUnit['create']>;

/** The runUpdate columns a new run's INSERT can take (status goes apart; an init replaces the one inserted). */
const FOLDABLE = new Set(['end_time', 'error', 'parked', 'response', 'response_ref', 'outputs', 'outputs_ref']);

/** The columns of a run's row its unit gives, after its id, flow and environment. */
const OWN_COLUMNS = 'trigger_name, status, start_time, client_tracking_id, init, init_ref';
const OWN_WIDTH = 6;

interface ShapeSql {
  /** SQLite: `INSERT INTO runs (...) SELECT ...` of one run from its flow version. */
  fromVersion: string;
  /** PostgreSQL: `INSERT INTO runs (...)`, for insertMany, and the width of its rows. */
  head: string;
  width: number;
}
const shapeSqls = new Map<string, ShapeSql>();

/** The statements of a shape of row (its extra columns, `a, b`): a few shapes, made once each. */
function statementsOf(shape: string): ShapeSql {
  let sql = shapeSqls.get(shape);
  if (sql === undefined) {
    const extra = shape ? shape.split(', ').length : 0;
    const columns = `${OWN_COLUMNS}${shape ? `, ${shape}` : ''}`;
    const head = `INSERT INTO runs (id, flow_id, flow_version, environment_id, ${columns})`;
    sql = {
      fromVersion: `${head} ${selectFromFlowVersion('?,', placeholders(OWN_WIDTH + extra))}`,
      head,
      width: 4 + OWN_WIDTH + extra,
    };
    shapeSqls.set(shape, sql);
  }
  return sql;
}

interface RunRow {
  run: NewRun;
  shape: string;
  /** OWN_COLUMNS' values, then the shape's. */
  values: unknown[];
  /** Whether the unit's status and runUpdate went into the row (FOLDABLE). */
  folded: boolean;
}

/** The row of the run a unit creates. */
function runRow(u: PreparedUnit, run: NewRun): RunRow {
  const cols = u.runUpdate.every(([col]) => FOLDABLE.has(col)) ? u.runUpdate : null;
  const extra: Array<[string, unknown]> = run.records
    ? [...(cols ?? []), ['records', run.records.inline]]
    : (cols ?? []);
  return {
    run,
    shape: extra.map(([col]) => col).join(', '),
    values: [
      run.triggerName,
      (cols && u.status) ?? run.status,
      run.startTime,
      run.clientTrackingId,
      stored(run.init.inline),
      run.init.ref,
      ...extra.map(([, v]) => stored(v)),
    ],
    folded: cols !== null,
  };
}

/**
 * Inserts the rows of the runs `units` create; returns the units whose status and runUpdate went
 * into their new row (FOLDABLE), which need no statement of their own. Fails as NotFound when a
 * run names a flow version that does not exist.
 */
export async function insertNewRuns(driver: Driver, c: Conn, units: PreparedUnit[]): Promise<Set<PreparedUnit>> {
  const folded = new Set<PreparedUnit>();
  const rows: RunRow[] = [];
  for (const u of units) {
    if (!u.create) continue;
    const row = runRow(u, u.create);
    if (row.folded) folded.add(u);
    rows.push(row);
  }
  if (driver.dialect === 'postgres') await insertAll(driver, c, rows);
  else {
    for (const row of rows) {
      const n = await c.run(...fromVersion(row));
      if (n === 0) throw versionNotFound(row.run);
    }
  }
  return folded;
}

/** SQLite: the INSERT ... SELECT of a run's row from its flow version (no row when there is none), and its parameters. */
function fromVersion({ run, shape, values }: RunRow): [sql: string, params: unknown[]] {
  return [statementsOf(shape).fromVersion, [run.id, ...values, run.flowVersion, run.flowId]];
}

/** Whether all a unit writes is the row of the run it creates (its records packed in it). */
const onlyCreates = (u: PreparedUnit): u is PreparedUnit & { create: NewRun } =>
  u.create !== null &&
  u.expectSeq === null &&
  !u.events.length &&
  !u.records.length &&
  !u.enqueue.length &&
  !u.timers.length &&
  !u.callbacks.length &&
  !u.cancelWaits.length &&
  !u.completeWork.length &&
  !u.payloads.length;

/** A batch that is one statement (loneInsert); `single`: SQLite's one run, whose version may be missing. */
export interface LoneInsert {
  sql: string;
  params: unknown[];
  /** SQLite: the run, when its INSERT ... SELECT wrote no row (its flow version does not exist). */
  single: NewRun | null;
}

/**
 * The one statement that writes the batch, when all it does is create runs whose steps fit their
 * rows; else null. A statement on its own is a transaction of its own: such a batch needs no BEGIN
 * and COMMIT. PostgreSQL: runs of one shape, from flow versions this process knows (the HTTP
 * flow's batches), one round trip instead of three. SQLite: one such run (a batch written on the
 * event loop, one call at a time), its INSERT ... SELECT without the two statements around it and
 * the transaction's turns through the event loop.
 */
export function loneInsert(driver: Driver, units: PreparedUnit[]): LoneInsert | null {
  if (driver.dialect === 'sqlite') return loneSqlite(units);
  const known = knownVersions.get(driver);
  if (!known || !units.length) return null;
  let shape: string | null = null;
  const params: unknown[] = [];
  for (const u of units) {
    // The cheap checks first: a batch that is not lone is built again by insertNewRuns.
    if (!onlyCreates(u)) return null;
    const environment = known.get(flowVersionKey(u.create.flowId, u.create.flowVersion));
    if (environment === undefined) return null;
    const row = runRow(u, u.create);
    if (!row.folded || (shape !== null && row.shape !== shape)) return null;
    shape = row.shape;
    params.push(u.create.id, u.create.flowId, u.create.flowVersion, environment, ...row.values);
  }
  const sql = statementsOf(shape ?? '');
  if (params.length > MAX_PARAMS) return null;
  return { sql: manyRowsSql(sql.head, sql.width, units.length), params, single: null };
}

function loneSqlite(units: PreparedUnit[]): LoneInsert | null {
  const u = units.length === 1 ? units[0]! : null;
  if (!u || !onlyCreates(u)) return null;
  const row = runRow(u, u.create);
  if (!row.folded) return null;
  const [sql, params] = fromVersion(row);
  return { sql, params, single: row.run };
}

/** Each database's flow versions whose environments were found (flowEnvironments' `known`). */
const knownVersions = new WeakMap<Driver, Map<string, string>>();

/** A look-up of the runs' flow versions not seen before, then a multi-row INSERT per shape. */
async function insertAll(driver: Driver, c: Conn, rows: RunRow[]): Promise<void> {
  if (!rows.length) return;
  let known = knownVersions.get(driver);
  if (!known) knownVersions.set(driver, (known = new Map()));
  const environments = await flowEnvironments(
    c,
    rows.map(({ run }) => [run.flowId, run.flowVersion] as const),
    known,
  );
  const shapes = new Map<string, unknown[][]>();
  for (const { run, shape, values } of rows) {
    const environment = environments.get(flowVersionKey(run.flowId, run.flowVersion));
    if (environment === undefined) throw versionNotFound(run);
    let same = shapes.get(shape);
    if (!same) shapes.set(shape, (same = []));
    same.push([run.id, run.flowId, run.flowVersion, environment, ...values]);
  }
  for (const [shape, same] of shapes) {
    const sql = statementsOf(shape);
    await insertMany(c, sql.head, sql.width, same);
  }
}

export const versionNotFound = (run: NewRun): StoreError =>
  new StoreError('NotFound', `flow ${run.flowId} version ${run.flowVersion} does not exist`, { target: run.flowId });
