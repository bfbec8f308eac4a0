// The queue aggregate over the driver: work items and their leases, timers, callbacks, recurrence
// state and scheduler leadership (admission.ts has trigger concurrency). Enqueueing and completing
// go through the step writer, so they share group commit with the runs' steps.
import type { StoreContext } from './context.js';
import type { Row } from './driver.js';
import { fromJson, toJson, toJsonOrNull } from './json.js';
import { n, nOrNull, sOrNull } from './rows.js';
import type { QueueStore, RecurrenceState, WorkItem } from './queue-types.js';
import type { StepWriter } from './step-writer.js';
import type { WorkSignal } from './work-signal.js';

function toWorkItem(r: Row): WorkItem {
  return {
    id: String(r.id),
    runId: sOrNull(r.run_id),
    kind: String(r.kind),
    payload: fromJson(r.payload),
    availableAt: n(r.available_at),
    attempts: n(r.attempts),
    leaseOwner: sOrNull(r.lease_owner),
    leaseExpiresAt: nOrNull(r.lease_expires_at),
  };
}

function toRecurrence(r: Row): RecurrenceState {
  return {
    flowId: String(r.flow_id),
    triggerName: String(r.trigger_name),
    lastScheduledTime: n(r.last_scheduled_time),
    nextTime: nOrNull(r.next_time),
    updatedAt: n(r.updated_at),
  };
}

export type WorkQueueStore = Omit<
  QueueStore,
  'countUnfinishedRuns' | 'queueRun' | 'admitQueuedRuns' | 'cancelQueuedRun'
>;

export function queueStore(ctx: StoreContext, writer: StepWriter, signal: WorkSignal): WorkQueueStore {
  const { driver, now, check } = ctx;
  return {
    // ---------------------------------------------------------------- work items and leases

    async enqueue(items) {
      return (await writer.submit(null, null, { enqueue: items })).workIds;
    },

    async claim(workerId, limit, leaseMs) {
      check();
      const at = now();
      // PostgreSQL: rows another worker is claiming right now are skipped, not waited for.
      const lock = driver.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
      const rows = await driver.all(
        `UPDATE work_items SET lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1
         WHERE id IN (
           SELECT id FROM work_items
           WHERE available_at <= ? AND (lease_expires_at IS NULL OR lease_expires_at <= ?)
           ORDER BY available_at, id LIMIT ?${lock})
         RETURNING *`,
        [workerId, at + leaseMs, at, at, Math.max(0, limit)],
      );
      return rows.map(toWorkItem).sort((a, b) => a.availableAt - b.availableAt || (a.id < b.id ? -1 : 1));
    },

    async complete(id) {
      return (await writer.submit(null, null, { completeWork: [id] })).completed > 0;
    },

    async release(id, workerId, delayMs = 0) {
      check();
      const changed = await driver.run(
        `UPDATE work_items SET lease_owner = NULL, lease_expires_at = NULL, available_at = ?
         WHERE id = ? AND lease_owner = ?`,
        [now() + delayMs, id, workerId],
      );
      return changed > 0;
    },

    async extendLease(id, workerId, leaseMs) {
      check();
      const at = now();
      // Only a lease that is still held: once expired, another worker may already have the item.
      const changed = await driver.run(
        'UPDATE work_items SET lease_expires_at = ? WHERE id = ? AND lease_owner = ? AND lease_expires_at > ?',
        [at + leaseMs, id, workerId, at],
      );
      return changed > 0;
    },

    async acquireLease(id, workerId, leaseMs, item) {
      check();
      const at = now();
      // One statement: on PostgreSQL the upsert locks the row, so two racing workers get one true.
      const rows = await driver.all(
        `INSERT INTO work_items (id, run_id, kind, payload, available_at, attempts, lease_owner, lease_expires_at)
         VALUES (?, ?, ?, ?, ?, 1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET lease_owner = excluded.lease_owner,
           lease_expires_at = excluded.lease_expires_at, attempts = work_items.attempts + 1
         WHERE work_items.lease_owner IS NULL OR work_items.lease_owner = excluded.lease_owner
           OR work_items.lease_expires_at IS NULL OR work_items.lease_expires_at <= ?
         RETURNING id`,
        [id, item.runId ?? null, item.kind, toJsonOrNull(item.payload, 'payload'), at, workerId, at + leaseMs, at],
      );
      return rows.length > 0;
    },

    onWork(callback) {
      check();
      return signal.subscribe(callback);
    },

    // ---------------------------------------------------------------- timers, callbacks, recurrence

    async dueTimers(at, limit) {
      check();
      const rows = await driver.all(
        'SELECT run_id, key, due_at, fired FROM timers WHERE fired = 0 AND due_at <= ? ORDER BY due_at, run_id, key LIMIT ?',
        [at, limit],
      );
      return rows.map((r) => ({
        runId: String(r.run_id),
        key: String(r.key),
        dueAt: n(r.due_at),
        fired: n(r.fired) !== 0,
      }));
    },

    async pendingTimers() {
      check();
      // One read over the partial index of unfired timers (timers_due), however many runs wait.
      const [r] = await driver.all('SELECT COUNT(*) AS count, MIN(due_at) AS next FROM timers WHERE fired = 0');
      return { count: n(r?.count), nextDueAt: nOrNull(r?.next) };
    },

    async fireDueTimers(at, limit) {
      check();
      // PostgreSQL: timers another worker is firing right now are skipped, not waited for, so every
      // worker can run the timer loop and each due timer becomes one wake-up.
      const lock = driver.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
      let written: ReturnType<StepWriter['prepare']>[] = [];
      const fired = await driver.transaction(
        async (c) => {
          written = [];
          const rows = await c.all(
            `SELECT run_id, key FROM timers WHERE fired = 0 AND due_at <= ? ORDER BY due_at, run_id, key LIMIT ?${lock}`,
            [at, Math.max(0, limit)],
          );
          for (const r of rows) {
            const runId = String(r.run_id);
            const key = String(r.key);
            await c.run('UPDATE timers SET fired = 1 WHERE run_id = ? AND key = ?', [runId, key]);
            written.push(writer.prepare(null, null, { enqueue: [{ runId, kind: 'timer', payload: { key } }] }, at));
          }
          if (written.length) await writer.applyIn(c, written, at);
          return rows.length;
        },
        { retryable: true },
      );
      writer.committed(written);
      return fired;
    },

    async markFired(runId, key) {
      check();
      const changed = await driver.run('UPDATE timers SET fired = 1 WHERE run_id = ? AND key = ? AND fired = 0', [
        runId,
        key,
      ]);
      return changed > 0;
    },

    async getCallback(key) {
      check();
      const [r] = await driver.all('SELECT * FROM callbacks WHERE key = ?', [key]);
      return (
        r && {
          key: String(r.key),
          runId: String(r.run_id),
          path: String(r.path),
          createdAt: n(r.created_at),
          resolvedAt: nOrNull(r.resolved_at),
          payload: fromJson(r.payload),
        }
      );
    },

    async resolveCallback(key, payload, then) {
      check();
      const text = toJson(payload, 'payload');
      const at = now();
      let written: ReturnType<StepWriter['prepare']>[] = [];
      const resolved = await driver.transaction(
        async (c) => {
          written = [];
          const rows = await c.all<{ run_id: string }>(
            'UPDATE callbacks SET resolved_at = ?, payload = ? WHERE key = ? AND resolved_at IS NULL RETURNING run_id',
            [at, text, key],
          );
          const runId = rows[0]?.run_id;
          if (runId === undefined) return false;
          if (then) {
            const unit = writer.prepare(runId, null, then, at);
            await writer.applyIn(c, [unit], at);
            written = [unit];
          }
          return true;
        },
        { retryable: true },
      );
      writer.committed(written);
      return resolved;
    },

    async getRecurrence(flowId, triggerName) {
      check();
      const [r] = await driver.all('SELECT * FROM recurrences WHERE flow_id = ? AND trigger_name = ?', [
        flowId,
        triggerName,
      ]);
      return r && toRecurrence(r);
    },

    async casRecurrence(flowId, triggerName, expectedLast, next) {
      check();
      const at = now();
      const changed =
        expectedLast === undefined
          ? await driver.run(
              `INSERT INTO recurrences (flow_id, trigger_name, last_scheduled_time, next_time, updated_at)
               VALUES (?, ?, ?, ?, ?) ON CONFLICT (flow_id, trigger_name) DO NOTHING`,
              [flowId, triggerName, next.lastScheduledTime, next.nextTime, at],
            )
          : await driver.run(
              `UPDATE recurrences SET last_scheduled_time = ?, next_time = ?, updated_at = ?
               WHERE flow_id = ? AND trigger_name = ? AND last_scheduled_time = ?`,
              [next.lastScheduledTime, next.nextTime, at, flowId, triggerName, expectedLast],
            );
      return changed > 0;
    },

    // ---------------------------------------------------------------- leadership

    tryAcquireLeadership(name) {
      check();
      return driver.tryAcquireLeadership(name);
    },

    releaseLeadership(name) {
      return driver.releaseLeadership(name);
    },
  };
}
