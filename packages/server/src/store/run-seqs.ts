// The runs' event counters and statuses of a batch of steps, in one statement each for the whole
// batch (step-batch.ts, applyUnits): SQLite counts in run_seqs_recent (schema.ts, migration 2),
// PostgreSQL in runs.last_seq, fenced by the seq each writer holds.
import type { Conn, Driver } from './driver.js';
import { StoreError } from './errors.js';
import { placeholders } from './rows.js';

/**
 * A VALUES list of `count` rows as a table `v` whose columns are named `names`: PostgreSQL takes
 * the names (and the types, for parameters) in the alias; SQLite calls them column1, column2...
 */
function valuesTable(driver: Driver, count: number, columns: Array<[name: string, pgType: string]>): string {
  if (driver.dialect === 'postgres') {
    const tuple = `(${columns.map(([, t]) => `?::${t}`).join(', ')})`;
    return `(VALUES ${new Array(count).fill(tuple).join(', ')}) AS v(${columns.map(([name]) => name).join(', ')})`;
  }
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const names = columns.map(([name], i) => `column${i + 1} AS ${name}`).join(', ');
  return `(SELECT ${names} FROM (VALUES ${new Array(count).fill(tuple).join(', ')})) AS v`;
}

/**
 * Per run: adds n to its event counter, and sets the status where one was given and it differs;
 * returns the new last_seq per run. A statement each for the whole batch, not one per step: every
 * step of a run sets its status, nearly always to the one it has, and a row left alone is not
 * written (nor its runs_unfinished index entry). SQLite counts in run_seqs_recent (schema.ts,
 * migration 2), PostgreSQL in runs.last_seq (`staged`: step-batch.ts, staged()).
 */
export async function updateRuns(
  driver: Driver,
  c: Conn,
  bumps: Map<string, { n: number; status: string | null; expect: number | null }>,
  staged: boolean,
): Promise<Map<string, number>> {
  const seqs: unknown[] = [];
  const statuses: unknown[] = [];
  const statusOnly: string[] = [];
  const fenced = !staged;
  for (const [id, b] of bumps) {
    if (b.n > 0) seqs.push(id, b.n, ...(fenced ? [b.expect] : []));
    else statusOnly.push(id);
    if (b.status !== null) statuses.push(id, b.status);
  }
  const result = new Map<string, number>();
  if (seqs.length) {
    const v = valuesTable(driver, seqs.length / (fenced ? 3 : 2), [
      ['id', 'text'],
      ['n', 'int'],
      ...(fenced ? ([['expect', 'bigint']] as Array<[string, string]>) : []),
    ]);
    // The join with runs: a run that does not exist gets no row back (NotFound below).
    const rows = staged
      ? await c.all<{ id: string; last_seq: number }>(
          `INSERT INTO run_seqs_recent (run_id, base, n)
           SELECT v.id, runs.last_seq, v.n FROM ${v} JOIN runs ON runs.id = v.id WHERE true
           ON CONFLICT (run_id) DO UPDATE SET n = run_seqs_recent.n + excluded.n
           RETURNING run_id AS id, base + n AS last_seq`,
          seqs,
        )
      : // Fencing: a writer that names the seq it holds appends only if nobody appended since
        // (a process that lost its lease on the run and did not notice yet gets Conflict).
        await c.all<{ id: string; last_seq: number }>(
          `UPDATE runs SET last_seq = runs.last_seq + v.n FROM ${v}
           WHERE runs.id = v.id AND (v.expect IS NULL OR runs.last_seq = v.expect)
           RETURNING runs.id, runs.last_seq`,
          seqs,
        );
    for (const r of rows) result.set(r.id, Number(r.last_seq));
    const stale = [...bumps].filter(([id, b]) => b.n > 0 && b.expect !== null && !result.has(id)).map(([id]) => id);
    if (stale.length) {
      const exists = await c.all<{ id: string }>(
        `SELECT id FROM runs WHERE id IN (${placeholders(stale.length)})`,
        stale,
      );
      const first = exists[0];
      if (first)
        throw new StoreError('Conflict', `run ${first.id} was written by another writer since its last step here`, {
          target: first.id,
        });
    }
  }
  if (statusOnly.length) {
    const rows = await c.all<{ id: string }>(
      `SELECT id FROM runs WHERE id IN (${placeholders(statusOnly.length)})`,
      statusOnly,
    );
    for (const r of rows) result.set(r.id, 0); // no events: its seq is not needed
  }
  for (const id of bumps.keys()) {
    if (!result.has(id)) throw new StoreError('NotFound', `run ${id} does not exist`, { target: id });
  }
  if (statuses.length) {
    const v = valuesTable(driver, statuses.length / 2, [
      ['id', 'text'],
      ['status', 'text'],
    ]);
    await c.run(
      `UPDATE runs SET status = v.status FROM ${v} WHERE runs.id = v.id AND runs.status <> v.status`,
      statuses,
    );
  }
  return result;
}
