/**
 * A trigger's history (spec §4.7, as Logic Apps' trigger histories): every evaluation, newest first.
 * One that fired is its run (the runs table); one that started no run (conditions false: Skipped;
 * a body that failed the schema or a failed expression: Failed) is a row of its own. The page
 * merges both by time; the cursor is the last entry given out. The rows are written where triggers
 * fire (host/fire-trigger.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Run, TriggerHistoryEntry } from '../store/index.js';
import { ApiError } from '../util/api-errors.js';
import { requirePermission, type RouteContext } from './context.js';
import { flowOr404 } from './flows.js';

interface Entry {
  at: number;
  key: string;
  json: Record<string, unknown>;
}

function runEntry(run: Run): Entry {
  return {
    at: run.startTime,
    key: `r:${run.id}`,
    json: {
      name: run.id,
      startTime: new Date(run.startTime).toISOString(),
      status: 'Succeeded',
      fired: true,
      run: { name: run.id, status: run.status === 'Queued' ? 'Waiting' : run.status },
    },
  };
}

function evaluationEntry(e: TriggerHistoryEntry): Entry {
  return {
    at: e.at,
    key: `h:${String(e.id).padStart(12, '0')}`,
    json: {
      name: `evaluation-${e.id}`,
      startTime: new Date(e.at).toISOString(),
      status: e.status,
      fired: false,
      run: null,
      ...(e.code ? { code: e.code, error: { code: e.code, message: e.message ?? '' } } : {}),
    },
  };
}

/** Newest first: by time, then by key (stable across pages). */
const newerFirst = (a: Entry, b: Entry): number => b.at - a.at || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0);

function encodeCursor(e: Entry): string {
  return Buffer.from(JSON.stringify([e.at, e.key])).toString('base64url');
}

function decodeCursor(cursor: string): { at: number; key: string } {
  try {
    const [at, key] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'number' && typeof key === 'string') return { at, key };
  } catch {
    // reported below
  }
  throw new ApiError(400, 'InvalidRequest', 'The cursor was not given out by this server.', 'cursor');
}

export function triggerHistoryRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get(
    '/api/v1/flows/:id/triggers/:name/histories',
    async (
      request: FastifyRequest<{
        Params: { id: string; name: string };
        Querystring: { limit?: string; cursor?: string };
      }>,
    ) => {
      const flow = await flowOr404(ctx, request.params.id);
      requirePermission(ctx, request, 'runs.read', flow.environmentId);
      const limit = Math.min(Math.max(Number(request.query.limit) || 50, 1), 1000);
      const after = request.query.cursor ? decodeCursor(request.query.cursor) : undefined;
      const name = request.params.name.toLowerCase();
      // Each source gives the page's worth at or before the cursor's time; ties are sorted below.
      const [runs, evaluations] = await Promise.all([
        ctx.store.listRuns({ flowId: flow.id, limit: limit + 1, ...(after ? { to: after.at + 1 } : {}) }),
        ctx.store.listTriggerHistory(flow.id, name, {
          limit: limit + 1,
          ...(after ? { before: { at: after.at + 1, id: 0 } } : {}),
        }),
      ]);
      const entries = [
        ...runs.items.filter((r) => r.triggerName.toLowerCase() === name).map(runEntry),
        ...evaluations.map(evaluationEntry),
      ]
        .filter((e) => !after || e.at < after.at || (e.at === after.at && e.key < after.key))
        .sort(newerFirst);
      const page = entries.slice(0, limit);
      const more = entries.length > limit || runs.nextCursor !== null;
      const last = page[page.length - 1];
      return { value: page.map((e) => e.json), nextCursor: more && last ? encodeCursor(last) : null };
    },
  );
}
