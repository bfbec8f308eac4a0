/** The runs API: list with cursor paging, the run result JSON (DESIGN §4), cancel, resubmit. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SECURED_VALUE } from '@flowbridge/engine';
import type { Run, RunDetail, RunQuery, RunStatus } from '../store/index.js';
import { ApiError } from '../util/api-errors.js';
import { principalOf, requirePermission, type RouteContext } from './context.js';
import { flowOr404 } from './flows.js';
import { isRecord } from '../host/workflows.js';
import { historyNotKept } from '../host/stateless-history.js';

const STATUSES: RunStatus[] = [
  'Queued',
  'Running',
  'Waiting',
  'Succeeded',
  'Failed',
  'Cancelled',
  'TimedOut',
  'Skipped',
  'Aborted',
];

/** What run history shows instead of secured data (the engine's mask). */

export function runJson(run: Run): Record<string, unknown> {
  return {
    id: run.id,
    flowId: run.flowId,
    flowVersion: run.flowVersion,
    triggerName: run.triggerName,
    // A run queued behind the trigger's concurrency limit shows as Waiting, as in Logic Apps.
    status: run.status === 'Queued' ? 'Waiting' : run.status,
    startTime: new Date(run.startTime).toISOString(),
    endTime: run.endTime === null ? null : new Date(run.endTime).toISOString(),
    error: run.error ?? null,
    clientTrackingId: run.clientTrackingId,
  };
}

function time(value: string | undefined, target: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(n)) throw new ApiError(400, 'InvalidRequest', `'${target}' must be a date-time.`, target);
  return n;
}

async function runOr404(
  ctx: RouteContext,
  request: FastifyRequest,
  id: string,
  permission: 'runs.read' | 'runs.operate',
): Promise<RunDetail> {
  const run = await ctx.store.getRun(id);
  if (!run) throw new ApiError(404, 'NotFound', `Run '${id}' does not exist.`, id);
  requirePermission(ctx, request, permission, run.environmentId);
  return run;
}

interface ListQuery {
  flowId?: string;
  status?: string;
  from?: string;
  to?: string;
  limit?: string;
  cursor?: string;
}

export function runRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/api/v1/runs', async (request: FastifyRequest<{ Querystring: ListQuery }>) => {
    const q = request.query;
    const principal = principalOf(request);
    const query: RunQuery = {};
    if (q.flowId) {
      const flow = await flowOr404(ctx, q.flowId);
      requirePermission(ctx, request, 'runs.read', flow.environmentId);
      query.flowId = flow.id;
    }
    if (q.status) {
      const statuses = q.status.split(',').map((s) => STATUSES.find((x) => x.toLowerCase() === s.trim().toLowerCase()));
      if (statuses.some((s) => s === undefined))
        throw new ApiError(400, 'InvalidRequest', `Unknown status in '${q.status}'.`, 'status');
      query.status = statuses as RunStatus[];
      if (query.status.includes('Waiting') && !query.status.includes('Queued')) query.status.push('Queued');
    }
    const from = time(q.from, 'from');
    const to = time(q.to, 'to');
    if (from !== undefined) query.from = from;
    if (to !== undefined) query.to = to;
    if (q.limit !== undefined) {
      const limit = Number(q.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new ApiError(400, 'InvalidRequest', "'limit' must be an integer from 1 to 1000.", 'limit');
      query.limit = limit;
    }
    if (q.cursor) query.cursor = q.cursor;
    const page = await ctx.store.listRuns(query);
    return {
      value: page.items.filter((r) => ctx.auth.authorize(principal, 'runs.read', r.environmentId)).map(runJson),
      nextCursor: page.nextCursor,
    };
  });

  app.get(
    '/api/v1/runs/:id',
    async (request: FastifyRequest<{ Params: { id: string }; Querystring: { expand?: string } }>) => {
      let run = await runOr404(ctx, request, request.params.id, 'runs.read');
      const expand = (request.query.expand ?? '').split(',').includes('actions');
      // The row and the replayed history from one snapshot: every field describes the same moment.
      const read = expand ? await ctx.host.readRun(run.id) : undefined;
      if (read) run = read.run;
      const init = isRecord(run.init) ? run.init : {};
      const trigger = isRecord(init.trigger) ? init.trigger : {};
      // A trigger with secureData outputs keeps them out of run history (as the expanded result does).
      const { workflow } = await ctx.host.workflows.get(run.flowId, run.flowVersion);
      const secured = workflow.triggers.some(
        (t) => t.secureOutputs && t.name.toLowerCase() === run.triggerName.toLowerCase(),
      );
      const body: Record<string, unknown> = {
        ...runJson(run),
        trigger: { name: run.triggerName, outputs: secured ? SECURED_VALUE : (trigger.outputs ?? null) },
        response: run.response ?? null,
        outputs: run.outputs ?? {},
        ...(historyNotKept(run) ? { historyKept: false } : {}),
      };
      if (read) {
        const { result } = read;
        Object.assign(body, {
          status: result.status,
          error: result.error,
          trigger: result.trigger,
          actions: result.actions,
          response: result.response,
          outputs: result.outputs,
        });
      }
      return body;
    },
  );

  app.post('/api/v1/runs/:id/cancel', async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const run = await runOr404(ctx, request, request.params.id, 'runs.operate');
    if (!(await ctx.host.cancel(run.id)))
      throw new ApiError(409, 'Conflict', `Run '${run.id}' has already ended ${run.status}.`, run.id);
    return reply.status(202).send({ id: run.id, status: 'Cancelling' });
  });

  app.post('/api/v1/runs/:id/resubmit', async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const run = await runOr404(ctx, request, request.params.id, 'runs.operate');
    const flow = await flowOr404(ctx, run.flowId);
    const init = isRecord(run.init) ? run.init : {};
    const trigger = isRecord(init.trigger) ? init.trigger : {};
    // A new run of the flow's current version with the same trigger outputs.
    const { runId } = await ctx.host.startRun({
      flow,
      version: flow.currentVersion,
      triggerName: run.triggerName,
      outputs: trigger.outputs ?? {},
      ...(run.clientTrackingId ? { clientTrackingId: run.clientTrackingId } : {}),
    });
    return reply.status(202).header('x-ms-workflow-run-id', runId).send({ id: runId });
  });
}
