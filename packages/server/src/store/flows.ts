// The flows aggregate over the driver: environments, flows and their immutable versions.
import { randomBytes, randomUUID } from 'node:crypto';
import type { StoreContext } from './context.js';
import type { Conn, Driver, Row } from './driver.js';
import { StoreError } from './errors.js';
import { fromJson, toJson, toJsonOrNull } from './json.js';
import { n, nOrNull, placeholders, sOrNull } from './rows.js';
import { DEFAULT_ENVIRONMENT_ID } from './flow-types.js';
import type { Environment, EnvironmentStore, Flow, FlowKind, FlowState, FlowStore, FlowVersion } from './flow-types.js';

function toEnvironment(r: Row): Environment {
  return { id: String(r.id), name: String(r.name), createdAt: n(r.created_at) };
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

/**
 * For a statement that writes another aggregate's row from a flow version (a new run takes its
 * flow's environment): `SELECT <head> <flow id>, <version>, <environment id> <tail>` from the
 * flow version; no row when the flow or the version does not exist. Parameters: head's, tail's,
 * then the version and the flow id.
 */
export function selectFromFlowVersion(head: string, tail: string): string {
  return `SELECT ${head} f.id, v.version, f.environment_id, ${tail}
       FROM flows f JOIN flow_versions v ON v.flow_id = f.id AND v.version = ? WHERE f.id = ?`;
}

/** Flow versions looked up per statement: two IN lists of at most this many values each. */
const LOOKUP_CHUNK = 400;

/** The key of a flow version in flowEnvironments' answer. */
export const flowVersionKey = (flowId: string, version: unknown): string => `${flowId}\u0000${Number(version)}`;

/** Flow versions whose environments one cache keeps at most (then it starts over). */
const KNOWN_VERSIONS = 10_000;

/**
 * For writes of another aggregate's rows that start from flow versions (new runs take their
 * flow's environment): the environment of each of `versions` that exists, by flowVersionKey. A
 * version that does not exist (or whose flow does not) is missing from the answer. `known` keeps
 * what was found for later calls: a flow's environment never changes, and neither flows nor their
 * versions are ever deleted (a flow's delete is soft), so what exists once holds for good.
 */
export async function flowEnvironments(
  c: Conn,
  versions: Iterable<readonly [flowId: string, version: number]>,
  known: Map<string, string>,
): Promise<Map<string, string>> {
  const wanted = new Map<string, readonly [string, number]>();
  for (const [flowId, version] of versions) {
    const key = flowVersionKey(flowId, version);
    if (!known.has(key)) wanted.set(key, [flowId, version]);
  }
  const pairs = [...wanted.values()];
  if (pairs.length && known.size + pairs.length > KNOWN_VERSIONS) known.clear();
  for (let i = 0; i < pairs.length; i += LOOKUP_CHUNK) {
    const chunk = pairs.slice(i, i + LOOKUP_CHUNK);
    const flowIds = [...new Set(chunk.map(([flowId]) => flowId))];
    const numbers = [...new Set(chunk.map(([, version]) => version))];
    const rows = await c.all<{ id: string; version: unknown; environment_id: string }>(
      `SELECT f.id, v.version, f.environment_id FROM flows f JOIN flow_versions v ON v.flow_id = f.id
       WHERE f.id IN (${placeholders(flowIds.length)}) AND v.version IN (${placeholders(numbers.length)})`,
      [...flowIds, ...numbers],
    );
    for (const row of rows) known.set(flowVersionKey(row.id, row.version), row.environment_id);
  }
  return known;
}

/**
 * PostgreSQL: locks the flow's row until the caller's transaction ends, so that what it does for
 * that flow takes turns across processes (SQLite's write transaction already excludes every other
 * writer).
 */
export async function lockFlowTurn(driver: Driver, c: Conn, flowId: string): Promise<void> {
  if (driver.dialect === 'postgres') await c.all('SELECT id FROM flows WHERE id = ? FOR UPDATE', [flowId]);
}

async function insertVersion(
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

export function flowStore({ driver, now }: StoreContext): EnvironmentStore & FlowStore {
  return {
    async listEnvironments() {
      const rows = await driver.all('SELECT * FROM environments ORDER BY created_at, id');
      return rows.map(toEnvironment);
    },

    async getEnvironment(id) {
      const [r] = await driver.all('SELECT * FROM environments WHERE id = ?', [id]);
      return r && toEnvironment(r);
    },

    async createEnvironment(input) {
      const env = { id: input.id ?? randomUUID(), name: input.name, createdAt: now() };
      await driver.run('INSERT INTO environments (id, name, created_at) VALUES (?, ?, ?)', [
        env.id,
        env.name,
        env.createdAt,
      ]);
      return env;
    },

    async createFlow(input) {
      const at = now();
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
      await driver.transaction(async (c) => {
        await c.run(
          `INSERT INTO flows (id, environment_id, name, owner_id, state, kind, access_key, current_version,
             created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
          [flow.id, flow.environmentId, flow.name, flow.ownerId, flow.state, flow.kind, flow.accessKey, at, at],
        );
        await insertVersion(c, flow.id, 1, definition, parameters, at, version.createdBy);
      });
      return { flow, version };
    },

    async saveFlowVersion(flowId, input) {
      const definition = toJson(input.definition, 'definition');
      const parameters = toJsonOrNull(input.parameters, 'parameters');
      const at = now();
      const version = await driver.transaction(async (c) => {
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
        await insertVersion(c, flowId, v, definition, parameters, at, input.createdBy ?? null);
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
    },

    async getFlow(id, options = {}) {
      const [r] = await driver.all(
        `SELECT * FROM flows WHERE id = ?${options.includeDeleted ? '' : ' AND deleted_at IS NULL'}`,
        [id],
      );
      return r && toFlow(r);
    },

    async listFlows(query = {}) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (!query.includeDeleted) where.push('deleted_at IS NULL');
      if (query.environmentId !== undefined) {
        where.push('environment_id = ?');
        params.push(query.environmentId);
      }
      const rows = await driver.all(
        `SELECT * FROM flows${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY name, id`,
        params,
      );
      return rows.map(toFlow);
    },

    async updateFlow(id, patch) {
      const sets: string[] = ['updated_at = ?'];
      const params: unknown[] = [now()];
      const columns = { name: 'name', state: 'state', kind: 'kind', accessKey: 'access_key', ownerId: 'owner_id' };
      for (const [key, column] of Object.entries(columns)) {
        const v = patch[key as keyof typeof patch];
        if (v !== undefined) {
          sets.push(`${column} = ?`);
          params.push(v);
        }
      }
      const [r] = await driver.all(
        `UPDATE flows SET ${sets.join(', ')} WHERE id = ? AND deleted_at IS NULL RETURNING *`,
        [...params, id],
      );
      if (!r) throw new StoreError('NotFound', `flow ${id} does not exist`, { target: id });
      return toFlow(r);
    },

    async deleteFlow(id) {
      const at = now();
      const changed = await driver.run(
        'UPDATE flows SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL',
        [at, at, id],
      );
      return changed > 0;
    },

    async getFlowVersion(flowId, version) {
      const [r] =
        version === undefined
          ? await driver.all(
              `SELECT v.* FROM flow_versions v JOIN flows f ON f.id = v.flow_id AND f.current_version = v.version
               WHERE v.flow_id = ?`,
              [flowId],
            )
          : await driver.all('SELECT * FROM flow_versions WHERE flow_id = ? AND version = ?', [flowId, version]);
      return r && toVersion(r);
    },

    async listFlowVersions(flowId) {
      const rows = await driver.all('SELECT * FROM flow_versions WHERE flow_id = ? ORDER BY version', [flowId]);
      return rows.map(toVersion);
    },
  };
}
