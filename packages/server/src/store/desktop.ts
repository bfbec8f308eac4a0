// The store's desktop-flow tables (schema.ts, migration 4): machine groups, machines, desktop
// flows with their versions, and the sessions queued for machines with their logs. Functions over
// the driver, reached through `store.desktop`; the rules (placement, statuses) live in desktop/.
import type { Conn, Driver, Row } from './driver.js';
import { StoreError } from './errors.js';
import { fromJson, toJson } from './json.js';
import { sessionQueries } from './desktop-sessions.js';
import type {
  AgentInfo,
  DesktopFlow,
  DesktopFlowVersion,
  DesktopLanguage,
  DesktopStore,
  Machine,
  MachineGroup,
  NewDesktopFlowVersion,
} from './desktop-types.js';
import { n, nOrNull, placeholders, sOrNull } from './rows.js';

const record = (v: unknown): Record<string, unknown> => {
  const parsed = fromJson(v);
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
};

function toGroup(r: Row): MachineGroup {
  return {
    id: String(r.id),
    environmentId: String(r.environment_id),
    name: String(r.name),
    keyHash: String(r.key_hash),
    createdAt: n(r.created_at),
    keyRotatedAt: n(r.key_rotated_at),
  };
}

function toMachine(r: Row): Machine {
  return {
    id: String(r.id),
    groupId: String(r.group_id),
    name: String(r.name),
    credentialHash: String(r.credential_hash),
    attended: n(r.attended) !== 0,
    agent: record(r.agent) as AgentInfo,
    registeredAt: n(r.registered_at),
    lastSeenAt: n(r.last_seen_at),
    removedAt: nOrNull(r.removed_at),
  };
}

function toFlow(r: Row): DesktopFlow {
  return {
    id: String(r.id),
    environmentId: String(r.environment_id),
    name: String(r.name),
    currentVersion: n(r.current_version),
    ownerId: sOrNull(r.owner_id),
    createdAt: n(r.created_at),
    updatedAt: n(r.updated_at),
  };
}

function toVersion(r: Row): DesktopFlowVersion {
  return {
    flowId: String(r.flow_id),
    version: n(r.version),
    language: String(r.language) as DesktopLanguage,
    script: String(r.script),
    inputs: record(r.inputs),
    outputs: record(r.outputs),
    createdAt: n(r.created_at),
    createdBy: sOrNull(r.created_by),
  };
}

/** `check` throws when the store is closed; `now` is the store's clock. */
export function desktopStore(driver: Driver, check: () => void, now: () => number): DesktopStore {
  const all = (sql: string, params: readonly unknown[] = []): Promise<Row[]> => {
    check();
    return driver.all(sql, params);
  };
  const run = (sql: string, params: readonly unknown[] = []): Promise<number> => {
    check();
    return driver.run(sql, params);
  };

  async function insertVersion(c: Conn, flowId: string, version: number, v: NewDesktopFlowVersion, at: number) {
    await c.run(
      `INSERT INTO desktop_flow_versions (flow_id, version, language, script, inputs, outputs, created_at, created_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        flowId,
        version,
        v.language,
        v.script,
        toJson(v.inputs, 'inputs'),
        toJson(v.outputs, 'outputs'),
        at,
        v.createdBy ?? null,
      ],
    );
    return toVersion({
      flow_id: flowId,
      version,
      language: v.language,
      script: v.script,
      inputs: toJson(v.inputs, 'inputs'),
      outputs: toJson(v.outputs, 'outputs'),
      created_at: at,
      created_by: v.createdBy ?? null,
    });
  }

  return {
    ...sessionQueries(driver, check, now),

    async createMachineGroup(input) {
      const at = now();
      await run(
        `INSERT INTO machine_groups (id, environment_id, name, key_hash, created_at, key_rotated_at) VALUES (?, ?, ?, ?, ?, ?)`,
        [input.id, input.environmentId, input.name, input.keyHash, at, at],
      );
      return { ...input, createdAt: at, keyRotatedAt: at };
    },
    async getMachineGroup(id) {
      const [r] = await all('SELECT * FROM machine_groups WHERE id = ?', [id]);
      return r ? toGroup(r) : undefined;
    },
    async findMachineGroup(query) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (query.keyHash !== undefined) {
        where.push('key_hash = ?');
        params.push(query.keyHash);
      }
      if (query.environmentId !== undefined) {
        where.push('environment_id = ?');
        params.push(query.environmentId);
      }
      if (query.name !== undefined) {
        where.push('LOWER(name) = LOWER(?)');
        params.push(query.name);
      }
      if (where.length === 0) return undefined;
      const [r] = await all(
        `SELECT * FROM machine_groups WHERE ${where.join(' AND ')} ORDER BY created_at LIMIT 1`,
        params,
      );
      return r ? toGroup(r) : undefined;
    },
    async listMachineGroups(environmentIds) {
      if (environmentIds && environmentIds.length === 0) return [];
      const rows = environmentIds
        ? await all(
            `SELECT * FROM machine_groups WHERE environment_id IN (${placeholders(environmentIds.length)}) ORDER BY name, id`,
            environmentIds,
          )
        : await all('SELECT * FROM machine_groups ORDER BY name, id');
      return rows.map(toGroup);
    },
    async setMachineGroupKey(id, keyHash) {
      return (
        (await run('UPDATE machine_groups SET key_hash = ?, key_rotated_at = ? WHERE id = ?', [keyHash, now(), id])) > 0
      );
    },

    async registerMachine(input) {
      check();
      const at = now();
      return driver.transaction(async (c) => {
        const lock = driver.dialect === 'postgres' ? ' FOR UPDATE' : '';
        const [existing] = await c.all(
          `SELECT * FROM machines WHERE group_id = ? AND name = ? AND removed_at IS NULL ORDER BY registered_at LIMIT 1${lock}`,
          [input.groupId, input.name],
        );
        const agent = toJson(input.agent, 'agent');
        if (existing) {
          await c.run(
            'UPDATE machines SET credential_hash = ?, attended = ?, agent = ?, last_seen_at = ? WHERE id = ?',
            [input.credentialHash, input.attended ? 1 : 0, agent, at, existing.id],
          );
          const machine = toMachine({
            ...existing,
            credential_hash: input.credentialHash,
            attended: input.attended ? 1 : 0,
            agent,
            last_seen_at: at,
          });
          return { machine, replaced: true };
        }
        await c.run(
          `INSERT INTO machines (id, group_id, name, credential_hash, attended, agent, registered_at, last_seen_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          [input.id, input.groupId, input.name, input.credentialHash, input.attended ? 1 : 0, agent, at, at],
        );
        const machine: Machine = {
          id: input.id,
          groupId: input.groupId,
          name: input.name,
          credentialHash: input.credentialHash,
          attended: input.attended,
          agent: input.agent,
          registeredAt: at,
          lastSeenAt: at,
          removedAt: null,
        };
        return { machine, replaced: false };
      });
    },
    async getMachine(id) {
      const [r] = await all('SELECT * FROM machines WHERE id = ?', [id]);
      return r ? toMachine(r) : undefined;
    },
    async findMachineByCredential(credentialHash) {
      const [r] = await all('SELECT * FROM machines WHERE credential_hash = ? AND removed_at IS NULL', [
        credentialHash,
      ]);
      return r ? toMachine(r) : undefined;
    },
    async listMachines(query = {}) {
      const ids = query.groupIds;
      if (ids && ids.length === 0) return [];
      const rows = ids
        ? await all(
            `SELECT * FROM machines WHERE removed_at IS NULL AND group_id IN (${placeholders(ids.length)}) ORDER BY name, id`,
            ids,
          )
        : await all('SELECT * FROM machines WHERE removed_at IS NULL ORDER BY name, id');
      return rows.map(toMachine);
    },
    async touchMachine(id, at, update = {}) {
      const sets = ['last_seen_at = ?'];
      const params: unknown[] = [at];
      if (update.attended !== undefined) {
        sets.push('attended = ?');
        params.push(update.attended ? 1 : 0);
      }
      if (update.agent !== undefined) {
        sets.push('agent = ?');
        params.push(toJson(update.agent, 'agent'));
      }
      // Never moves backwards: two polls of one agent may finish out of order.
      await run(`UPDATE machines SET ${sets.join(', ')} WHERE id = ? AND last_seen_at <= ?`, [...params, id, at]);
    },
    async removeMachine(id) {
      return (await run('UPDATE machines SET removed_at = ? WHERE id = ? AND removed_at IS NULL', [now(), id])) > 0;
    },

    async createDesktopFlow(input) {
      check();
      const at = now();
      return driver.transaction(async (c) => {
        await c.run(
          `INSERT INTO desktop_flows (id, environment_id, name, current_version, owner_id, created_at, updated_at)
           VALUES (?, ?, ?, 1, ?, ?, ?)`,
          [input.id, input.environmentId, input.name, input.ownerId, at, at],
        );
        const version = await insertVersion(c, input.id, 1, input.version, at);
        const flow: DesktopFlow = {
          id: input.id,
          environmentId: input.environmentId,
          name: input.name,
          currentVersion: 1,
          ownerId: input.ownerId,
          createdAt: at,
          updatedAt: at,
        };
        return { flow, version };
      });
    },
    async saveDesktopFlowVersion(flowId, v, options = {}) {
      check();
      const at = now();
      return driver.transaction(
        async (c) => {
          const lock = driver.dialect === 'postgres' ? ' FOR UPDATE' : '';
          const [r] = await c.all(`SELECT * FROM desktop_flows WHERE id = ? AND deleted_at IS NULL${lock}`, [flowId]);
          if (!r) throw new StoreError('NotFound', `desktop flow ${flowId} does not exist`, { target: flowId });
          const current = n(r.current_version);
          if (options.expectedVersion !== undefined && options.expectedVersion !== current) {
            throw new StoreError(
              'Conflict',
              `desktop flow ${flowId} is at version ${current}, not ${options.expectedVersion}`,
              {
                target: flowId,
              },
            );
          }
          const next = current + 1;
          const name = options.name ?? String(r.name);
          await c.run('UPDATE desktop_flows SET current_version = ?, name = ?, updated_at = ? WHERE id = ?', [
            next,
            name,
            at,
            flowId,
          ]);
          const version = await insertVersion(c, flowId, next, v, at);
          return { flow: toFlow({ ...r, current_version: next, name, updated_at: at }), version };
        },
        { retryable: true },
      );
    },
    async getDesktopFlow(id) {
      const [r] = await all('SELECT * FROM desktop_flows WHERE id = ? AND deleted_at IS NULL', [id]);
      return r ? toFlow(r) : undefined;
    },
    async getDesktopFlowVersion(flowId, version) {
      const [r] =
        version === undefined
          ? await all(
              `SELECT v.* FROM desktop_flow_versions v JOIN desktop_flows f ON f.id = v.flow_id
               WHERE v.flow_id = ? AND v.version = f.current_version`,
              [flowId],
            )
          : await all('SELECT * FROM desktop_flow_versions WHERE flow_id = ? AND version = ?', [flowId, version]);
      return r ? toVersion(r) : undefined;
    },
    async listDesktopFlows(environmentIds) {
      if (environmentIds && environmentIds.length === 0) return [];
      const rows = environmentIds
        ? await all(
            `SELECT * FROM desktop_flows WHERE deleted_at IS NULL AND environment_id IN (${placeholders(environmentIds.length)})
             ORDER BY name, id`,
            environmentIds,
          )
        : await all('SELECT * FROM desktop_flows WHERE deleted_at IS NULL ORDER BY name, id');
      return rows.map(toFlow);
    },
    async listDesktopFlowVersions(flowId) {
      const rows = await all('SELECT * FROM desktop_flow_versions WHERE flow_id = ? ORDER BY version', [flowId]);
      return rows.map(toVersion);
    },
    async deleteDesktopFlow(id) {
      return (
        (await run('UPDATE desktop_flows SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL', [now(), id])) > 0
      );
    },
  };
}
