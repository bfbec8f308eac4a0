/** OpenAPI section: the cluster's live processes (http/cluster.ts). */
import type { Schema, Section } from './openapi-model.js';
import { dateTime, listOf, ref } from './openapi-model.js';

const schemas: Record<string, Schema> = {
  ClusterProcess: {
    type: 'object',
    required: ['id', 'roles', 'host', 'pid', 'version', 'startedAt', 'lastHeartbeat', 'liveRuns', 'leader', 'self'],
    properties: {
      id: {
        type: 'string',
        description: 'The process id (the owner of its leases; the `process` label of its metrics).',
      },
      roles: { type: 'array', items: { enum: ['api', 'worker', 'scheduler'] } },
      host: { type: 'string' },
      pid: { type: 'integer' },
      version: { type: 'string' },
      startedAt: dateTime,
      lastHeartbeat: dateTime,
      liveRuns: { type: 'integer', description: 'Runs held in memory at the last heartbeat.' },
      leader: {
        type: 'boolean',
        description: 'Holds the cluster leadership (fires recurrences, prunes history, sweeps the queue).',
      },
      self: { type: 'boolean', description: 'The process that answered this request.' },
    },
  },
};

export const clusterSection: Section = {
  tags: [{ name: 'cluster', description: 'The processes sharing the database (scale-out).' }],
  schemas,
  operations: [
    {
      operationId: 'listClusterProcesses',
      method: 'get',
      path: '/api/v1/cluster',
      summary: 'The live processes: roles, host, pid, version, heartbeat, live runs, leader',
      description:
        'A process that stopped heartbeating (three missed beats, FLOWBRIDGE_HEARTBEAT_MS each) drops out. ' +
        "Needs 'runs.operate' in the default environment (admins, operators, makers).",
      tag: 'cluster',
      responses: {
        '200': { description: 'The processes, oldest first', schema: listOf(ref('ClusterProcess'), false) },
        '403': 'Forbidden: not an admin or operator',
      },
    },
  ],
};
