// The queue aggregate's rows (work_items, timers, callbacks) as other aggregates' transactions
// write and delete them: a run's step enqueues work and sets or cancels its waits, admission
// writes the admitted run's ownership item, retention deletes what hangs off pruned runs. Each
// takes the caller's connection, so it joins the caller's transaction.
import type { Conn } from './driver.js';
import { insertMany, placeholders } from './rows.js';

export interface WorkRow {
  id: string;
  runId: string | null;
  kind: string;
  payload: string | null; // JSON text
  availableAt: number;
}

export async function insertWorkItems(c: Conn, items: WorkRow[]): Promise<void> {
  if (!items.length) return;
  const rows = items.map((e) => [e.id, e.runId, e.kind, e.payload, e.availableAt]);
  await insertMany(c, 'INSERT INTO work_items (id, run_id, kind, payload, available_at)', 5, rows);
}

/** Sets each (run, key) timer; one that exists is due again at the new time and not fired. */
export async function upsertTimers(
  c: Conn,
  timers: Array<{ runId: string | null; key: string; dueAt: number }>,
): Promise<void> {
  if (!timers.length) return;
  await insertMany(
    c,
    'INSERT INTO timers (run_id, key, due_at)',
    3,
    timers.map((t) => [t.runId, t.key, t.dueAt]),
    'ON CONFLICT (run_id, key) DO UPDATE SET due_at = excluded.due_at, fired = 0',
  );
}

export async function insertCallbacks(
  c: Conn,
  callbacks: Array<{ key: string; runId: string | null; path: string; createdAt: number }>,
): Promise<void> {
  if (!callbacks.length) return;
  const rows = callbacks.map((cb) => [cb.key, cb.runId, cb.path, cb.createdAt]);
  await insertMany(c, 'INSERT INTO callbacks (key, run_id, path, created_at)', 4, rows);
}

/** The run's timer and unresolved callback named `key` are no longer awaited. */
export async function cancelWait(c: Conn, runId: string | null, key: string): Promise<void> {
  await c.run('DELETE FROM timers WHERE run_id = ? AND key = ?', [runId, key]);
  await c.run('DELETE FROM callbacks WHERE run_id = ? AND key = ? AND resolved_at IS NULL', [runId, key]);
}

/** Deletes finished work items; returns how many there were. */
export async function deleteWorkItems(c: Conn, ids: readonly string[]): Promise<number> {
  return c.run(`DELETE FROM work_items WHERE id IN (${placeholders(ids.length)})`, [...ids]);
}

/**
 * Writes a run's ownership item leased to `workerId` (inserted, or taken over when it exists),
 * for a run admitted in the caller's transaction.
 */
export async function leaseOwnershipItem(
  c: Conn,
  item: { id: string; runId: string; kind: string; workerId: string; now: number; leaseMs: number },
): Promise<void> {
  await c.run(
    `INSERT INTO work_items (id, run_id, kind, payload, available_at, attempts, lease_owner, lease_expires_at)
     VALUES (?, ?, ?, NULL, ?, 1, ?, ?)
     ON CONFLICT (id) DO UPDATE SET lease_owner = excluded.lease_owner,
       lease_expires_at = excluded.lease_expires_at`,
    [item.id, item.runId, item.kind, item.now, item.workerId, item.now + item.leaseMs],
  );
}

/** Retention: deletes the work items, timers and callbacks of these runs, returning how many of each. */
export async function deleteQueueRowsOfRuns(
  c: Conn,
  runIds: readonly string[],
): Promise<{ workItems: number; timers: number; callbacks: number }> {
  const inList = `run_id IN (${placeholders(runIds.length)})`;
  const ids = [...runIds];
  const workItems = await c.run(`DELETE FROM work_items WHERE ${inList}`, ids);
  const timers = await c.run(`DELETE FROM timers WHERE ${inList}`, ids);
  const callbacks = await c.run(`DELETE FROM callbacks WHERE ${inList}`, ids);
  return { workItems, timers, callbacks };
}
