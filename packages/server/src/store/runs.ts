// The runs aggregate over the driver: runs and their history (written as steps through the step
// writer, read here), trigger history and retention.
import { randomUUID } from 'node:crypto';
import type { StoreContext } from './context.js';
import type { Conn, Row } from './driver.js';
import { StoreError } from './errors.js';
import { fromJson } from './json.js';
import { countPacked, unpackRecords } from './packed-records.js';
import { deleteQueueRowsOfRuns } from './queue-rows.js';
import { n, pageLimit, placeholders, sOrNull } from './rows.js';
import { UNFINISHED_SQL, historySql, initColumns, initOf, toActionRecord, toRun } from './run-rows.js';
import { UNFINISHED_RUN_STATUSES } from './run-types.js';
import type {
  PruneCounts,
  Run,
  RunDetail,
  RunHistory,
  RunStore,
  StepResult,
  TriggerHistoryEntry,
} from './run-types.js';
import { mergeRecent, staged } from './step-batch.js';
import type { StepWriter } from './step-writer.js';

/** Runs deleted per retention transaction: ~10 ms of work each at a million runs in history. */
const PRUNE_BATCH = 50;
/** Free pages (4 KiB) given back to the file system between two retention batches (SQLite). */
const RECLAIM_PAGES = 64;

/** Lets whatever waits on the event loop (steps of running runs, requests) go first. */
const pause = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Cursor: the (startTime, id) of the last item of a page, opaque to callers. */
function encodeCursor(run: Run): string {
  return Buffer.from(JSON.stringify([run.startTime, run.id])).toString('base64url');
}
function decodeCursor(cursor: string): [number, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    // fall through
  }
  throw new StoreError('InvalidArgument', 'the cursor is not one this store gave out', { target: 'cursor' });
}

function toTriggerHistory(r: Row): TriggerHistoryEntry {
  return {
    id: n(r.id),
    flowId: String(r.flow_id),
    triggerName: String(r.trigger_name),
    at: n(r.at),
    status: String(r.status) as TriggerHistoryEntry['status'],
    code: sOrNull(r.code),
    message: sOrNull(r.message),
  };
}

export function runStore(ctx: StoreContext, writer: StepWriter): RunStore {
  const { driver, check } = ctx;
  const sql = historySql(staged(driver));

  async function readHistory(c: Conn, runId: string): Promise<RunHistory> {
    const [run] = await c.all(
      `SELECT ${initColumns('r')}, COALESCE(r.init, p.data) AS init, ${sql.lastSeq('r')} FROM runs r LEFT JOIN payloads p ON p.id = r.init_ref
       WHERE r.id = ?`,
      [runId],
    );
    if (!run) throw new StoreError('NotFound', `run ${runId} does not exist`, { target: runId });
    const rows = await c.all(sql.events, new Array(sql.idParams.events).fill(runId));
    return { init: initOf(run, run.init), events: rows.map((r) => fromJson(r.event)), lastSeq: n(run.last_seq) };
  }

  async function readRun(c: Conn, id: string, withActions: boolean): Promise<RunDetail | undefined> {
    const [r] = await c.all(
      `SELECT r.id, r.flow_id, r.flow_version, r.environment_id, r.trigger_name, r.status, r.start_time, r.end_time,
         r.error, r.client_tracking_id, ${sql.lastSeq('r')}, COALESCE(r.init, pi.data) AS init_v,
         COALESCE(r.response, pr.data) AS response_v, COALESCE(r.outputs, po.data) AS outputs_v${withActions ? ', r.records' : ''}
       FROM runs r LEFT JOIN payloads pi ON pi.id = r.init_ref LEFT JOIN payloads pr ON pr.id = r.response_ref
         LEFT JOIN payloads po ON po.id = r.outputs_ref
       WHERE r.id = ?`,
      [id],
    );
    if (!r) return undefined;
    const detail: RunDetail = {
      ...toRun(r),
      init: initOf(r, r.init_v),
      response: fromJson(r.response_v),
      outputs: fromJson(r.outputs_v),
    };
    if (withActions && r.records !== null && r.records !== undefined) {
      detail.actions = unpackRecords(id, r.records); // a run has packed records or rows, not both
    } else if (withActions) {
      const rows = await c.all(sql.actions, new Array(sql.idParams.actions).fill(id));
      detail.actions = rows.map(toActionRecord);
    }
    return detail;
  }

  return {
    createRun(run, step = {}) {
      const id = run.id ?? randomUUID();
      const submitted = writer.submit(id, run, step);
      if (run.environmentId !== undefined && run.startTime !== undefined) {
        // Everything is known (the hot path of a trigger call): no read back. The answer is made
        // now, so that neither the step nor the run is held while the write commits (the step's
        // records are most of what a young-generation GC would copy of a run awaiting its commit).
        const u = step.runUpdate ?? {};
        const created: Run & StepResult = {
          id,
          flowId: run.flowId,
          flowVersion: run.flowVersion,
          environmentId: run.environmentId,
          triggerName: run.triggerName,
          status: u.status ?? run.status ?? 'Running',
          startTime: run.startTime,
          endTime: u.endTime ?? null,
          error: u.error ?? null,
          clientTrackingId: run.clientTrackingId ?? null,
          lastSeq: 0,
          seqs: [],
          workIds: [],
        };
        return submitted.then((r) => {
          created.lastSeq = r.seqs.at(-1) ?? 0;
          created.seqs = r.seqs;
          created.workIds = r.workIds;
          return created;
        });
      }
      return submitted.then(async (r) => {
        // Read back: the environment comes from the flow, and the step may have changed the status.
        const [row] = await driver.all(`SELECT ${sql.runColumns} FROM runs WHERE id = ?`, [id]);
        if (!row) throw new StoreError('NotFound', `run ${id} vanished after it was created (pruned?)`, { target: id });
        return { ...toRun(row), seqs: r.seqs, workIds: r.workIds };
      });
    },

    async commitStep(runId, step) {
      const r = await writer.submit(runId, null, step);
      return { seqs: r.seqs, workIds: r.workIds };
    },

    async appendEvents(runId, events) {
      return (await writer.submit(runId, null, { events })).seqs;
    },

    async upsertActionRecords(runId, records) {
      await writer.submit(runId, null, { records });
    },

    async updateRun(runId, update) {
      await writer.submit(runId, null, { runUpdate: update });
    },

    async loadRunHistory(runId) {
      check();
      return readHistory(driver, runId);
    },

    async getRun(id, options = {}) {
      check();
      return readRun(driver, id, options.withActions === true);
    },

    async readRun(id) {
      check();
      // One snapshot: a step that commits between the two reads cannot make them disagree.
      return driver.snapshot(async (c) => {
        const run = await readRun(c, id, false);
        return run && { run, history: await readHistory(c, id) };
      });
    },

    async listRuns(query = {}) {
      check();
      const limit = pageLimit(query.limit, 50);
      const where: string[] = [];
      const params: unknown[] = [];
      let order = 'start_time DESC, id DESC';
      if (query.flowId !== undefined) {
        where.push('flow_id = ?');
        params.push(query.flowId);
      }
      if (query.environmentId !== undefined) {
        where.push('environment_id = ?');
        params.push(query.environmentId);
      }
      if (query.status !== undefined) {
        const statuses = Array.isArray(query.status) ? query.status : [query.status];
        // Unfinished runs are few among millions: the partial indexes find them (UNFINISHED_SQL).
        if (statuses.length > 0 && statuses.every((s) => UNFINISHED_RUN_STATUSES.includes(s))) {
          where.push(`status IN (${UNFINISHED_SQL})`);
          order = '+start_time DESC, id DESC';
        }
        where.push(`status IN (${placeholders(statuses.length)})`);
        params.push(...statuses);
      }
      if (query.from !== undefined) {
        where.push('start_time >= ?');
        params.push(query.from);
      }
      if (query.to !== undefined) {
        where.push('start_time < ?');
        params.push(query.to);
      }
      if (query.cursor !== undefined) {
        const [t, id] = decodeCursor(query.cursor);
        where.push('(start_time < ? OR (start_time = ? AND id < ?))');
        params.push(t, t, id);
      }
      const rows = await driver.all(
        `SELECT ${sql.runColumns} FROM runs${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
         ORDER BY ${order} LIMIT ?`,
        [...params, limit + 1],
      );
      const items = rows.slice(0, limit).map(toRun);
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
    },

    async listUnfinishedRuns(options = {}) {
      check();
      const parked = options.exceptParked ? ' AND parked = 0' : '';
      const rows = await driver.all(
        `SELECT ${sql.runColumns} FROM runs WHERE status IN (${UNFINISHED_SQL})${parked} ORDER BY start_time, id`,
      );
      return rows.map(toRun);
    },

    // ---------------------------------------------------------------- trigger history

    async recordTriggerHistory(entry) {
      check();
      const [row] = await driver.all<{ id: unknown }>(
        `INSERT INTO trigger_history (flow_id, trigger_name, at, status, code, message) VALUES (?, ?, ?, ?, ?, ?)
         RETURNING id`,
        [entry.flowId, entry.triggerName, entry.at, entry.status, entry.code ?? null, entry.message ?? null],
      );
      return n(row?.id);
    },

    async listTriggerHistory(flowId, triggerName, query = {}) {
      check();
      const limit = pageLimit(query.limit, 50);
      const params: unknown[] = [flowId, triggerName.toLowerCase()];
      let where = 'flow_id = ? AND LOWER(trigger_name) = ?';
      if (query.before) {
        where += ' AND (at < ? OR (at = ? AND id < ?))';
        params.push(query.before.at, query.before.at, query.before.id);
      }
      const rows = await driver.all(`SELECT * FROM trigger_history WHERE ${where} ORDER BY at DESC, id DESC LIMIT ?`, [
        ...params,
        limit,
      ]);
      return rows.map(toTriggerHistory);
    },

    // ---------------------------------------------------------------- retention

    async pruneRunsOlderThan(before) {
      check();
      const cutoff = typeof before === 'number' ? before : before.getTime();
      const counts: PruneCounts = {
        runs: 0,
        events: 0,
        actionRecords: 0,
        payloads: 0,
        workItems: 0,
        timers: 0,
        callbacks: 0,
        triggerHistory: 0,
      };
      // In small batches, each its own short transaction, with the freed pages given back and the
      // event loop let go between them: runs executing meanwhile wait for one batch at most.
      for (;;) {
        const deleted = await driver.run(
          `DELETE FROM trigger_history WHERE id IN (SELECT id FROM trigger_history WHERE at < ? LIMIT ${PRUNE_BATCH * 4})`,
          [cutoff],
        );
        counts.triggerHistory += deleted;
        if (deleted === 0) break;
        await pause();
      }
      for (;;) {
        const ids = (
          await driver.all<{ id: string }>(
            `SELECT id FROM runs WHERE start_time < ? AND status NOT IN (${UNFINISHED_SQL}) ORDER BY start_time LIMIT ${PRUNE_BATCH}`,
            [cutoff],
          )
        ).map((r) => r.id);
        if (!ids.length) break;
        const inList = `run_id IN (${placeholders(ids.length)})`;
        await driver.transaction(
          async (c) => {
            // SQLite: the staged rows move first. They are not indexed by run, so deleting a run
            // while they are there checks its foreign keys by scanning them (~1 ms per run at 8,192
            // staged rows); moved, they are deleted by key with the rest of the run's history.
            if (staged(driver)) await mergeRecent(c);
            counts.events += await c.run(`DELETE FROM run_events WHERE ${inList}`, ids);
            counts.actionRecords += await c.run(`DELETE FROM action_records WHERE ${inList}`, ids);
            const packed = await c.all<{ records: unknown }>(
              `SELECT records FROM runs WHERE id IN (${placeholders(ids.length)}) AND records IS NOT NULL`,
              ids,
            );
            for (const r of packed) counts.actionRecords += countPacked(r.records);
            counts.payloads += await c.run(`DELETE FROM payloads WHERE ${inList}`, ids);
            const queued = await deleteQueueRowsOfRuns(c, ids);
            counts.workItems += queued.workItems;
            counts.timers += queued.timers;
            counts.callbacks += queued.callbacks;
            counts.runs += await c.run(`DELETE FROM runs WHERE id IN (${placeholders(ids.length)})`, ids);
          },
          { retryable: false },
        );
        writer.forgetStagedCount(); // the staged rows moved
        await driver.reclaimSpace(RECLAIM_PAGES);
        await pause();
      }
      // What the batches freed beyond their share (SQLite): given back the same way.
      while ((await driver.reclaimSpace(RECLAIM_PAGES)) > 0) await pause();
      return counts;
    },
  };
}
