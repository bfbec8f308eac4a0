/**
 * Triggers: signed callback URLs (spec §4.1), the invoke route that Request triggers are called
 * on, manual runs with typed inputs, and trigger histories.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Workflow } from '@flowbridge/engine';
import type { Flow } from '../store/index.js';
import {
  SIGNATURE_VERSION,
  TRIGGER_API_VERSION,
  signTrigger,
  triggerPermission,
  verifyTrigger,
} from '../host/signing.js';
import { isRecord } from '../host/workflows.js';
import { fireTrigger, recordEvaluation, type FireOutcome, type TriggerFiring } from '../host/fire-trigger.js';
import { ApiError, errorBody } from '../util/api-errors.js';
import { triggerHistoryRoutes } from './trigger-history.js';
import { requirePermission, type RouteContext } from './context.js';
import { flowOr404 } from './flows.js';
import { includesAuthorizationHeaders, matchRelativePath, requestOutputs, responsePayload } from './request-outputs.js';
import { schemaErrors } from './schema.js';
import { checkApiVersion } from './api-version.js';
import { tooDeep } from './request-guards.js';
import { JSON_DEPTH, jsonDepthExceeds } from '../util/json-depth.js';

type TriggerNode = Workflow['triggers'][number];

/** Trigger types a caller starts through the signed URL. */
const CALLABLE = new Set(['request', 'httpwebhook', 'apiconnectionwebhook', 'openapiconnectionwebhook']);

function findTrigger(workflow: Workflow, name: string): TriggerNode {
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

function triggerInputs(t: TriggerNode): Record<string, unknown> {
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
function validationOn(ctx: RouteContext, t: TriggerNode, method: string, body: unknown): boolean {
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

interface InvokeParams {
  flowId: string;
  trigger: string;
  '*'?: string;
}

/** The signed trigger URL (registered in the raw-body scope: no bearer token, the signature is the credential). */
export function invokeRoutes(scope: FastifyInstance, ctx: RouteContext): void {
  const handler = (request: FastifyRequest<{ Params: InvokeParams }>, reply: FastifyReply) =>
    invoke(ctx, request, reply);
  // The methods a Request trigger may declare (HEAD comes with GET).
  const method = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
  // Trigger calls are the hot path and each one is recorded already (its run or the trigger
  // history, and the metrics): at the default level (info) they log warnings and errors only, not
  // a line when each call comes in and another when it is answered. At debug they log as any route.
  const quiet = scope.log.level === 'info' ? { logLevel: 'warn' as const } : {};
  scope.route({ method, url: '/api/v1/workflows/:flowId/triggers/:trigger/paths/invoke', handler, ...quiet });
  scope.route({ method, url: '/api/v1/workflows/:flowId/triggers/:trigger/paths/invoke/*', handler, ...quiet });
}

/** JSON bodies are parsed (an empty one is no body); anything else stays raw bytes. */
function parseBody(request: FastifyRequest): unknown {
  const body = request.body;
  if (!Buffer.isBuffer(body)) return body;
  const type = String(request.headers['content-type'] ?? '').toLowerCase();
  if (!/^application\/([\w.+-]*\+)?json\b/.test(type)) return body;
  // Measured before parsing: what handles the parsed body afterwards recurses (json-depth.ts).
  if (jsonDepthExceeds(body, JSON_DEPTH.payload)) throw tooDeep(JSON_DEPTH.payload);
  const text = body.toString('utf8');
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(400, 'InvalidRequest', 'The request body is not valid JSON.', 'body');
  }
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
        if (errors.length > 0) await refuseBody(ctx, request, flow, t.name, 'inputs', errors);
      }
      const outputs = { headers: { 'Content-Type': 'application/json' }, body };
      const outcome = await fire(ctx, request, { flow, triggerName: t.name, outputs });
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
async function refuseBody(
  ctx: RouteContext,
  request: FastifyRequest,
  flow: Flow,
  triggerName: string,
  what: string,
  errors: string[],
): Promise<never> {
  await recordEvaluation(ctx.store, request.log, flow, triggerName, ctx.now(), 'Failed', {
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
function fire(ctx: RouteContext, request: FastifyRequest, firing: TriggerFiring): Promise<FireOutcome> {
  return fireTrigger({ store: ctx.store, host: ctx.host, now: ctx.now, log: request.log }, firing);
}

/** The HTTP error of a trigger that neither fired nor was skipped. */
function notFired(outcome: Extract<FireOutcome, { kind: 'failed' | 'refused' }>): ApiError {
  if (outcome.kind === 'refused') return new ApiError(429, outcome.code, outcome.message);
  const { code, message } = outcome.error;
  return new ApiError(400, code === 'NoTrigger' ? 'TriggerNotFound' : code, message);
}

async function checkRunnable(ctx: RouteContext, flow: Flow): Promise<void> {
  if (flow.state !== 'Enabled')
    throw new ApiError(409, 'WorkflowDisabled', `The flow '${flow.name}' is disabled.`, flow.id);
  const blocked = await ctx.auth.automationBlocked(flow.ownerId);
  if (blocked) throw new ApiError(409, 'AutomationBlocked', blocked, flow.id);
}

async function invoke(
  ctx: RouteContext,
  request: FastifyRequest<{ Params: InvokeParams }>,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const started = process.hrtime.bigint();
  const observe = (outcome: string): void =>
    ctx.metrics.triggerLatency.observe({ outcome }, Number(process.hrtime.bigint() - started) / 1e9);
  const { flowId, trigger: triggerName } = request.params;
  checkApiVersion(request.query);
  const flow = await ctx.store.getFlow(flowId);
  // Unknown flows answer like a bad signature: the URL does not tell which flows exist.
  if (!flow || !verifyTrigger(flow.accessKey, flow.id, triggerName, request.query as Record<string, unknown>)) {
    observe('unauthorized');
    return reply.status(401).send(errorBody('Unauthorized', 'The signature of the trigger URL is missing or invalid.'));
  }
  await checkRunnable(ctx, flow);
  const { workflow } = await ctx.host.workflows.get(flow.id, flow.currentVersion);
  const t = findTrigger(workflow, triggerName);
  if (!CALLABLE.has(t.type.toLowerCase()))
    throw new ApiError(404, 'TriggerNotFound', `Trigger '${t.name}' (${t.type}) cannot be called over HTTP.`, t.name);
  const inputs = triggerInputs(t);
  if (typeof inputs.method === 'string' && inputs.method.toUpperCase() !== request.method.toUpperCase()) {
    throw new ApiError(405, 'MethodNotAllowed', `Trigger '${t.name}' accepts ${inputs.method.toUpperCase()} only.`);
  }
  const rest = request.params['*'] ?? '';
  let parameters: Record<string, string> | undefined;
  if (typeof inputs.relativePath === 'string' && inputs.relativePath.trim()) {
    parameters = matchRelativePath(inputs.relativePath, rest);
    if (!parameters)
      throw new ApiError(404, 'NotFound', `The path '/${rest}' does not match '${inputs.relativePath}'.`);
  } else if (rest.split('/').filter(Boolean).length > 0) {
    throw new ApiError(404, 'NotFound', `Trigger '${t.name}' has no relative path.`);
  }
  if (!ctx.limiter.take(flow.id)) {
    observe('throttled');
    return reply
      .status(429)
      .header('Retry-After', String(ctx.limiter.retryAfter(flow.id)))
      .send(errorBody('TooManyRequests', `Flow '${flow.name}' is called more often than allowed.`));
  }
  const outputs = requestOutputs(
    { headers: request.headers, query: request.query as Record<string, unknown>, body: parseBody(request) },
    parameters,
    { includeAuthorization: includesAuthorizationHeaders(t.def) },
  );
  if (validationOn(ctx, t, request.method, outputs.body)) {
    const errors = schemaErrors(inputs.schema, outputs.body ?? null);
    if (errors.length > 0) {
      observe('invalid');
      await refuseBody(ctx, request, flow, t.name, 'request body', errors);
    }
  }
  const clientTrackingId = header(request, 'x-ms-client-tracking-id');
  const outcome = await fire(ctx, request, {
    flow,
    triggerName: t.name,
    outputs,
    ...(clientTrackingId ? { clientTrackingId } : {}),
    ...((await isBatchCallback(ctx, request, flow, t)) ? { batch: true } : {}),
  });
  if (outcome.kind === 'skipped') {
    observe('skipped');
    return reply.status(202).header('x-ms-trigger-skipped', 'true').send();
  }
  if (outcome.kind !== 'fired') throw notFired(outcome);
  const { runIds } = outcome;
  const runId = runIds[0];
  if (runId === undefined) {
    observe('empty');
    return reply.status(202).send();
  }
  void reply
    .header('x-ms-workflow-run-id', runId)
    .header('x-ms-workflow-id', flow.id)
    .header('x-ms-workflow-name', flow.name);
  if (clientTrackingId) void reply.header('x-ms-client-tracking-id', clientTrackingId);
  // splitOn: Response actions do not answer (spec §4.1); without a Response, 202 at once.
  if (!t.splitOn && workflow.hasResponse) {
    const outcome = await withTimeout(ctx.host.waitForResponse(runId), ctx.responseTimeoutMs);
    if (outcome === undefined) {
      ctx.host.forgetWaiters(runId);
      observe('timeout');
      return reply.status(504).send(errorBody('ResponseTimeout', 'The flow did not respond in time; the run goes on.'));
    }
    if ('noResponse' in outcome) {
      observe('noresponse');
      return reply
        .status(502)
        .send(errorBody('NoResponse', `The run ended ${outcome.status} without running its Response action.`));
    }
    const { headers, payload } = responsePayload(outcome.headers, outcome.body);
    observe('response');
    return reply.status(outcome.statusCode).headers(headers).send(payload);
  }
  observe('accepted');
  return reply.status(202).send(runIds.length > 1 ? { runIds } : undefined);
}

/**
 * A connector webhook whose operation is `x-ms-trigger: batch` (recorded when it subscribed), or a
 * callback that says so itself: the body array is one run per item, unless the definition splits.
 */
async function isBatchCallback(
  ctx: RouteContext,
  request: FastifyRequest,
  flow: Flow,
  t: TriggerNode,
): Promise<boolean> {
  if (t.splitOn || !/connectionwebhook$/i.test(t.type)) return false;
  if (header(request, 'x-ms-trigger')?.toLowerCase() === 'batch') return true;
  const state = (await ctx.store.getConnectorTrigger(flow.id, t.name))?.state;
  return isRecord(state) && state.batch === true;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => resolve(undefined), ms);
    promise.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
