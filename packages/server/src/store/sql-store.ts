// The Store over a Driver: the SQL of both backends, in one place. Dialect differences are few
// and marked (claim's SKIP LOCKED, the seq bump in step-batch.ts, notifications, leadership).
import { randomBytes, randomUUID } from 'node:crypto';
import type { Conn, Driver, Row } from './driver.js';
import { desktopStore, type DesktopStore } from './desktop.js';
import { StoreError } from './errors.js';
import { DEFAULT_PAYLOAD_THRESHOLD, fromJson, toJson, toJsonOrNull } from './json.js';
import { applyUnits, mergeRecent, prepareUnit, staged } from './step-batch.js';
import type { PreparedUnit, UnitResult } from './step-batch.js';
import { GroupCommitter } from './writer.js';
import type { GroupCommitOptions } from './writer.js';
import {
  DEFAULT_ENVIRONMENT_ID,
  UNFINISHED_RUN_STATUSES,
  type AccessToken,
  type ActionRecordInput,
  type Approval,
  type ApprovalResponse,
  type ApprovalStatus,
  type AuditEntry,
  type Callback,
  type EnqueueItem,
  type Environment,
  type Flow,
  type FlowKind,
  type FlowState,
  type FlowVersion,
  type Json,
  type NewRun,
  type OAuthClient,
  type Page,
  type PruneCounts,
  type RecurrenceState,
  type Run,
  type RunDetail,
  type RunHistory,
  type RunQuery,
  type RunStatus,
  type RunUpdate,
  type StepResult,
  type StepWrite,
  type TriggerHistoryEntry,
  type Store,
  type Timer,
  type User,
  type UserRole,
  type WorkItem,
} from './types.js';

export interface SqlStoreOptions {
  /** The clock for created/updated times and lease expiry (tests move it). */
  now?: () => number;
  /** JSON larger than this many bytes is stored out of line (default 256 KiB). */
  payloadThreshold?: number;
  groupCommit?: GroupCommitOptions;
  /**
   * SQLite: how many staged event and action-record rows (schema.ts, migration 2) the commit that
   * passes it moves to the tables clustered by run (default 8192). Larger moves cost less per row
   * (fewer pages written per row) but stall that one commit longer, and reads scan the staged rows.
   */
  mergeThreshold?: number;
}

/** See SqlStoreOptions.mergeThreshold: ~20-30 ms of work per move on the 2-core VM. */
export const DEFAULT_MERGE_THRESHOLD = 8192;

const n = (v: unknown): number => Number(v);
const nOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const sOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

const UNFINISHED_SQL = UNFINISHED_RUN_STATUSES.map((s) => `'${s}'`).join(', ');
/**
 * The reads of run history. SQLite's newest events, action records and event counts are staged in
 * the *_recent tables until they are moved in bulk (schema.ts, migration 2; step-batch.ts): its
 * reads see both. PostgreSQL writes the clustered tables directly and reads them alone.
 */
function historySql(staged: boolean) {
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
      ? `SELECT COALESCE(a.record, p.data) AS record FROM (
           SELECT path, record, record_ref, start_time FROM action_records
           WHERE run_id = ? AND path NOT IN (SELECT path FROM action_records_recent WHERE run_id = ?)
           UNION ALL
           SELECT path, record, record_ref, start_time FROM action_records_recent
           WHERE id IN (SELECT MAX(id) FROM action_records_recent WHERE run_id = ? GROUP BY path)) a
         LEFT JOIN payloads p ON p.id = a.record_ref ORDER BY COALESCE(a.start_time, '~'), a.path`
      : `SELECT COALESCE(a.record, p.data) AS record FROM action_records a LEFT JOIN payloads p ON p.id = a.record_ref
         WHERE a.run_id = ? ORDER BY COALESCE(a.start_time, '~'), a.path`,
    /** How many times each history statement takes the run id. */
    idParams: staged ? { events: 2, actions: 3 } : { events: 1, actions: 1 },
  };
}

function toRun(r: Row): Run {
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

function toUser(r: Row): User {
  return {
    id: String(r.id),
    email: String(r.email),
    displayName: String(r.display_name),
    role: String(r.role),
    createdAt: n(r.created_at),
    disabled: n(r.disabled) !== 0,
  };
}

function toToken(r: Row): AccessToken {
  return {
    id: String(r.id),
    userId: String(r.user_id),
    hash: String(r.hash),
    name: String(r.name),
    createdAt: n(r.created_at),
    lastUsedAt: nOrNull(r.last_used_at),
  };
}

function toClient(r: Row): OAuthClient {
  return {
    id: String(r.id),
    secretHash: String(r.secret_hash),
    environmentId: String(r.environment_id),
    roles: fromJson(r.roles) as string[],
    createdAt: n(r.created_at),
  };
}

function toFlow(r: Row): Flow {
  return {
    id: String(r.id),
    environmentId: String(r.environment_id),
    name: String(r.name),
    ownerId: sOrNull(r.owner_id),
    state: r.state as FlowState,
    kind: r.kind as FlowKind,
    accessKey: String(r.access_key),
    currentVersion: n(r.current_version),
    createdAt: n(r.created_at),
    updatedAt: n(r.updated_at),
    deletedAt: nOrNull(r.deleted_at),
  };
}

function toVersion(r: Row): FlowVersion {
  return {
    flowId: String(r.flow_id),
    version: n(r.version),
    definition: fromJson(r.definition),
    parameters: fromJson(r.parameters),
    createdAt: n(r.created_at),
    createdBy: sOrNull(r.created_by),
  };
}

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

function toApproval(r: Row): Approval {
  return {
    id: String(r.id),
    runId: sOrNull(r.run_id),
    path: sOrNull(r.path),
    status: String(r.status),
    details: fromJson(r.details),
    createdAt: n(r.created_at),
    completedAt: nOrNull(r.completed_at),
  };
}

function toResponse(r: Row): ApprovalResponse {
  return {
    id: n(r.id),
    approvalId: String(r.approval_id),
    responderId: String(r.responder_id),
    response: String(r.response),
    comments: sOrNull(r.comments),
    at: n(r.at),
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

function placeholders(count: number): string {
  return new Array(count).fill('?').join(', ');
}

export class SqlStore implements Store {
  readonly backend: 'sqlite' | 'postgres';
  readonly desktop: DesktopStore;
  private readonly now: () => number;
  private readonly threshold: number;
  private readonly writer: GroupCommitter<PreparedUnit, UnitResult>;
  private readonly workCallbacks = new Set<() => void>();
  private listenStart: Promise<() => Promise<void>> | null = null;
  private closed = false;
  private readonly mergeThreshold: number;
  private readonly sql: ReturnType<typeof historySql>;
  /** Rows in the *_recent tables (SQLite), counted on first use; null = unknown. */
  private stagedRows: number | null = null;

  constructor(
    private readonly driver: Driver,
    options: SqlStoreOptions = {},
  ) {
    this.backend = driver.dialect;
    this.now = options.now ?? Date.now;
    this.threshold = options.payloadThreshold ?? DEFAULT_PAYLOAD_THRESHOLD;
    this.mergeThreshold = options.mergeThreshold ?? DEFAULT_MERGE_THRESHOLD;
    this.sql = historySql(staged(driver));
    this.writer = new GroupCommitter((units) => this.applyBatch(units), options.groupCommit);
    this.desktop = desktopStore(driver, () => this.check(), this.now);
  }

  /** How group commit has batched so far (for the benchmark and metrics). */
  get groupCommitStats() {
    return { ...this.writer.stats };
  }

  private async applyBatch(units: PreparedUnit[]): Promise<UnitResult[]> {
    const results = await this.driver.transaction(
      async (c) => {
        const r = await applyUnits(this.driver, c, units, this.now());
        await this.mergeWhenDue(c, units);
        return r;
      },
      { retryable: true },
    );
    // PostgreSQL tells every process (this one too) through NOTIFY; SQLite has only this process.
    if (this.driver.dialect === 'sqlite' && units.some((u) => u.enqueue.length)) this.emitWork();
    return results;
  }

  /** SQLite: after units were staged in this transaction, moves the staged rows once there are enough. */
  private async mergeWhenDue(c: Conn, units: PreparedUnit[]): Promise<void> {
    if (!staged(this.driver)) return;
    let rows = 0;
    for (const u of units) rows += u.events.length + u.records.length;
    if (rows === 0) return;
    try {
      if (this.stagedRows === null) {
        const [r] = await c.all<{ n: unknown }>(
          'SELECT (SELECT COUNT(*) FROM run_events_recent) + (SELECT COUNT(*) FROM action_records_recent) AS n',
        );
        this.stagedRows = n(r?.n); // this transaction's rows included
      } else {
        this.stagedRows += rows;
      }
      if (this.stagedRows >= this.mergeThreshold) {
        await mergeRecent(c);
        this.stagedRows = 0;
      }
    } catch (e) {
      this.stagedRows = null; // rolled back: count again next time
      throw e;
    }
  }

  private emitWork(): void {
    for (const cb of this.workCallbacks) {
      try {
        cb();
      } catch {
        // a subscriber's failure is its own
      }
    }
  }

  private check(): void {
    if (this.closed) throw new StoreError('Closed', `${this.driver.place}: the store is closed`);
  }

  private async submit(runId: string | null, create: NewRun | null, step: StepWrite): Promise<UnitResult> {
    this.check();
    return this.writer.submit(prepareUnit(runId, create, step, this.now(), this.threshold));
  }

  // ---------------------------------------------------------------- environments and people

  async listEnvironments(): Promise<Environment[]> {
    const rows = await this.driver.all('SELECT * FROM environments ORDER BY created_at, id');
    return rows.map((r) => ({ id: String(r.id), name: String(r.name), createdAt: n(r.created_at) }));
  }

  async getEnvironment(id: string): Promise<Environment | undefined> {
    const [r] = await this.driver.all('SELECT * FROM environments WHERE id = ?', [id]);
    return r && { id: String(r.id), name: String(r.name), createdAt: n(r.created_at) };
  }

  async createEnvironment(input: { id?: string; name: string }): Promise<Environment> {
    const env = { id: input.id ?? randomUUID(), name: input.name, createdAt: this.now() };
    await this.driver.run('INSERT INTO environments (id, name, created_at) VALUES (?, ?, ?)', [
      env.id,
      env.name,
      env.createdAt,
    ]);
    return env;
  }

  async createUser(input: { id?: string; email: string; displayName: string; role: UserRole }): Promise<User> {
    const user: User = {
      id: input.id ?? randomUUID(),
      email: input.email.trim().toLowerCase(),
      displayName: input.displayName,
      role: input.role,
      createdAt: this.now(),
      disabled: false,
    };
    await this.driver.run(
      'INSERT INTO users (id, email, display_name, role, created_at, disabled) VALUES (?, ?, ?, ?, ?, 0)',
      [user.id, user.email, user.displayName, user.role, user.createdAt],
    );
    return user;
  }

  async getUser(id: string): Promise<User | undefined> {
    const [r] = await this.driver.all('SELECT * FROM users WHERE id = ?', [id]);
    return r && toUser(r);
  }

  async getUserByEmail(email: string): Promise<User | undefined> {
    const [r] = await this.driver.all('SELECT * FROM users WHERE email = ?', [email.trim().toLowerCase()]);
    return r && toUser(r);
  }

  async listUsers(): Promise<User[]> {
    return (await this.driver.all('SELECT * FROM users ORDER BY email')).map(toUser);
  }

  async updateUser(id: string, patch: { displayName?: string; role?: UserRole; disabled?: boolean }): Promise<User> {
    const sets: string[] = [];
    const params: unknown[] = [];
    if (patch.displayName !== undefined) {
      sets.push('display_name = ?');
      params.push(patch.displayName);
    }
    if (patch.role !== undefined) {
      sets.push('role = ?');
      params.push(patch.role);
    }
    if (patch.disabled !== undefined) {
      sets.push('disabled = ?');
      params.push(patch.disabled ? 1 : 0);
    }
    const rows = sets.length
      ? await this.driver.all(`UPDATE users SET ${sets.join(', ')} WHERE id = ? RETURNING *`, [...params, id])
      : await this.driver.all('SELECT * FROM users WHERE id = ?', [id]);
    const [r] = rows;
    if (!r) throw new StoreError('NotFound', `user ${id} does not exist`, { target: id });
    return toUser(r);
  }

  async createAccessToken(input: { id?: string; userId: string; hash: string; name: string }): Promise<AccessToken> {
    const token: AccessToken = {
      id: input.id ?? randomUUID(),
      userId: input.userId,
      hash: input.hash,
      name: input.name,
      createdAt: this.now(),
      lastUsedAt: null,
    };
    await this.driver.run('INSERT INTO access_tokens (id, user_id, hash, name, created_at) VALUES (?, ?, ?, ?, ?)', [
      token.id,
      token.userId,
      token.hash,
      token.name,
      token.createdAt,
    ]);
    return token;
  }

  async findAccessTokenByHash(hash: string): Promise<AccessToken | undefined> {
    const [r] = await this.driver.all('SELECT * FROM access_tokens WHERE hash = ?', [hash]);
    return r && toToken(r);
  }

  async listAccessTokens(userId: string): Promise<AccessToken[]> {
    return (
      await this.driver.all('SELECT * FROM access_tokens WHERE user_id = ? ORDER BY created_at, id', [userId])
    ).map(toToken);
  }

  async touchAccessToken(id: string, at?: number): Promise<void> {
    await this.driver.run('UPDATE access_tokens SET last_used_at = ? WHERE id = ?', [at ?? this.now(), id]);
  }

  async deleteAccessToken(id: string): Promise<boolean> {
    return (await this.driver.run('DELETE FROM access_tokens WHERE id = ?', [id])) > 0;
  }

  async createOAuthClient(input: {
    id?: string;
    secretHash: string;
    environmentId?: string;
    roles: string[];
  }): Promise<OAuthClient> {
    const client: OAuthClient = {
      id: input.id ?? randomUUID(),
      secretHash: input.secretHash,
      environmentId: input.environmentId ?? DEFAULT_ENVIRONMENT_ID,
      roles: [...input.roles],
      createdAt: this.now(),
    };
    await this.driver.run(
      'INSERT INTO oauth_clients (id, secret_hash, environment_id, roles, created_at) VALUES (?, ?, ?, ?, ?)',
      [client.id, client.secretHash, client.environmentId, toJson(client.roles, 'roles'), client.createdAt],
    );
    return client;
  }

  async getOAuthClient(id: string): Promise<OAuthClient | undefined> {
    const [r] = await this.driver.all('SELECT * FROM oauth_clients WHERE id = ?', [id]);
    return r && toClient(r);
  }

  async listOAuthClients(): Promise<OAuthClient[]> {
    return (await this.driver.all('SELECT * FROM oauth_clients ORDER BY created_at, id')).map(toClient);
  }

  async deleteOAuthClient(id: string): Promise<boolean> {
    return (await this.driver.run('DELETE FROM oauth_clients WHERE id = ?', [id])) > 0;
  }

  async appendAudit(entry: {
    at?: number;
    actor: string;
    action: string;
    target: string;
    details?: Json;
  }): Promise<number> {
    const [r] = await this.driver.all(
      'INSERT INTO audit_log (at, actor, action, target, details) VALUES (?, ?, ?, ?, ?) RETURNING id',
      [entry.at ?? this.now(), entry.actor, entry.action, entry.target, toJsonOrNull(entry.details, 'details')],
    );
    return n(r?.id);
  }

  async listAudit(query: { limit?: number; before?: number } = {}): Promise<AuditEntry[]> {
    const limit = Math.min(Math.max(query.limit ?? 100, 1), 1000);
    const rows =
      query.before === undefined
        ? await this.driver.all('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?', [limit])
        : await this.driver.all('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?', [query.before, limit]);
    return rows.map((r) => ({
      id: n(r.id),
      at: n(r.at),
      actor: String(r.actor),
      action: String(r.action),
      target: String(r.target),
      details: fromJson(r.details),
    }));
  }

  async getSetting(key: string): Promise<Json | undefined> {
    const [r] = await this.driver.all('SELECT value FROM settings WHERE key = ?', [key]);
    return r ? fromJson(r.value) : undefined;
  }

  async setSetting(key: string, value: Json): Promise<void> {
    await this.driver.run(
      `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [key, toJson(value, 'value'), this.now()],
    );
  }

  async deleteSetting(key: string): Promise<boolean> {
    return (await this.driver.run('DELETE FROM settings WHERE key = ?', [key])) > 0;
  }

  // ---------------------------------------------------------------- flows

  async createFlow(input: {
    id?: string;
    environmentId?: string;
    name: string;
    ownerId?: string | null;
    state?: FlowState;
    kind?: FlowKind;
    accessKey?: string;
    definition: Json;
    parameters?: Json;
    createdBy?: string | null;
  }): Promise<{ flow: Flow; version: FlowVersion }> {
    const at = this.now();
    const flow: Flow = {
      id: input.id ?? randomUUID(),
      environmentId: input.environmentId ?? DEFAULT_ENVIRONMENT_ID,
      name: input.name,
      ownerId: input.ownerId ?? null,
      state: input.state ?? 'Enabled',
      kind: input.kind ?? 'Stateful',
      accessKey: input.accessKey ?? randomBytes(32).toString('base64url'),
      currentVersion: 1,
      createdAt: at,
      updatedAt: at,
      deletedAt: null,
    };
    const version: FlowVersion = {
      flowId: flow.id,
      version: 1,
      definition: input.definition,
      parameters: input.parameters ?? null,
      createdAt: at,
      createdBy: input.createdBy ?? null,
    };
    const definition = toJson(input.definition, 'definition');
    const parameters = toJsonOrNull(input.parameters, 'parameters');
    await this.driver.transaction(async (c) => {
      await c.run(
        `INSERT INTO flows (id, environment_id, name, owner_id, state, kind, access_key, current_version,
           created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
        [flow.id, flow.environmentId, flow.name, flow.ownerId, flow.state, flow.kind, flow.accessKey, at, at],
      );
      await this.insertVersion(c, flow.id, 1, definition, parameters, at, version.createdBy);
    });
    return { flow, version };
  }

  private async insertVersion(
    c: Conn,
    flowId: string,
    version: number,
    definition: string,
    parameters: string | null,
    at: number,
    createdBy: string | null,
  ): Promise<void> {
    await c.run(
      `INSERT INTO flow_versions (flow_id, version, definition, parameters, created_at, created_by)
       VALUES (?, ?, ?, ?, ?, ?)`,
      [flowId, version, definition, parameters, at, createdBy],
    );
  }

  async saveFlowVersion(
    flowId: string,
    input: { definition: Json; parameters?: Json; createdBy?: string | null; expectedVersion?: number },
  ): Promise<FlowVersion> {
    const definition = toJson(input.definition, 'definition');
    const parameters = toJsonOrNull(input.parameters, 'parameters');
    const at = this.now();
    const version = await this.driver.transaction(async (c) => {
      const guard = input.expectedVersion === undefined ? '' : ' AND current_version = ?';
      const params = input.expectedVersion === undefined ? [at, flowId] : [at, flowId, input.expectedVersion];
      const [r] = await c.all(
        `UPDATE flows SET current_version = current_version + 1, updated_at = ?
         WHERE id = ? AND deleted_at IS NULL${guard} RETURNING current_version`,
        params,
      );
      if (!r) {
        const [f] = await c.all('SELECT current_version FROM flows WHERE id = ? AND deleted_at IS NULL', [flowId]);
        if (!f) throw new StoreError('NotFound', `flow ${flowId} does not exist`, { target: flowId });
        throw new StoreError(
          'Conflict',
          `flow ${flowId} is at version ${n(f.current_version)}, not ${input.expectedVersion}: saved by someone else meanwhile`,
          { target: flowId },
        );
      }
      const v = n(r.current_version);
      await this.insertVersion(c, flowId, v, definition, parameters, at, input.createdBy ?? null);
      return v;
    });
    return {
      flowId,
      version,
      definition: input.definition,
      parameters: input.parameters ?? null,
      createdAt: at,
      createdBy: input.createdBy ?? null,
    };
  }

  async getFlow(id: string, options: { includeDeleted?: boolean } = {}): Promise<Flow | undefined> {
    const [r] = await this.driver.all(
      `SELECT * FROM flows WHERE id = ?${options.includeDeleted ? '' : ' AND deleted_at IS NULL'}`,
      [id],
    );
    return r && toFlow(r);
  }

  async listFlows(query: { environmentId?: string; includeDeleted?: boolean } = {}): Promise<Flow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (!query.includeDeleted) where.push('deleted_at IS NULL');
    if (query.environmentId !== undefined) {
      where.push('environment_id = ?');
      params.push(query.environmentId);
    }
    const rows = await this.driver.all(
      `SELECT * FROM flows${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY name, id`,
      params,
    );
    return rows.map(toFlow);
  }

  async updateFlow(
    id: string,
    patch: { name?: string; state?: FlowState; kind?: FlowKind; accessKey?: string; ownerId?: string | null },
  ): Promise<Flow> {
    const sets: string[] = ['updated_at = ?'];
    const params: unknown[] = [this.now()];
    const columns = { name: 'name', state: 'state', kind: 'kind', accessKey: 'access_key', ownerId: 'owner_id' };
    for (const [key, column] of Object.entries(columns)) {
      const v = patch[key as keyof typeof patch];
      if (v !== undefined) {
        sets.push(`${column} = ?`);
        params.push(v);
      }
    }
    const [r] = await this.driver.all(
      `UPDATE flows SET ${sets.join(', ')} WHERE id = ? AND deleted_at IS NULL RETURNING *`,
      [...params, id],
    );
    if (!r) throw new StoreError('NotFound', `flow ${id} does not exist`, { target: id });
    return toFlow(r);
  }

  async deleteFlow(id: string): Promise<boolean> {
    const at = this.now();
    return (
      (await this.driver.run('UPDATE flows SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL', [
        at,
        at,
        id,
      ])) > 0
    );
  }

  async getFlowVersion(flowId: string, version?: number): Promise<FlowVersion | undefined> {
    const [r] =
      version === undefined
        ? await this.driver.all(
            `SELECT v.* FROM flow_versions v JOIN flows f ON f.id = v.flow_id AND f.current_version = v.version
             WHERE v.flow_id = ?`,
            [flowId],
          )
        : await this.driver.all('SELECT * FROM flow_versions WHERE flow_id = ? AND version = ?', [flowId, version]);
    return r && toVersion(r);
  }

  async listFlowVersions(flowId: string): Promise<FlowVersion[]> {
    return (await this.driver.all('SELECT * FROM flow_versions WHERE flow_id = ? ORDER BY version', [flowId])).map(
      toVersion,
    );
  }

  // ---------------------------------------------------------------- runs

  async createRun(run: NewRun, step: StepWrite = {}): Promise<Run & StepResult> {
    const id = run.id ?? randomUUID();
    const r = await this.submit(id, run, step);
    if (run.environmentId !== undefined && run.startTime !== undefined) {
      // Everything is known (the hot path of a trigger call): no read back.
      const u = step.runUpdate ?? {};
      return {
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
        lastSeq: r.seqs.at(-1) ?? 0,
        seqs: r.seqs,
        workIds: r.workIds,
      };
    }
    // Read back: the environment comes from the flow, and the step may have changed the status.
    const [row] = await this.driver.all(`SELECT ${this.sql.runColumns} FROM runs WHERE id = ?`, [id]);
    if (!row) throw new StoreError('NotFound', `run ${id} vanished after it was created (pruned?)`, { target: id });
    return { ...toRun(row), seqs: r.seqs, workIds: r.workIds };
  }

  async commitStep(runId: string, step: StepWrite): Promise<StepResult> {
    const r = await this.submit(runId, null, step);
    return { seqs: r.seqs, workIds: r.workIds };
  }

  async appendEvents(runId: string, events: Json[]): Promise<number[]> {
    return (await this.submit(runId, null, { events })).seqs;
  }

  async upsertActionRecords(runId: string, records: ActionRecordInput[]): Promise<void> {
    await this.submit(runId, null, { records });
  }

  async updateRun(runId: string, update: RunUpdate): Promise<void> {
    await this.submit(runId, null, { runUpdate: update });
  }

  async loadRunHistory(runId: string): Promise<RunHistory> {
    this.check();
    const [run] = await this.driver.all(
      `SELECT COALESCE(r.init, p.data) AS init, ${this.sql.lastSeq('r')} FROM runs r LEFT JOIN payloads p ON p.id = r.init_ref
       WHERE r.id = ?`,
      [runId],
    );
    if (!run) throw new StoreError('NotFound', `run ${runId} does not exist`, { target: runId });
    const rows = await this.driver.all(this.sql.events, new Array(this.sql.idParams.events).fill(runId));
    return { init: fromJson(run.init), events: rows.map((r) => fromJson(r.event)), lastSeq: n(run.last_seq) };
  }

  async getRun(id: string, options: { withActions?: boolean } = {}): Promise<RunDetail | undefined> {
    this.check();
    const [r] = await this.driver.all(
      `SELECT r.id, r.flow_id, r.flow_version, r.environment_id, r.trigger_name, r.status, r.start_time, r.end_time,
         r.error, r.client_tracking_id, ${this.sql.lastSeq('r')}, COALESCE(r.init, pi.data) AS init_v,
         COALESCE(r.response, pr.data) AS response_v, COALESCE(r.outputs, po.data) AS outputs_v
       FROM runs r LEFT JOIN payloads pi ON pi.id = r.init_ref LEFT JOIN payloads pr ON pr.id = r.response_ref
         LEFT JOIN payloads po ON po.id = r.outputs_ref
       WHERE r.id = ?`,
      [id],
    );
    if (!r) return undefined;
    const detail: RunDetail = {
      ...toRun(r),
      init: fromJson(r.init_v),
      response: fromJson(r.response_v),
      outputs: fromJson(r.outputs_v),
    };
    if (options.withActions) {
      const rows = await this.driver.all(this.sql.actions, new Array(this.sql.idParams.actions).fill(id));
      detail.actions = rows.map((row) => fromJson(row.record) as ActionRecordInput);
    }
    return detail;
  }

  async listRuns(query: RunQuery = {}): Promise<Page<Run>> {
    this.check();
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 1000);
    const where: string[] = [];
    const params: unknown[] = [];
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
    const rows = await this.driver.all(
      `SELECT ${this.sql.runColumns} FROM runs${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
       ORDER BY start_time DESC, id DESC LIMIT ?`,
      [...params, limit + 1],
    );
    const items = rows.slice(0, limit).map(toRun);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  async listUnfinishedRuns(): Promise<Run[]> {
    this.check();
    const rows = await this.driver.all(
      `SELECT ${this.sql.runColumns} FROM runs WHERE status IN (${UNFINISHED_SQL}) ORDER BY start_time, id`,
    );
    return rows.map(toRun);
  }

  async countUnfinishedRuns(flowId: string): Promise<{ queued: number; active: number }> {
    this.check();
    const rows = await this.driver.all<{ status: string; n: unknown }>(
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

  async queueRun(run: NewRun, capacity: number): Promise<boolean> {
    this.check();
    const id = run.id ?? randomUUID();
    const unit = prepareUnit(id, { ...run, id, status: 'Queued' }, {}, this.now(), this.threshold);
    return this.driver.transaction(
      async (c) => {
        // The same per-flow turn as admitQueuedRuns: the count and the insert see no one in between.
        if (this.driver.dialect === 'postgres')
          await c.all('SELECT id FROM flows WHERE id = ? FOR UPDATE', [run.flowId]);
        const [row] = await c.all<{ n: unknown }>(
          `SELECT COUNT(*) AS n FROM runs WHERE status IN (${UNFINISHED_SQL}) AND flow_id = ?`,
          [run.flowId],
        );
        if (n(row?.n) >= capacity) return false;
        await applyUnits(this.driver, c, [unit], this.now());
        return true;
      },
      { retryable: true },
    );
  }

  async admitQueuedRuns(
    flowId: string,
    limit: number,
    ownership?: { workerId: string; leaseMs: number; item: (runId: string) => { id: string; kind: string } },
  ): Promise<string[]> {
    this.check();
    const now = this.now();
    return this.driver.transaction(
      async (c) => {
        // PostgreSQL: the flow's row lock makes admissions for one flow take turns across processes
        // (SQLite's write transaction already excludes every other writer).
        if (this.driver.dialect === 'postgres') await c.all('SELECT id FROM flows WHERE id = ? FOR UPDATE', [flowId]);
        const counts = await c.all<{ status: string; n: unknown }>(
          `SELECT status, COUNT(*) AS n FROM runs WHERE status IN (${UNFINISHED_SQL}) AND flow_id = ? GROUP BY status`,
          [flowId],
        );
        const active = counts.filter((r) => r.status !== 'Queued').reduce((sum, r) => sum + n(r.n), 0);
        const room = limit - active;
        if (room <= 0) return [];
        const rows = await c.all<{ id: string }>(
          `SELECT id FROM runs WHERE flow_id = ? AND status = 'Queued' ORDER BY start_time, id LIMIT ?`,
          [flowId, room],
        );
        const ids = rows.map((r) => r.id);
        if (ids.length === 0) return [];
        await c.run(`UPDATE runs SET status = 'Running' WHERE id IN (${placeholders(ids.length)})`, ids);
        if (ownership) {
          for (const id of ids) {
            const item = ownership.item(id);
            await c.run(
              `INSERT INTO work_items (id, run_id, kind, payload, available_at, attempts, lease_owner, lease_expires_at)
               VALUES (?, ?, ?, NULL, ?, 1, ?, ?)
               ON CONFLICT (id) DO UPDATE SET lease_owner = excluded.lease_owner,
                 lease_expires_at = excluded.lease_expires_at`,
              [item.id, id, item.kind, now, ownership.workerId, now + ownership.leaseMs],
            );
          }
        }
        return ids;
      },
      { retryable: true },
    );
  }

  async cancelQueuedRun(runId: string, at?: number): Promise<boolean> {
    this.check();
    return (
      (await this.driver.run(`UPDATE runs SET status = 'Cancelled', end_time = ? WHERE id = ? AND status = 'Queued'`, [
        at ?? this.now(),
        runId,
      ])) > 0
    );
  }

  async recordTriggerHistory(entry: {
    flowId: string;
    triggerName: string;
    at: number;
    status: TriggerHistoryEntry['status'];
    code?: string | null;
    message?: string | null;
  }): Promise<number> {
    this.check();
    const [row] = await this.driver.all<{ id: unknown }>(
      `INSERT INTO trigger_history (flow_id, trigger_name, at, status, code, message) VALUES (?, ?, ?, ?, ?, ?)
       RETURNING id`,
      [entry.flowId, entry.triggerName, entry.at, entry.status, entry.code ?? null, entry.message ?? null],
    );
    return n(row?.id);
  }

  async listTriggerHistory(
    flowId: string,
    triggerName: string,
    query: { limit?: number; before?: { at: number; id: number } } = {},
  ): Promise<TriggerHistoryEntry[]> {
    this.check();
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 1000);
    const params: unknown[] = [flowId, triggerName.toLowerCase()];
    let where = 'flow_id = ? AND LOWER(trigger_name) = ?';
    if (query.before) {
      where += ' AND (at < ? OR (at = ? AND id < ?))';
      params.push(query.before.at, query.before.at, query.before.id);
    }
    const rows = await this.driver.all(
      `SELECT * FROM trigger_history WHERE ${where} ORDER BY at DESC, id DESC LIMIT ?`,
      [...params, limit],
    );
    return rows.map((r) => ({
      id: n(r.id),
      flowId: String(r.flow_id),
      triggerName: String(r.trigger_name),
      at: n(r.at),
      status: String(r.status) as TriggerHistoryEntry['status'],
      code: sOrNull(r.code),
      message: sOrNull(r.message),
    }));
  }

  async pruneRunsOlderThan(before: number | Date): Promise<PruneCounts> {
    this.check();
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
    counts.triggerHistory = await this.driver.run('DELETE FROM trigger_history WHERE at < ?', [cutoff]);
    // In slices, so a large backlog never holds the write lock for long.
    for (;;) {
      const ids = (
        await this.driver.all<{ id: string }>(
          `SELECT id FROM runs WHERE start_time < ? AND status NOT IN (${UNFINISHED_SQL}) ORDER BY start_time LIMIT 500`,
          [cutoff],
        )
      ).map((r) => r.id);
      if (!ids.length) return counts;
      const inList = `run_id IN (${placeholders(ids.length)})`;
      await this.driver.transaction(
        async (c) => {
          counts.events += await c.run(`DELETE FROM run_events WHERE ${inList}`, ids);
          counts.actionRecords += await c.run(`DELETE FROM action_records WHERE ${inList}`, ids);
          if (staged(this.driver)) {
            counts.events += await c.run(`DELETE FROM run_events_recent WHERE ${inList}`, ids);
            counts.actionRecords += await c.run(`DELETE FROM action_records_recent WHERE ${inList}`, ids);
            await c.run(`DELETE FROM run_seqs_recent WHERE ${inList}`, ids);
          }
          counts.payloads += await c.run(`DELETE FROM payloads WHERE ${inList}`, ids);
          counts.workItems += await c.run(`DELETE FROM work_items WHERE ${inList}`, ids);
          counts.timers += await c.run(`DELETE FROM timers WHERE ${inList}`, ids);
          counts.callbacks += await c.run(`DELETE FROM callbacks WHERE ${inList}`, ids);
          counts.runs += await c.run(`DELETE FROM runs WHERE id IN (${placeholders(ids.length)})`, ids);
        },
        { retryable: false },
      );
      this.stagedRows = null; // some staged rows went with their runs
    }
  }

  // ---------------------------------------------------------------- work queue

  async enqueue(items: EnqueueItem[]): Promise<string[]> {
    return (await this.submit(null, null, { enqueue: items })).workIds;
  }

  async claim(workerId: string, limit: number, leaseMs: number): Promise<WorkItem[]> {
    this.check();
    const now = this.now();
    // PostgreSQL: rows another worker is claiming right now are skipped, not waited for.
    const lock = this.driver.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
    const rows = await this.driver.all(
      `UPDATE work_items SET lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1
       WHERE id IN (
         SELECT id FROM work_items
         WHERE available_at <= ? AND (lease_expires_at IS NULL OR lease_expires_at <= ?)
         ORDER BY available_at, id LIMIT ?${lock})
       RETURNING *`,
      [workerId, now + leaseMs, now, now, Math.max(0, limit)],
    );
    return rows.map(toWorkItem).sort((a, b) => a.availableAt - b.availableAt || (a.id < b.id ? -1 : 1));
  }

  async complete(id: string): Promise<boolean> {
    return (await this.submit(null, null, { completeWork: [id] })).completed > 0;
  }

  async release(id: string, workerId: string, delayMs = 0): Promise<boolean> {
    this.check();
    return (
      (await this.driver.run(
        `UPDATE work_items SET lease_owner = NULL, lease_expires_at = NULL, available_at = ?
         WHERE id = ? AND lease_owner = ?`,
        [this.now() + delayMs, id, workerId],
      )) > 0
    );
  }

  async extendLease(id: string, workerId: string, leaseMs: number): Promise<boolean> {
    this.check();
    const now = this.now();
    // Only a lease that is still held: once expired, another worker may already have the item.
    return (
      (await this.driver.run(
        'UPDATE work_items SET lease_expires_at = ? WHERE id = ? AND lease_owner = ? AND lease_expires_at > ?',
        [now + leaseMs, id, workerId, now],
      )) > 0
    );
  }

  async acquireLease(
    id: string,
    workerId: string,
    leaseMs: number,
    item: { runId?: string | null; kind: string; payload?: Json },
  ): Promise<boolean> {
    this.check();
    const now = this.now();
    // One statement: on PostgreSQL the upsert locks the row, so two racing workers get one true.
    const rows = await this.driver.all(
      `INSERT INTO work_items (id, run_id, kind, payload, available_at, attempts, lease_owner, lease_expires_at)
       VALUES (?, ?, ?, ?, ?, 1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET lease_owner = excluded.lease_owner,
         lease_expires_at = excluded.lease_expires_at, attempts = work_items.attempts + 1
       WHERE work_items.lease_owner IS NULL OR work_items.lease_owner = excluded.lease_owner
         OR work_items.lease_expires_at IS NULL OR work_items.lease_expires_at <= ?
       RETURNING id`,
      [id, item.runId ?? null, item.kind, toJsonOrNull(item.payload, 'payload'), now, workerId, now + leaseMs, now],
    );
    return rows.length > 0;
  }

  onWork(callback: () => void): () => void {
    this.check();
    this.workCallbacks.add(callback);
    if (this.driver.dialect === 'postgres' && !this.listenStart) {
      const start = this.driver.listenWork(() => this.emitWork());
      this.listenStart = start;
      start.catch(() => {
        // The listener could not start: workers still poll; the next onWork tries again.
        if (this.listenStart === start) this.listenStart = null;
      });
    }
    return () => {
      this.workCallbacks.delete(callback);
    };
  }

  /** Resolves once this process receives other processes' work notifications (PostgreSQL; tests). */
  async whenListening(): Promise<void> {
    await this.listenStart;
  }

  // ---------------------------------------------------------------- timers, callbacks, recurrence

  async dueTimers(now: number, limit: number): Promise<Timer[]> {
    this.check();
    const rows = await this.driver.all(
      'SELECT run_id, key, due_at, fired FROM timers WHERE fired = 0 AND due_at <= ? ORDER BY due_at, run_id, key LIMIT ?',
      [now, limit],
    );
    return rows.map((r) => ({
      runId: String(r.run_id),
      key: String(r.key),
      dueAt: n(r.due_at),
      fired: n(r.fired) !== 0,
    }));
  }

  async markFired(runId: string, key: string): Promise<boolean> {
    this.check();
    return (
      (await this.driver.run('UPDATE timers SET fired = 1 WHERE run_id = ? AND key = ? AND fired = 0', [runId, key])) >
      0
    );
  }

  async getCallback(key: string): Promise<Callback | undefined> {
    this.check();
    const [r] = await this.driver.all('SELECT * FROM callbacks WHERE key = ?', [key]);
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
  }

  async resolveCallback(key: string, payload: Json, then?: StepWrite): Promise<boolean> {
    this.check();
    const text = toJson(payload, 'payload');
    const now = this.now();
    let enqueued = false;
    const resolved = await this.driver.transaction(
      async (c) => {
        const rows = await c.all<{ run_id: string }>(
          'UPDATE callbacks SET resolved_at = ?, payload = ? WHERE key = ? AND resolved_at IS NULL RETURNING run_id',
          [now, text, key],
        );
        const runId = rows[0]?.run_id;
        if (runId === undefined) return false;
        if (then) {
          const unit = prepareUnit(runId, null, then, now, this.threshold);
          await applyUnits(this.driver, c, [unit], now);
          await this.mergeWhenDue(c, [unit]);
          enqueued = unit.enqueue.length > 0;
        }
        return true;
      },
      { retryable: true },
    );
    if (enqueued && this.driver.dialect === 'sqlite') this.emitWork();
    return resolved;
  }

  async getRecurrence(flowId: string, triggerName: string): Promise<RecurrenceState | undefined> {
    this.check();
    const [r] = await this.driver.all('SELECT * FROM recurrences WHERE flow_id = ? AND trigger_name = ?', [
      flowId,
      triggerName,
    ]);
    return r && toRecurrence(r);
  }

  async casRecurrence(
    flowId: string,
    triggerName: string,
    expectedLast: number | undefined,
    next: { lastScheduledTime: number; nextTime: number | null },
  ): Promise<boolean> {
    this.check();
    const now = this.now();
    if (expectedLast === undefined) {
      return (
        (await this.driver.run(
          `INSERT INTO recurrences (flow_id, trigger_name, last_scheduled_time, next_time, updated_at)
           VALUES (?, ?, ?, ?, ?) ON CONFLICT (flow_id, trigger_name) DO NOTHING`,
          [flowId, triggerName, next.lastScheduledTime, next.nextTime, now],
        )) > 0
      );
    }
    return (
      (await this.driver.run(
        `UPDATE recurrences SET last_scheduled_time = ?, next_time = ?, updated_at = ?
         WHERE flow_id = ? AND trigger_name = ? AND last_scheduled_time = ?`,
        [next.lastScheduledTime, next.nextTime, now, flowId, triggerName, expectedLast],
      )) > 0
    );
  }

  // ---------------------------------------------------------------- approvals

  async createApproval(input: {
    id?: string;
    runId?: string | null;
    path?: string | null;
    details?: Json;
  }): Promise<Approval> {
    this.check();
    const approval: Approval = {
      id: input.id ?? randomUUID(),
      runId: input.runId ?? null,
      path: input.path ?? null,
      status: 'Pending',
      details: input.details ?? null,
      createdAt: this.now(),
      completedAt: null,
    };
    await this.driver.run(
      'INSERT INTO approvals (id, run_id, path, status, details, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      [
        approval.id,
        approval.runId,
        approval.path,
        approval.status,
        toJsonOrNull(input.details, 'details'),
        approval.createdAt,
      ],
    );
    return approval;
  }

  async getApproval(id: string): Promise<(Approval & { responses: ApprovalResponse[] }) | undefined> {
    this.check();
    const [r] = await this.driver.all('SELECT * FROM approvals WHERE id = ?', [id]);
    if (!r) return undefined;
    const responses = await this.driver.all('SELECT * FROM approval_responses WHERE approval_id = ? ORDER BY id', [id]);
    return { ...toApproval(r), responses: responses.map(toResponse) };
  }

  async listApprovalResponses(approvalIds: string[]): Promise<ApprovalResponse[]> {
    this.check();
    const out: ApprovalResponse[] = [];
    // In slices: one statement per 500 approvals, not one per approval.
    for (let i = 0; i < approvalIds.length; i += 500) {
      const ids = approvalIds.slice(i, i + 500);
      const rows = await this.driver.all(
        `SELECT * FROM approval_responses WHERE approval_id IN (${placeholders(ids.length)}) ORDER BY id`,
        ids,
      );
      out.push(...rows.map(toResponse));
    }
    return out;
  }

  async listApprovals(query: { status?: ApprovalStatus; runId?: string } = {}): Promise<Approval[]> {
    this.check();
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.status !== undefined) {
      where.push('status = ?');
      params.push(query.status);
    }
    if (query.runId !== undefined) {
      where.push('run_id = ?');
      params.push(query.runId);
    }
    const rows = await this.driver.all(
      `SELECT * FROM approvals${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id`,
      params,
    );
    return rows.map(toApproval);
  }

  async addApprovalResponse(
    approvalId: string,
    input: { responderId: string; response: string; comments?: string | null; at?: number; afterEnd?: boolean },
  ): Promise<ApprovalResponse> {
    this.check();
    const at = input.at ?? this.now();
    return this.driver.transaction(async (c) => {
      const lock = this.driver.dialect === 'postgres' ? ' FOR SHARE' : '';
      const [a] = await c.all(`SELECT status FROM approvals WHERE id = ?${lock}`, [approvalId]);
      if (!a) throw new StoreError('NotFound', `approval ${approvalId} does not exist`, { target: approvalId });
      if (a.status !== 'Pending' && !input.afterEnd) {
        throw new StoreError('Conflict', `approval ${approvalId} is ${String(a.status)}, no longer Pending`, {
          target: approvalId,
        });
      }
      const [r] = await c.all(
        `INSERT INTO approval_responses (approval_id, responder_id, response, comments, at) VALUES (?, ?, ?, ?, ?)
         RETURNING *`,
        [approvalId, input.responderId, input.response, input.comments ?? null, at],
      );
      if (!r) throw new StoreError('Internal', 'insert returned no row');
      return toResponse(r);
    });
  }

  async completeApproval(id: string, status: ApprovalStatus, details?: Json): Promise<boolean> {
    this.check();
    const sets = details === undefined ? '' : ', details = ?';
    const params = details === undefined ? [] : [toJson(details, 'details')];
    return (
      (await this.driver.run(
        `UPDATE approvals SET status = ?, completed_at = ?${sets} WHERE id = ? AND status = 'Pending'`,
        [status, this.now(), ...params, id],
      )) > 0
    );
  }

  // ---------------------------------------------------------------- leadership, lifecycle

  tryAcquireLeadership(name: string): Promise<boolean> {
    this.check();
    return this.driver.tryAcquireLeadership(name);
  }

  releaseLeadership(name: string): Promise<void> {
    return this.driver.releaseLeadership(name);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writer.close(); // what callers were promised is committed before the connection goes
    this.workCallbacks.clear();
    if (this.listenStart) await this.listenStart.then((stop) => stop()).catch(() => {});
    await this.driver.close();
  }
}
