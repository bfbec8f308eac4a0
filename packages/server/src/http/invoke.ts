/**
 * The signed trigger URL's call (spec §4.1), free of any HTTP framework: a TriggerCall (method,
 * route parameters, query, headers, raw body) in, a TriggerAnswer (status, headers, payload) out.
 * Two adapters serve it: the fastify route (invokeRoutes, below: what `app.inject` and every
 * request the fast path declines go through) and the node:http fast path (invoke-raw.ts), which
 * answers the common calls without the framework's per-request work. Errors are thrown as the
 * API's errors (ApiError, host and store errors); each adapter answers them in the one dialect
 * (error-handler.ts toApiError).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Flow } from '../store/index.js';
import { verifyTrigger } from '../host/signing.js';
import { MISS, cachedFlow } from '../store/read-cache.js';
import { isRecord } from '../host/workflows.js';
import type { EvaluationLog, TriggerFiring } from '../host/fire-trigger.js';
import { ApiError, errorBody } from '../util/api-errors.js';
import { JSON_DEPTH, jsonDepthExceeds } from '../util/json-depth.js';
import type { RouteContext } from './context.js';
import { checkApiVersion } from './api-version.js';
import { tooDeep } from './request-guards.js';
import { includesAuthorizationHeaders, matchRelativePath, requestOutputs, responsePayload } from './request-outputs.js';
import { schemaErrors } from './schema.js';
import {
  checkRunnable,
  checkRunnableNow,
  findTrigger,
  fire,
  notFired,
  refuseBody,
  triggerInputs,
  validationOn,
  type TriggerNode,
} from './triggers.js';

/** Trigger types a caller starts through the signed URL. */
const CALLABLE = new Set(['request', 'httpwebhook', 'apiconnectionwebhook', 'openapiconnectionwebhook']);

/** The methods a Request trigger may declare (HEAD comes with GET). */
export const INVOKE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** One call of a signed trigger URL, as any adapter read it. */
export interface TriggerCall {
  method: string;
  /** The route's parameters, decoded. */
  flowId: string;
  triggerName: string;
  /** What follows `/paths/invoke/` (a relative path), decoded; '' when nothing does. */
  rest: string;
  /** Repeated parameters are arrays (the trigger's outputs keep the last). */
  query: Record<string, string | string[] | undefined>;
  headers: Record<string, string | string[] | undefined>;
  /** The raw body; undefined when the request had none. */
  body: Buffer | undefined;
  log: EvaluationLog;
}

export interface TriggerAnswer {
  status: number;
  headers: Record<string, string>;
  /** A string or bytes as they are, an object as JSON; undefined: no body. */
  payload: string | Buffer | object | undefined;
}

function answer(
  status: number,
  payload?: TriggerAnswer['payload'],
  headers: Record<string, string> = {},
): TriggerAnswer {
  return { status, headers, payload };
}

const JSON_TYPE = /^application\/([\w.+-]*\+)?json\b/;

/** JSON bodies are parsed (an empty one is no body); anything else stays raw bytes. */
function parseBody(body: Buffer | undefined, contentType: string | string[] | undefined): unknown {
  if (body === undefined) return undefined;
  if (!JSON_TYPE.test(String(contentType ?? '').toLowerCase())) return body;
  // Measured before parsing: what handles the parsed body afterwards recurses (json-depth.ts).
  if (jsonDepthExceeds(body, JSON_DEPTH.payload)) throw tooDeep(JSON_DEPTH.payload);
  const text = body.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Only a failed parse can be blank (JSON.parse refuses whitespace alone): blank is no body.
    if (!text.trim()) return undefined;
    throw new ApiError(400, 'InvalidRequest', 'The request body is not valid JSON.', 'body');
  }
}

/** What the invoke path reads of a trigger's definition, worked out once per compiled trigger. */
interface TriggerFacts {
  callable: boolean;
  /** The declared method, upper case; undefined when any method is allowed. */
  method: string | undefined;
  /** The relativePath template when it is a non-blank string. */
  relativePath: string | undefined;
  includeAuthorization: boolean;
  connectionWebhook: boolean;
}

/** Compiled workflows (and their trigger nodes) are immutable and cached per version (workflows.ts). */
const factsByTrigger = new WeakMap<TriggerNode, TriggerFacts>();

function factsOf(t: TriggerNode): TriggerFacts {
  let facts = factsByTrigger.get(t);
  if (facts === undefined) {
    const inputs = triggerInputs(t);
    facts = {
      callable: CALLABLE.has(t.type.toLowerCase()),
      method: typeof inputs.method === 'string' ? inputs.method.toUpperCase() : undefined,
      relativePath:
        typeof inputs.relativePath === 'string' && inputs.relativePath.trim() ? inputs.relativePath : undefined,
      includeAuthorization: includesAuthorizationHeaders(t.def),
      connectionWebhook: /connectionwebhook$/i.test(t.type),
    };
    factsByTrigger.set(t, facts);
  }
  return facts;
}

export async function invokeTrigger(ctx: RouteContext, call: TriggerCall): Promise<TriggerAnswer> {
  const started = performance.now();
  const observe = (outcome: string): void =>
    ctx.metrics.triggerLatency.observe({ outcome }, (performance.now() - started) / 1000);
  const { flowId, triggerName, query } = call;
  checkApiVersion(query);
  // What is in memory is used in this turn: each await of a settled read costs a microtask turn.
  const cached = cachedFlow(ctx.store, flowId);
  const flow = cached === MISS ? await ctx.store.getFlow(flowId) : cached;
  // Unknown flows answer like a bad signature: the URL does not tell which flows exist.
  if (!flow || !verifyTrigger(flow.accessKey, flow.id, triggerName, query)) {
    observe('unauthorized');
    return answer(401, errorBody('Unauthorized', 'The signature of the trigger URL is missing or invalid.'));
  }
  if (!checkRunnableNow(ctx, flow)) await checkRunnable(ctx, flow);
  const { workflow } =
    ctx.host.workflows.peek(flow.id, flow.currentVersion) ??
    (await ctx.host.workflows.get(flow.id, flow.currentVersion));
  const t = findTrigger(workflow, triggerName);
  const facts = factsOf(t);
  if (!facts.callable)
    throw new ApiError(404, 'TriggerNotFound', `Trigger '${t.name}' (${t.type}) cannot be called over HTTP.`, t.name);
  if (facts.method !== undefined && facts.method !== call.method.toUpperCase()) {
    throw new ApiError(405, 'MethodNotAllowed', `Trigger '${t.name}' accepts ${facts.method} only.`);
  }
  let parameters: Record<string, string> | undefined;
  if (facts.relativePath !== undefined) {
    parameters = matchRelativePath(facts.relativePath, call.rest);
    if (!parameters)
      throw new ApiError(404, 'NotFound', `The path '/${call.rest}' does not match '${facts.relativePath}'.`);
  } else if (/[^/]/.test(call.rest)) {
    // A segment that is not empty (as `rest.split('/').filter(Boolean)` finding one).
    throw new ApiError(404, 'NotFound', `Trigger '${t.name}' has no relative path.`);
  }
  if (!ctx.limiter.take(flow.id)) {
    observe('throttled');
    return answer(429, errorBody('TooManyRequests', `Flow '${flow.name}' is called more often than allowed.`), {
      'Retry-After': String(ctx.limiter.retryAfter(flow.id)),
    });
  }
  const outputs = requestOutputs(
    { headers: call.headers, query, body: parseBody(call.body, call.headers['content-type']) },
    parameters,
    { includeAuthorization: facts.includeAuthorization },
  );
  if (validationOn(ctx, t, call.method, outputs.body)) {
    const errors = schemaErrors(triggerInputs(t).schema, outputs.body ?? null);
    if (errors.length > 0) {
      observe('invalid');
      await refuseBody(ctx, call.log, flow, t.name, 'request body', errors);
    }
  }
  const clientTrackingId = header(call, 'x-ms-client-tracking-id');
  // Only a connector webhook may be a batch: a Request trigger does not await the question.
  const batch = facts.connectionWebhook && !t.splitOn && (await isBatchCallback(ctx, call, flow, t));
  // Optional fields set in place, not spread from a literal made for the purpose (hot path).
  const firing: TriggerFiring = { flow, triggerName: t.name, outputs };
  if (clientTrackingId) firing.clientTrackingId = clientTrackingId;
  if (batch) firing.batch = true;
  const outcome = await fire(ctx, call.log, firing);
  if (outcome.kind === 'skipped') {
    observe('skipped');
    return answer(202, undefined, { 'x-ms-trigger-skipped': 'true' });
  }
  if (outcome.kind !== 'fired') throw notFired(outcome);
  const { runIds } = outcome;
  const runId = runIds[0];
  if (runId === undefined) {
    observe('empty');
    return answer(202);
  }
  const runHeaders: Record<string, string> = {
    'x-ms-workflow-run-id': runId,
    'x-ms-workflow-id': flow.id,
    'x-ms-workflow-name': flow.name,
  };
  if (clientTrackingId) runHeaders['x-ms-client-tracking-id'] = clientTrackingId;
  // splitOn: Response actions do not answer (spec §4.1); without a Response, 202 at once.
  if (!t.splitOn && workflow.hasResponse) {
    const outcome = await withTimeout(ctx.host.waitForResponse(runId), ctx.responseTimeoutMs);
    if (outcome === undefined) {
      ctx.host.forgetWaiters(runId);
      observe('timeout');
      return answer(
        504,
        errorBody('ResponseTimeout', 'The flow did not respond in time; the run goes on.'),
        runHeaders,
      );
    }
    if ('noResponse' in outcome) {
      observe('noresponse');
      return answer(
        502,
        errorBody('NoResponse', `The run ended ${outcome.status} without running its Response action.`),
        runHeaders,
      );
    }
    const { headers, payload } = responsePayload(outcome.headers, outcome.body);
    observe('response');
    return answer(outcome.statusCode, payload, withHeaders(runHeaders, headers));
  }
  observe('accepted');
  return answer(202, runIds.length > 1 ? { runIds } : undefined, runHeaders);
}

/**
 * `{ ...target, ...source }`, made by adding `source` into `target` (which the caller no longer
 * needs): the spread's generic copy was a quarter of this module's time per call. Same keys, order
 * and values; a `__proto__` key (a Response's header names are the flow's) takes the spread.
 */
function withHeaders(target: Record<string, string>, source: Record<string, string>): Record<string, string> {
  for (const name of Object.keys(source)) {
    if (name === '__proto__') return { ...target, ...source };
    target[name] = source[name]!;
  }
  return target;
}

/**
 * A connector webhook whose operation is `x-ms-trigger: batch` (recorded when it subscribed), or a
 * callback that says so itself: the body array is one run per item, unless the definition splits.
 */
async function isBatchCallback(ctx: RouteContext, call: TriggerCall, flow: Flow, t: TriggerNode): Promise<boolean> {
  if (t.splitOn || !/connectionwebhook$/i.test(t.type)) return false;
  if (header(call, 'x-ms-trigger')?.toLowerCase() === 'batch') return true;
  const state = (await ctx.store.getConnectorTrigger(flow.id, t.name))?.state;
  return isRecord(state) && state.batch === true;
}

function header(call: TriggerCall, name: string): string | undefined {
  const v = call.headers[name];
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

interface InvokeParams {
  flowId: string;
  trigger: string;
  '*'?: string;
}

/** The signed trigger URL on fastify (registered in the raw-body scope: no bearer token, the signature is the credential). */
export function invokeRoutes(scope: FastifyInstance, ctx: RouteContext): void {
  const handler = async (
    request: FastifyRequest<{ Params: InvokeParams }>,
    reply: FastifyReply,
  ): Promise<FastifyReply> => {
    const body = request.body;
    const result = await invokeTrigger(ctx, {
      method: request.method,
      flowId: request.params.flowId,
      triggerName: request.params.trigger,
      rest: request.params['*'] ?? '',
      query: request.query as TriggerCall['query'],
      headers: request.headers,
      body: Buffer.isBuffer(body) ? body : undefined,
      log: request.log,
    });
    return reply.status(result.status).headers(result.headers).send(result.payload);
  };
  // Trigger calls are the hot path and each one is recorded already (its run or the trigger
  // history, and the metrics): at the default level (info) they log warnings and errors only, not
  // a line when each call comes in and another when it is answered. At debug they log as any route.
  const quiet = scope.log.level === 'info' ? { logLevel: 'warn' as const } : {};
  const method = INVOKE_METHODS;
  scope.route({ method, url: '/api/v1/workflows/:flowId/triggers/:trigger/paths/invoke', handler, ...quiet });
  scope.route({ method, url: '/api/v1/workflows/:flowId/triggers/:trigger/paths/invoke/*', handler, ...quiet });
}
