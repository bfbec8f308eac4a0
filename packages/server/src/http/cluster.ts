/** GET /api/v1/cluster: the live processes of the cluster, from their heartbeat rows (admins and operators). */
import type { FastifyInstance } from 'fastify';
import { staleAfter } from '../host/heartbeat.js';
import type { Runtime } from '../runtime.js';
import { DEFAULT_ENVIRONMENT_ID } from '../store/index.js';
import { requirePermission, type RouteContext } from './context.js';

export function clusterRoutes(app: FastifyInstance, ctx: RouteContext, cluster: Runtime['cluster'] | undefined): void {
  app.get('/api/v1/cluster', async (request) => {
    // Operating the cluster is the operators' business: the permission to operate runs, organisation-wide.
    requirePermission(ctx, request, 'runs.operate', DEFAULT_ENVIRONMENT_ID);
    const heartbeatMs = cluster?.heartbeatMs ?? 5000;
    const processes = await ctx.store.listProcesses(ctx.now() - staleAfter(heartbeatMs));
    return {
      value: processes.map((p) => ({
        id: p.id,
        roles: p.roles,
        host: p.host,
        pid: p.pid,
        version: p.version,
        startedAt: new Date(p.startedAt).toISOString(),
        lastHeartbeat: new Date(p.lastHeartbeat).toISOString(),
        liveRuns: p.liveRuns,
        leader: p.leader,
        self: p.id === cluster?.processId,
      })),
    };
  });
}
