/**
 * Triggers: signed callback URLs (spec §4.1), manual runs with typed inputs, trigger histories, and
 * what the invoke route that Request triggers are called on (invoke.ts) shares with them.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Workflow } from '@flowbridge/engine';
import type { Flow } from '../store/index.js';
import { SIGNATURE_VERSION, TRIGGER_API_VERSION, signTrigger, triggerPermission } from '../host/signing.js';
import { isRecord } from '../host/workflows.js';
import {
  fireTrigger,
  recordEvaluation,
  type EvaluationLog,
  type FireOutcome,
  type TriggerFiring,
} from '../host/fire-trigger.js';
import { ApiError } from '../util/api-errors.js';
import { triggerHistoryRoutes } from './trigger-history.js';
import { requirePermission, type RouteContext } from './context.js';
import { flowOr404 } from './flows.js';
import { schemaErrors } from './schema.js';

export type TriggerNode = Workflow['triggers'][number];

export function findTrigger(workflow: Workflow, name: string): TriggerNode {
  const t = workflow.triggers.find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (!t) throw new ApiError(404, 'TriggerNotFound', `The flow has no trigger '${name}'.`, name);
  return t;
}

export function callbackUrl(
  ctx: Pick<RouteContext, 'baseUrl'>,
  flow: Flow,
  triggerName: string,
  relativePath = '',
): string {
  const sp = triggerPermission(triggerName);
  const sig = signTrigger(flow.accessKey, flow.id, triggerName, sp, SIGNATURE_VERSION);
  const path = relativePath ? `/${relativePath.replace(/^\/+/, '')}` : '';
  return (
    `${ctx.baseUrl()}/api/v1/workflows/${encodeURIComponent(flow.id)}/triggers/${encodeURIComponent(triggerName)}` +
    `/paths/invoke${path}?api-version=${TRIGGER_API_VERSION}&sp=${encodeURIComponent(sp)}&sv=${SIGNATURE_VERSION}&sig=${sig}`
  );
}

export function triggerInputs(t: TriggerNode): Record<string, unknown> {
  const inputs = t.def.inputs;
  return isRecord(inputs) ? inputs : {};
}

/**
 * Whether a request body is checked against the trigger's JSON schema. As in Logic Apps the schema
 * only describes the body unless the trigger asks for validation (`operationOptions` naming
 * `EnableSchemaValidation`, any case, possibly among other comma-separated options) or the server
 * is configured to always check (FLOWBRIDGE_TRIGGER_SCHEMA_VALIDATION=always). A body-less GET has
 * nothing to check.
 */
export function validationOn(ctx: RouteContext, t: TriggerNode, method: string, body: unknown): boolean {
  if (!isRecord(triggerInputs(t).schema)) return false;
  if (ctx.schemaValidation !== 'always' && !asksForValidation(t)) return false;
  return !(body === null || body === undefined) || !/^(GET|HEAD)$/i.test(method);
}

/** `operationOptions: "EnableSchemaValidation"` (any case; may sit in a comma-separated list). */
export function asksForValidation(t: { def: { operationOptions?: unknown } }): boolean {
  const options = t.def.operationOptions;
  if (typeof options !== 'string') return false;
  return options.split(',').some((o) => o.trim().toLowerCase() === 'enableschemavalidation');
}

/**
 * Instant flows (kind Button, PowerApp, PowerAppV2, Skills) are started with typed inputs, which
 * Power Automate checks before it starts the run (the run panel and Power Apps refuse a missing
 * required input or a wrong type). So `/run` always checks them; a `kind: Http` trigger run by hand
 * follows the same rule as its signed URL.
 */
const INSTANT_KINDS = new Set(['button', 'powerapp', 'powerappv2', 'skills']);

function checksTypedInputs(ctx: RouteContext, t: TriggerNode): boolean {
  const kind = typeof t.def.kind === 'string' ? t.def.kind.toLowerCase() : '';
  return INSTANT_KINDS.has(kind) || ctx.schemaValidation === 'always' || asksForValidation(t);
}

export function triggerRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post(
    '/api/v1/flows/:id/triggers/:name/listCallbackUrl',
    async (request: FastifyRequest<{ Params: { id: string; name: string } }>) => {
      const flow = await flowOr404(ctx, request.params.id);
      requirePermission(ctx, request, 'flows.read', flow.environmentId);
      const { workflow } = await ctx.host.workflows.get(flow.id, flow.currentVersion);
      const t = findTrigger(workflow, request.params.name);
      const inputs = triggerInputs(t);
      const relativePath = typeof inputs.relativePath === 'string' ? inputs.relativePath : undefined;
      const value = callbackUrl(ctx, flow, t.name);
      const sp = triggerPermission(t.name);
      return {
        value,
        method: typeof inputs.method === 'string' ? inputs.method.toUpperCase() : 'POST',
        basePath: value.slice(0, value.indexOf('?')),
        ...(relativePath
          ? {
              relativePath,
              relativePathParameters: [...relativePath.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]),
            }
          : {}),
        queries: {
          'api-version': TRIGGER_API_VERSION,
          sp,
          sv: SIGNATURE_VERSION,
          sig: new URL(value).searchParams.get('sig'),
        },
      };
    },
  );

  app.post(
    '/api/v1/flows/:id/triggers/:name/run',
    async (request: FastifyRequest<{ Params: { id: string; name: string } }>, reply) => {
      const flow = await flowOr404(ctx, request.params.id);
      requirePermission(ctx, request, 'runs.operate', flow.environmentId);
      await checkRunnable(ctx, flow);
      const { workflow } = await ctx.host.workflows.get(flow.id, flow.currentVersion);
      const t = findTrigger(workflow, request.params.name);
      const body = request.body ?? {};
      if (checksTypedInputs(ctx, t)) {
        const errors = schemaErrors(triggerInputs(t).schema, body);
        if (errors.length > 0) await refuseBody(ctx, request.log, flow, t.name, 'inputs', errors);
      }
      const outputs = { headers: { 'Content-Type': 'application/json' }, body };
      const outcome = await fire(ctx, request.log, { flow, triggerName: t.name, outputs });
      if (outcome.kind === 'skipped') return reply.status(202).header('x-ms-trigger-skipped', 'true').send();
      if (outcome.kind !== 'fired') throw notFired(outcome);
      const [runId] = outcome.runIds;
      if (runId === undefined) return reply.status(202).send();
      const { runIds } = outcome;
      return reply
        .status(202)
        .header('x-ms-workflow-run-id', runId)
        .send(runIds.length > 1 ? { runId, runIds } : { runId });
    },
  );

  triggerHistoryRoutes(app, ctx);
}

/** A body that fails the trigger's schema: in the trigger history as Failed, and a 400 naming the errors. */
export async function refuseBody(
  ctx: RouteContext,
  log: EvaluationLog,
  flow: Flow,
  triggerName: string,
  what: string,
  errors: string[],
): Promise<never> {
  await recordEvaluation(ctx.store, log, flow, triggerName, ctx.now(), 'Failed', {
    code: 'SchemaValidationFailed',
    message: errors.join('; '),
  });
  throw new ApiError(
    400,
    'SchemaValidationFailed',
    `The ${what} do${what === 'inputs' ? '' : 'es'} not match the trigger schema: ${errors.join('; ')}`,
    'body',
    errors,
  );
}

/** Fires the trigger on the one path every trigger takes (its history is written there). */
export function fire(ctx: RouteContext, log: EvaluationLog, firing: TriggerFiring): Promise<FireOutcome> {
  return fireTrigger({ store: ctx.store, host: ctx.host, now: ctx.now, log }, firing);
}

/** The HTTP error of a trigger that neither fired nor was skipped. */
export function notFired(outcome: Extract<FireOutcome, { kind: 'failed' | 'refused' }>): ApiError {
  if (outcome.kind === 'refused') return new ApiError(429, outcome.code, outcome.message);
  const { code, message } = outcome.error;
  return new ApiError(400, code === 'NoTrigger' ? 'TriggerNotFound' : code, message);
}

export async function checkRunnable(ctx: RouteContext, flow: Flow): Promise<void> {
  if (checkRunnableNow(ctx, flow)) return;
  const blocked = await ctx.auth.automationBlocked(flow.ownerId);
  if (blocked) throw new ApiError(409, 'AutomationBlocked', blocked, flow.id);
}

/**
 * checkRunnable as far as it can go without reading: throws as it does, true when the flow may
 * run, false when the automation switches must be read (checkRunnable then). Trigger calls check
 * this first: the switches are nearly always in the read cache, and an await costs a turn.
 */
export function checkRunnableNow(ctx: RouteContext, flow: Flow): boolean {
  if (flow.state !== 'Enabled')
    throw new ApiError(409, 'WorkflowDisabled', `The flow '${flow.name}' is disabled.`, flow.id);
  const blocked = ctx.auth.automationBlockedNow?.(flow.ownerId);
  if (blocked === undefined) return false;
  if (blocked) throw new ApiError(409, 'AutomationBlocked', blocked, flow.id);
  return true;
}
