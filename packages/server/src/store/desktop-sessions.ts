// Desktop-flow sessions in the store (schema.ts, migration 4): the queue of each machine group and
// the compare-and-set moves between statuses. `status` holds the Dataverse flowsession statuscode;
// every move names the statuses it may leave, so two processes (or a sweep and an agent) racing
// over one session store exactly one outcome.
import type { Driver, Row } from './driver.js';
import { fromJson, toJson, toJsonOrNull } from './json.js';
import { n, nOrNull, placeholders, sOrNull } from './rows.js';

/** Status codes the store itself needs (desktop/status.ts has the full table). */
const WAITING = 3;
const RUNNING = 2;

export type CallbackState = 'pending' | 'delivered' | 'failed';

export interface DesktopSession {
  id: string;
  environmentId: string;
  flowId: string;
  flowVersion: number;
  groupId: string;
  /** The one machine the session must run on, when the caller named one. */
  targetMachineId: string | null;
  /** The machine that took it (set while Waiting means offered, not yet started). */
  machineId: string | null;
  /** 1 attended, 2 unattended (flowsession.runmode). */
  runMode: 1 | 2;
  /** Higher runs first. */
  priority: number;
  status: number;
  triggerType: number;
  connectionName: string | null;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown> | null;
  errorCode: string | null;
  errorMessage: string | null;
  timeoutSeconds: number;
  deadlineAt: number;
  callbackUrl: string | null;
  callbackState: CallbackState | null;
  /** The cloud-flow run waiting for it, and the timer key that wakes that run. */
  runId: string | null;
  waiterKey: string | null;
  createdBy: string | null;
  cancelRequested: boolean;
  createdAt: number;
  assignedAt: number | null;
  startedAt: number | null;
  completedAt: number | null;
  rowVersion: number;
}

export type NewDesktopSession = Pick<
  DesktopSession,
  | 'id'
  | 'environmentId'
  | 'flowId'
  | 'flowVersion'
  | 'groupId'
  | 'targetMachineId'
  | 'runMode'
  | 'priority'
  | 'triggerType'
  | 'connectionName'
  | 'inputs'
  | 'timeoutSeconds'
  | 'callbackUrl'
  | 'runId'
  | 'createdBy'
>;

export interface SessionEnd {
  status: number;
  /** The statuses it may leave (e.g. [2, 3]). */
  from: readonly number[];
  outputs?: Record<string, unknown> | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  completedAt: number;
  /** Only when this machine holds it. */
  machineId?: string;
}

export interface SessionQuery {
  environmentIds?: readonly string[];
  flowId?: string;
  runId?: string;
  limit?: number;
}

export interface DesktopSessionStore {
  createSession(input: NewDesktopSession): Promise<DesktopSession>;
  getSession(id: string): Promise<DesktopSession | undefined>;
  /** Newest first. */
  listSessions(query?: SessionQuery): Promise<DesktopSession[]>;
  /**
   * Gives the machine the next session of its group it may run: Waiting, not taken, for it or for
   * any machine of the group, unattended unless the machine is attended-capable; highest priority
   * first, then oldest. The session stays Waiting until the machine starts it.
   */
  claimSession(
    machine: { id: string; groupId: string; attended: boolean },
    at: number,
  ): Promise<DesktopSession | undefined>;
  /** The sessions a machine holds (offered or running). */
  machineSessions(machineId: string): Promise<DesktopSession[]>;
  /** Waiting → Running for the machine it was offered to (undefined when cancelled or taken back). */
  startSession(id: string, machineId: string, at: number): Promise<DesktopSession | undefined>;
  /** An offered session back to the queue (the machine never started it). */
  releaseSession(id: string, machineId: string): Promise<boolean>;
  /** Ends the session once: the updated session for the one caller that moved it, else undefined. */
  finishSession(id: string, end: SessionEnd): Promise<DesktopSession | undefined>;
  /** Marks a Running session for cancellation (its machine kills it); false when not Running. */
  requestCancel(id: string): Promise<boolean>;
  setSessionWaiter(id: string, runId: string, waiterKey: string): Promise<void>;
  setCallbackState(id: string, state: CallbackState): Promise<void>;
  /** Running or offered sessions whose machine was last seen before `seenBefore` or was removed. */
  sessionsOfLostMachines(seenBefore: number): Promise<DesktopSession[]>;
  /** Waiting sessions past their deadline, and Running ones past `runningBefore`'s deadline. */
  expiredSessions(waitingBefore: number, runningBefore: number): Promise<DesktopSession[]>;
  /** Ended sessions whose completion callback is still to be delivered, ended after `since`. */
  pendingCallbacks(since: number): Promise<DesktopSession[]>;
  /** Appends to the session's log; false (nothing written) once it holds `maxChars`. */
  appendSessionLog(id: string, text: string, at: number, maxChars: number): Promise<boolean>;
  readSessionLog(id: string): Promise<Array<{ at: number; text: string }>>;
}

const objectOrNull = (v: unknown): Record<string, unknown> | null => {
  const parsed = fromJson(v);
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
};
const list = (values: readonly unknown[]): string => placeholders(values.length);

function toSession(r: Row): DesktopSession {
  return {
    id: String(r.id),
    environmentId: String(r.environment_id),
    flowId: String(r.flow_id),
    flowVersion: n(r.flow_version),
    groupId: String(r.group_id),
    targetMachineId: sOrNull(r.target_machine_id),
    machineId: sOrNull(r.machine_id),
    runMode: n(r.run_mode) === 1 ? 1 : 2,
    priority: n(r.priority),
    status: n(r.status),
    triggerType: n(r.trigger_type),
    connectionName: sOrNull(r.connection_name),
    inputs: objectOrNull(r.inputs) ?? {},
    outputs: objectOrNull(r.outputs),
    errorCode: sOrNull(r.error_code),
    errorMessage: sOrNull(r.error_message),
    timeoutSeconds: n(r.timeout_s),
    deadlineAt: n(r.deadline_at),
    callbackUrl: sOrNull(r.callback_url),
    callbackState: sOrNull(r.callback_state) as CallbackState | null,
    runId: sOrNull(r.run_id),
    waiterKey: sOrNull(r.waiter_key),
    createdBy: sOrNull(r.created_by),
    cancelRequested: n(r.cancel_requested) !== 0,
    createdAt: n(r.created_at),
    assignedAt: nOrNull(r.assigned_at),
    startedAt: nOrNull(r.started_at),
    completedAt: nOrNull(r.completed_at),
    rowVersion: n(r.row_version),
  };
}

export function sessionQueries(driver: Driver, check: () => void, now: () => number): DesktopSessionStore {
  const all = (sql: string, params: readonly unknown[] = []): Promise<Row[]> => {
    check();
    return driver.all(sql, params);
  };
  const run = (sql: string, params: readonly unknown[] = []): Promise<number> => {
    check();
    return driver.run(sql, params);
  };
  const one = async (sql: string, params: readonly unknown[]): Promise<DesktopSession | undefined> => {
    const [r] = await all(sql, params);
    return r ? toSession(r) : undefined;
  };

  return {
    async createSession(input) {
      const at = now();
      const row = {
        id: input.id,
        environment_id: input.environmentId,
        flow_id: input.flowId,
        flow_version: input.flowVersion,
        group_id: input.groupId,
        target_machine_id: input.targetMachineId,
        run_mode: input.runMode,
        priority: input.priority,
        status: WAITING,
        trigger_type: input.triggerType,
        connection_name: input.connectionName,
        inputs: toJson(input.inputs, 'inputs'),
        timeout_s: input.timeoutSeconds,
        deadline_at: at + input.timeoutSeconds * 1000,
        callback_url: input.callbackUrl,
        run_id: input.runId,
        created_by: input.createdBy,
        cancel_requested: 0,
        created_at: at,
        row_version: 1,
      };
      const columns = Object.keys(row);
      await run(`INSERT INTO desktop_sessions (${columns.join(', ')}) VALUES (${list(columns)})`, Object.values(row));
      return toSession(row);
    },
    getSession: (id) => one('SELECT * FROM desktop_sessions WHERE id = ?', [id]),
    async listSessions(query = {}) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (query.environmentIds) {
        if (query.environmentIds.length === 0) return [];
        where.push(`environment_id IN (${list(query.environmentIds)})`);
        params.push(...query.environmentIds);
      }
      if (query.flowId !== undefined) {
        where.push('flow_id = ?');
        params.push(query.flowId);
      }
      if (query.runId !== undefined) {
        where.push('run_id = ?');
        params.push(query.runId);
      }
      const rows = await all(
        `SELECT * FROM desktop_sessions${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
         ORDER BY created_at DESC, id DESC LIMIT ?`,
        [...params, Math.max(1, Math.min(query.limit ?? 100, 1000))],
      );
      return rows.map(toSession);
    },
    async claimSession(machine, at) {
      check();
      // PostgreSQL: a row another process is claiming right now is skipped, not waited for.
      const lock = driver.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
      return driver.transaction(
        async (c) => {
          const [candidate] = await c.all(
            `SELECT id FROM desktop_sessions
             WHERE group_id = ? AND status = ${WAITING} AND machine_id IS NULL AND cancel_requested = 0
               AND (target_machine_id IS NULL OR target_machine_id = ?) AND (run_mode = 2 OR ? = 1)
             ORDER BY priority DESC, created_at, id LIMIT 1${lock}`,
            [machine.groupId, machine.id, machine.attended ? 1 : 0],
          );
          if (!candidate) return undefined;
          const [r] = await c.all(
            `UPDATE desktop_sessions SET machine_id = ?, assigned_at = ?, row_version = row_version + 1
             WHERE id = ? AND machine_id IS NULL AND status = ${WAITING} RETURNING *`,
            [machine.id, at, candidate.id],
          );
          return r ? toSession(r) : undefined;
        },
        { retryable: true },
      );
    },
    async machineSessions(machineId) {
      const rows = await all(
        `SELECT * FROM desktop_sessions WHERE machine_id = ? AND status IN (${WAITING}, ${RUNNING}) ORDER BY created_at`,
        [machineId],
      );
      return rows.map(toSession);
    },
    startSession: (id, machineId, at) =>
      one(
        `UPDATE desktop_sessions SET status = ${RUNNING}, started_at = ?, row_version = row_version + 1
         WHERE id = ? AND machine_id = ? AND status = ${WAITING} AND cancel_requested = 0 RETURNING *`,
        [at, id, machineId],
      ),
    async releaseSession(id, machineId) {
      const changed = await run(
        `UPDATE desktop_sessions SET machine_id = NULL, assigned_at = NULL, row_version = row_version + 1
         WHERE id = ? AND machine_id = ? AND status = ${WAITING}`,
        [id, machineId],
      );
      return changed > 0;
    },
    finishSession(id, end) {
      const params: unknown[] = [
        end.status,
        toJsonOrNull(end.outputs, 'outputs'),
        end.errorCode ?? null,
        end.errorMessage ?? null,
        end.completedAt,
        id,
        ...end.from,
      ];
      if (end.machineId !== undefined) params.push(end.machineId);
      return one(
        `UPDATE desktop_sessions SET status = ?, outputs = ?, error_code = ?, error_message = ?, completed_at = ?,
           callback_state = CASE WHEN callback_url IS NULL THEN NULL ELSE 'pending' END, row_version = row_version + 1
         WHERE id = ? AND status IN (${list(end.from)})${end.machineId !== undefined ? ' AND machine_id = ?' : ''}
         RETURNING *`,
        params,
      );
    },
    async requestCancel(id) {
      const changed = await run(
        `UPDATE desktop_sessions SET cancel_requested = 1, row_version = row_version + 1
         WHERE id = ? AND status = ${RUNNING} AND cancel_requested = 0`,
        [id],
      );
      return changed > 0;
    },
    async setSessionWaiter(id, runId, waiterKey) {
      await run('UPDATE desktop_sessions SET run_id = ?, waiter_key = ? WHERE id = ?', [runId, waiterKey, id]);
    },
    async setCallbackState(id, state) {
      await run('UPDATE desktop_sessions SET callback_state = ? WHERE id = ?', [state, id]);
    },
    async sessionsOfLostMachines(seenBefore) {
      const rows = await all(
        `SELECT s.* FROM desktop_sessions s JOIN machines m ON m.id = s.machine_id
         WHERE s.status IN (${WAITING}, ${RUNNING}) AND (m.last_seen_at < ? OR m.removed_at IS NOT NULL)`,
        [seenBefore],
      );
      return rows.map(toSession);
    },
    async expiredSessions(waitingBefore, runningBefore) {
      const rows = await all(
        `SELECT * FROM desktop_sessions
         WHERE (status = ${WAITING} AND deadline_at <= ?) OR (status = ${RUNNING} AND deadline_at <= ?)`,
        [waitingBefore, runningBefore],
      );
      return rows.map(toSession);
    },
    async pendingCallbacks(since) {
      const rows = await all(
        `SELECT * FROM desktop_sessions WHERE callback_state = 'pending' AND completed_at >= ? ORDER BY completed_at`,
        [since],
      );
      return rows.map(toSession);
    },
    async appendSessionLog(id, text, at, maxChars) {
      const [r] = await all(
        'SELECT COALESCE(SUM(LENGTH(text)), 0) AS size FROM desktop_session_logs WHERE session_id = ?',
        [id],
      );
      const size = n(r?.size ?? 0);
      if (size >= maxChars) return false;
      const kept = text.length > maxChars - size ? `${text.slice(0, maxChars - size)}\n[log truncated]\n` : text;
      await run('INSERT INTO desktop_session_logs (session_id, at, text) VALUES (?, ?, ?)', [id, at, kept]);
      return true;
    },
    async readSessionLog(id) {
      const rows = await all('SELECT at, text FROM desktop_session_logs WHERE session_id = ? ORDER BY id', [id]);
      return rows.map((r) => ({ at: n(r.at), text: String(r.text) }));
    },
  };
}
