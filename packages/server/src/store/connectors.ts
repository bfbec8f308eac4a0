// The connectors aggregate over the driver: connector versions, connections (secrets sealed by the
// caller), flows' connection references and connector trigger state.
import type { StoreContext } from './context.js';
import type { Row } from './driver.js';
import { StoreError, isStoreError } from './errors.js';
import { fromJson, toJson, toJsonOrNull } from './json.js';
import { n, nOrNull, sOrNull } from './rows.js';
import type {
  ConnectionInput,
  ConnectionRecord,
  ConnectorRecord,
  ConnectorStore,
  ConnectorTriggerRecord,
} from './connector-types.js';

function toConnector(r: Row): ConnectorRecord {
  return {
    environmentId: String(r.environment_id),
    name: String(r.name),
    apiId: String(r.api_id),
    version: n(r.version),
    connector: fromJson(r.connector),
    createdBy: sOrNull(r.created_by),
    createdAt: n(r.created_at),
    updatedAt: n(r.updated_at),
  };
}

function toConnection(r: Row): ConnectionRecord {
  return {
    environmentId: String(r.environment_id),
    name: String(r.name),
    connectorName: String(r.connector_name),
    displayName: sOrNull(r.display_name),
    parameterSet: sOrNull(r.parameter_set),
    parameters: (fromJson(r.parameters) ?? {}) as Record<string, unknown>,
    sealedSecrets: sOrNull(r.sealed_secrets),
    status: String(r.status),
    createdBy: sOrNull(r.created_by),
    createdAt: n(r.created_at),
    updatedAt: n(r.updated_at),
  };
}

function toTrigger(r: Row): ConnectorTriggerRecord {
  return {
    flowId: String(r.flow_id),
    triggerName: String(r.trigger_name),
    kind: String(r.kind) === 'polling' ? 'polling' : 'webhook',
    location: sOrNull(r.location),
    fingerprint: sOrNull(r.fingerprint),
    state: fromJson(r.state),
    nextAt: nOrNull(r.next_at),
    updatedAt: n(r.updated_at),
  };
}

const CONNECTOR_COLUMNS = `c.environment_id, c.name, c.api_id, v.version, v.connector, v.created_by,
  c.created_at, v.created_at AS updated_at`;

export function connectorStore({ driver, now, check }: StoreContext): ConnectorStore {
  const isUnique = (e: unknown): boolean => isStoreError(e) && e.code === 'Conflict';
  const getConnector: ConnectorStore['getConnector'] = async (environmentId, name, version) => {
    check();
    const [r] = await driver.all(
      `SELECT ${CONNECTOR_COLUMNS} FROM connectors c JOIN connector_versions v
         ON v.environment_id = c.environment_id AND v.name = c.name
       WHERE c.environment_id = ? AND c.name = ? AND v.version = ${version === undefined ? 'c.current_version' : '?'}`,
      version === undefined ? [environmentId, name] : [environmentId, name, version],
    );
    return r ? toConnector(r) : undefined;
  };
  const getConnection: ConnectorStore['getConnection'] = async (environmentId, name) => {
    check();
    const [r] = await driver.all('SELECT * FROM connections WHERE environment_id = ? AND name = ?', [
      environmentId,
      name,
    ]);
    return r ? toConnection(r) : undefined;
  };
  const mustGetConnection = async (environmentId: string, name: string): Promise<ConnectionRecord> => {
    const found = await getConnection(environmentId, name);
    if (!found) throw new StoreError('NotFound', `connection ${name} does not exist`, { target: name });
    return found;
  };
  return {
    getConnector,
    getConnection,
    async putConnector(input) {
      check();
      const at = now();
      const version = await driver.transaction(
        async (c) => {
          const [row] = await c.all('SELECT current_version FROM connectors WHERE environment_id = ? AND name = ?', [
            input.environmentId,
            input.name,
          ]);
          const next = row ? n(row.current_version) + 1 : 1;
          if (row)
            await c.run(
              'UPDATE connectors SET current_version = ?, api_id = ?, updated_at = ? WHERE environment_id = ? AND name = ?',
              [next, input.apiId, at, input.environmentId, input.name],
            );
          else
            await c.run(
              `INSERT INTO connectors (environment_id, name, api_id, current_version, created_by, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)`,
              [input.environmentId, input.name, input.apiId, next, input.createdBy ?? null, at, at],
            );
          await c.run(
            `INSERT INTO connector_versions (environment_id, name, version, connector, created_by, created_at)
             VALUES (?, ?, ?, ?, ?, ?)`,
            [input.environmentId, input.name, next, toJson(input.connector, 'connector'), input.createdBy ?? null, at],
          );
          return next;
        },
        { retryable: true },
      );
      const stored = await getConnector(input.environmentId, input.name, version);
      if (!stored) throw new StoreError('Internal', `connector ${input.name} vanished after it was written`);
      return stored;
    },

    async listConnectors(environmentId) {
      check();
      const rows = await driver.all(
        `SELECT ${CONNECTOR_COLUMNS} FROM connectors c JOIN connector_versions v
           ON v.environment_id = c.environment_id AND v.name = c.name AND v.version = c.current_version
         ${environmentId !== undefined ? 'WHERE c.environment_id = ?' : ''} ORDER BY c.environment_id, c.name`,
        environmentId !== undefined ? [environmentId] : [],
      );
      return rows.map(toConnector);
    },

    async deleteConnector(environmentId, name) {
      check();
      return driver.transaction(async (c) => {
        await c.run('DELETE FROM connector_versions WHERE environment_id = ? AND name = ?', [environmentId, name]);
        return (await c.run('DELETE FROM connectors WHERE environment_id = ? AND name = ?', [environmentId, name])) > 0;
      });
    },

    async createConnection(input: ConnectionInput) {
      check();
      const at = now();
      try {
        await driver.run(
          `INSERT INTO connections (environment_id, name, connector_name, display_name, parameter_set, parameters,
             sealed_secrets, status, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            input.environmentId,
            input.name,
            input.connectorName,
            input.displayName ?? null,
            input.parameterSet ?? null,
            toJson(input.parameters, 'parameters'),
            input.sealedSecrets,
            input.status,
            input.createdBy ?? null,
            at,
            at,
          ],
        );
      } catch (e) {
        if (isUnique(e))
          throw new StoreError('Conflict', `connection ${input.name} exists`, { target: input.name, cause: e });
        throw e;
      }
      return mustGetConnection(input.environmentId, input.name);
    },

    async updateConnection(input) {
      check();
      const changed = await driver.run(
        `UPDATE connections SET connector_name = ?, display_name = ?, parameter_set = ?, parameters = ?,
           sealed_secrets = ?, status = ?, updated_at = ? WHERE environment_id = ? AND name = ?`,
        [
          input.connectorName,
          input.displayName ?? null,
          input.parameterSet ?? null,
          toJson(input.parameters, 'parameters'),
          input.sealedSecrets,
          input.status,
          now(),
          input.environmentId,
          input.name,
        ],
      );
      if (changed === 0)
        throw new StoreError('NotFound', `connection ${input.name} does not exist`, { target: input.name });
      return mustGetConnection(input.environmentId, input.name);
    },

    async listConnections(filter = {}) {
      check();
      const { sql, params } = whereEquals({
        environment_id: filter.environmentId,
        connector_name: filter.connectorName,
      });
      const rows = await driver.all(`SELECT * FROM connections ${sql} ORDER BY environment_id, name`, params);
      return rows.map(toConnection);
    },

    async deleteConnection(environmentId, name) {
      check();
      return (
        (await driver.run('DELETE FROM connections WHERE environment_id = ? AND name = ?', [environmentId, name])) > 0
      );
    },

    async setFlowConnectionReferences(flowId, references) {
      check();
      await driver.run(
        `INSERT INTO flow_connection_refs (flow_id, refs, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (flow_id) DO UPDATE SET refs = excluded.refs, updated_at = excluded.updated_at`,
        [flowId, toJson(references, 'references'), now()],
      );
    },

    async getFlowConnectionReferences(flowId) {
      check();
      const [r] = await driver.all('SELECT refs FROM flow_connection_refs WHERE flow_id = ?', [flowId]);
      return r ? ((fromJson(r.refs) ?? {}) as Record<string, string>) : {};
    },

    async putConnectorTrigger(input) {
      check();
      const at = now();
      await driver.run(
        `INSERT INTO connector_triggers (flow_id, trigger_name, kind, location, fingerprint, state, next_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (flow_id, trigger_name) DO UPDATE SET kind = excluded.kind, location = excluded.location,
           fingerprint = excluded.fingerprint, state = excluded.state, next_at = excluded.next_at,
           updated_at = excluded.updated_at`,
        [
          input.flowId,
          input.triggerName,
          input.kind,
          input.location,
          input.fingerprint,
          toJsonOrNull(input.state, 'state'),
          input.nextAt,
          at,
        ],
      );
      return { ...input, state: input.state ?? null, updatedAt: at };
    },

    async getConnectorTrigger(flowId, triggerName) {
      check();
      const [r] = await driver.all('SELECT * FROM connector_triggers WHERE flow_id = ? AND trigger_name = ?', [
        flowId,
        triggerName,
      ]);
      return r ? toTrigger(r) : undefined;
    },

    async listConnectorTriggers(filter = {}) {
      check();
      const { sql, params } = whereEquals({ flow_id: filter.flowId, kind: filter.kind });
      const rows = await driver.all(`SELECT * FROM connector_triggers ${sql} ORDER BY flow_id, trigger_name`, params);
      return rows.map(toTrigger);
    },

    async deleteConnectorTrigger(flowId, triggerName) {
      check();
      return (
        (await driver.run('DELETE FROM connector_triggers WHERE flow_id = ? AND trigger_name = ?', [
          flowId,
          triggerName,
        ])) > 0
      );
    },
  };
}

/** `WHERE a = ? AND b = ?` for the columns given a value (undefined ones are left out). */
function whereEquals(columns: Record<string, unknown>): { sql: string; params: unknown[] } {
  const given = Object.entries(columns).filter(([, v]) => v !== undefined);
  return {
    sql: given.length ? `WHERE ${given.map(([c]) => `${c} = ?`).join(' AND ')}` : '',
    params: given.map(([, v]) => v),
  };
}
