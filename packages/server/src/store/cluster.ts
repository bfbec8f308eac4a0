// The cluster aggregate over the driver: heartbeat rows of the running processes.
import type { ClusterStore, ProcessInfo } from './cluster-types.js';
import type { StoreContext } from './context.js';
import type { Row } from './driver.js';
import { fromJson, toJson } from './json.js';

function toProcess(r: Row): ProcessInfo {
  const roles = fromJson(r.roles);
  return {
    id: String(r.id),
    roles: Array.isArray(roles) ? roles.map(String) : [],
    host: String(r.host),
    pid: Number(r.pid),
    version: String(r.version),
    startedAt: Number(r.started_at),
    lastHeartbeat: Number(r.last_heartbeat),
    liveRuns: Number(r.live_runs),
    leader: Number(r.leader) !== 0,
  };
}

export function clusterStore({ driver, now, check }: StoreContext): ClusterStore {
  return {
    async heartbeat(p) {
      check();
      await driver.run(
        `INSERT INTO cluster_processes (id, roles, host, pid, version, started_at, last_heartbeat, live_runs, leader)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET last_heartbeat = excluded.last_heartbeat,
           live_runs = excluded.live_runs, leader = excluded.leader`,
        [p.id, toJson(p.roles, 'roles'), p.host, p.pid, p.version, p.startedAt, now(), p.liveRuns, p.leader ? 1 : 0],
      );
    },

    async listProcesses(since) {
      check();
      const rows = await driver.all(
        'SELECT * FROM cluster_processes WHERE last_heartbeat >= ? ORDER BY started_at, id',
        [since],
      );
      return rows.map(toProcess);
    },

    async removeProcess(id) {
      check();
      return (await driver.run('DELETE FROM cluster_processes WHERE id = ?', [id])) > 0;
    },

    async pruneProcesses(before) {
      check();
      return driver.run('DELETE FROM cluster_processes WHERE last_heartbeat < ?', [before]);
    },
  };
}
