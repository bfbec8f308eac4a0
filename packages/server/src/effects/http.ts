/**
 * One attempt of an Http action (spec §6.13): builds the request from the evaluated inputs,
 * sends it with an injected fetch, and turns the response into `{statusCode, headers, body}`.
 * With operation 'poll' it GETs the Location of an earlier 202 (the async pattern); the engine
 * decides when to poll and when to stop.
 */
import { decodeBody, encodeBody, textOf } from './content.js';
import { isRetryableStatus, parseRetryAfter, reasonCode } from './http-status.js';
import { createOutboundClient, OutboundDeniedError, RedirectError, redact, type OutboundClient } from './outbound.js';
import { failed, isRecord, prop, type EffectCommand, type EffectContext, type EffectResult } from './types.js';

export interface HttpEffectOptions {
  /**
   * Sends every request under the outbound policy (FLOWBRIDGE_OUTBOUND_DENY / _ALLOW); default:
   * a client with the built-in deny list (cloud metadata, link-local).
   */
  outbound?: OutboundClient;
  /** Sends one request (no redirects) in place of the guarded connection; tests inject it. */
  fetch?: typeof globalThis.fetch;
  /** Per-request outbound timeout (Logic Apps: 120 s). */
  requestTimeoutMs?: number;
  userAgent?: string;
}

export const defaultRequestTimeoutMs = 120_000;

/** A request as the Http action (and webhook subscribe/unsubscribe) describes it. */
export interface HttpRequestSpec {
  method: string;
  uri: string;
  headers?: unknown;
  queries?: unknown;
  body?: unknown;
  cookie?: unknown;
  authentication?: unknown;
}

export async function performHttp(
  command: EffectCommand,
  context: EffectContext,
  options: HttpEffectOptions = {},
): Promise<EffectResult> {
  const inputs = command.inputs;
  if (!isRecord(inputs))
    return failed('InvalidHttpInputs', `The inputs of action '${command.actionName}' must be an object.`);
  let spec: HttpRequestSpec;
  if (command.operation === 'poll') {
    const location = pollLocation(inputs);
    if (!location) return failed('InvalidHttpInputs', `Action '${command.actionName}' has no Location to poll.`);
    spec = {
      method: 'GET',
      uri: location,
      headers: prop(inputs, 'headers'),
      authentication: prop(inputs, 'authentication'),
    };
  } else {
    spec = {
      method: textOf(prop(inputs, 'method')),
      uri: textOf(prop(inputs, 'uri')),
      headers: prop(inputs, 'headers'),
      queries: prop(inputs, 'queries'),
      body: prop(inputs, 'body'),
      cookie: prop(inputs, 'cookie'),
      authentication: prop(inputs, 'authentication'),
    };
  }
  const suppress = /(^|,)\s*SuppressWorkflowHeaders\s*(,|$)/i.test(textOf(prop(inputs, 'operationOptions')));
  return sendHttp(spec, command, context, options, !suppress);
}

/** Where to poll: an explicit `location`, else the Location header of the 202 the engine passes back. */
function pollLocation(inputs: Record<string, unknown>): string | undefined {
  const direct = prop(inputs, 'location') ?? prop(prop(inputs, 'outputs'), 'headers');
  if (typeof direct === 'string') return direct;
  const headers = isRecord(direct) ? direct : prop(prop(inputs, 'response'), 'headers');
  const fromHeaders = prop(headers, 'location');
  if (typeof fromHeaders === 'string') return fromHeaders;
  const uri = prop(inputs, 'pollUri') ?? prop(inputs, 'uri');
  return typeof uri === 'string' && uri ? uri : undefined;
}

/** Sends one request and reports it as an effect result; shared with the webhook effect. */
export async function sendHttp(
  spec: HttpRequestSpec,
  command: EffectCommand,
  context: EffectContext,
  options: HttpEffectOptions,
  workflowHeaders = true,
): Promise<EffectResult> {
  const startTime = new Date(context.now()).toISOString();
  const stamp = (result: EffectResult): EffectResult => ({
    ...result,
    startTime,
    endTime: new Date(context.now()).toISOString(),
  });

  const built = buildRequest(spec, command, context, options, workflowHeaders);
  if ('error' in built) return stamp(built.error);

  // The attempt ends at whichever comes first: our per-request limit or the action's own
  // deadline (limit.timeout), which makes the action TimedOut rather than Failed.
  const requestTimeoutMs = options.requestTimeoutMs ?? defaultRequestTimeoutMs;
  const actionRemaining = command.timeoutAt === undefined ? Infinity : command.timeoutAt - context.now();
  if (actionRemaining <= 0) return stamp({ status: 'TimedOut', error: timedOutError(command) });
  const actionBound = actionRemaining < requestTimeoutMs;
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort();
  context.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(
    () => {
      timedOut = true;
      controller.abort();
    },
    Math.min(requestTimeoutMs, actionRemaining),
  );
  try {
    const response = await clientFor(options).request(built.url, {
      method: built.method,
      headers: built.headers,
      ...(built.body ? { body: built.body } : {}),
      signal: controller.signal,
      credentialHeaders: built.credentialHeaders,
    });
    const bytes = new Uint8Array(await response.arrayBuffer());
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[canonicalHeaderName(name)] = value;
    });
    const body = decodeBody(bytes, response.headers.get('content-type') ?? undefined);
    const outputs: Record<string, unknown> = { statusCode: response.status, headers };
    if (body !== undefined) outputs.body = body;
    if (response.status >= 200 && response.status < 300) return stamp({ status: 'Succeeded', outputs });
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), context.now());
    return stamp({
      status: 'Failed',
      outputs,
      error: {
        code: reasonCode(response.status),
        message: `The request to '${redact(built.url)}' failed with status code ${response.status}${response.statusText ? ` (${response.statusText})` : ''}.`,
      },
      retryable: isRetryableStatus(response.status),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  } catch (error) {
    if (timedOut && actionBound) return stamp({ status: 'TimedOut', error: timedOutError(command) });
    if (error instanceof OutboundDeniedError) {
      return stamp(failed('OutboundDenied', `The request to '${redact(built.url)}' was refused: ${error.message}`));
    }
    if (error instanceof RedirectError) return stamp(failed('InvalidRedirect', error.message));
    if (timedOut) {
      return stamp(
        failed(
          'RequestTimeout',
          `The request to '${redact(built.url)}' did not complete within ${requestTimeoutMs} ms.`,
          {
            retryable: true,
          },
        ),
      );
    }
    return stamp(
      failed('ConnectionFailed', `The request to '${redact(built.url)}' failed: ${describe(error)}.`, {
        retryable: true,
      }),
    );
  } finally {
    clearTimeout(timer);
    context.signal?.removeEventListener('abort', onOuterAbort);
  }
}

let defaultClient: OutboundClient | undefined;

function clientFor(options: HttpEffectOptions): OutboundClient {
  if (options.outbound) return options.outbound;
  if (options.fetch) return createOutboundClient(undefined, { transport: options.fetch });
  return (defaultClient ??= createOutboundClient());
}

function timedOutError(command: EffectCommand): { code: string; message: string } {
  return { code: 'ActionTimedOut', message: `Action '${command.actionName}' timed out (its limit.timeout elapsed).` };
}

interface BuiltRequest {
  method: string;
  url: string;
  headers: Headers;
  body?: Uint8Array;
  /** Set by the action's `authentication`: a redirect to another origin must not carry them. */
  credentialHeaders: string[];
}

function buildRequest(
  spec: HttpRequestSpec,
  command: EffectCommand,
  context: EffectContext,
  options: HttpEffectOptions,
  workflowHeaders: boolean,
): BuiltRequest | { error: EffectResult } {
  const method = spec.method.trim().toUpperCase();
  if (!/^[A-Z]+$/.test(method)) {
    return {
      error: failed('InvalidHttpInputs', `Action '${command.actionName}' has an invalid method '${spec.method}'.`),
    };
  }
  let url: URL;
  try {
    url = new URL(spec.uri);
  } catch {
    return { error: failed('InvalidHttpInputs', `Action '${command.actionName}' has an invalid uri '${spec.uri}'.`) };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { error: failed('InvalidHttpInputs', `Action '${command.actionName}' uri must be http or https.`) };
  }
  if (spec.queries !== undefined && spec.queries !== null) {
    if (!isRecord(spec.queries)) {
      return { error: failed('InvalidHttpInputs', `Action '${command.actionName}' queries must be an object.`) };
    }
    for (const [key, value] of Object.entries(spec.queries)) url.searchParams.append(key, textOf(value));
  }
  const headers = new Headers();
  if (spec.headers !== undefined && spec.headers !== null) {
    if (!isRecord(spec.headers)) {
      return { error: failed('InvalidHttpInputs', `Action '${command.actionName}' headers must be an object.`) };
    }
    try {
      for (const [key, value] of Object.entries(spec.headers)) headers.set(key, textOf(value));
    } catch (error) {
      return {
        error: failed('InvalidHttpInputs', `Action '${command.actionName}' has an invalid header: ${describe(error)}.`),
      };
    }
  }
  if (typeof spec.cookie === 'string' && spec.cookie && !headers.has('cookie')) headers.set('cookie', spec.cookie);
  const auth = authorization(spec.authentication, command);
  if (auth && 'error' in auth) return { error: auth.error };
  if (auth) headers.set('authorization', auth.value);
  if (workflowHeaders) {
    const add = (name: string, value: string): void => {
      if (!headers.has(name)) headers.set(name, value);
    };
    add('x-ms-workflow-run-id', context.runId);
    add('x-ms-workflow-id', context.workflow.id);
    add('x-ms-workflow-name', context.workflow.name);
    if (context.workflow.version) add('x-ms-workflow-version', context.workflow.version);
    add('x-ms-workflow-operation-name', command.actionName);
    add('x-ms-client-request-id', command.idempotencyKey);
    // Lets a callee de-duplicate an attempt re-sent after a host crash (DESIGN §2).
    add('idempotency-key', command.idempotencyKey);
  }
  if (options.userAgent && !headers.has('user-agent')) headers.set('user-agent', options.userAgent);
  let body: Uint8Array | undefined;
  if (method !== 'GET' && method !== 'HEAD') {
    const encoded = encodeBody(spec.body);
    if (encoded) {
      body = encoded.bytes;
      if (!headers.has('content-type')) headers.set('content-type', encoded.contentType);
    }
  }
  const credentialHeaders = auth ? ['authorization'] : [];
  return { method, url: url.toString(), headers, credentialHeaders, ...(body ? { body } : {}) };
}

function authorization(
  authentication: unknown,
  command: EffectCommand,
): { value: string } | { error: EffectResult } | undefined {
  if (authentication === undefined || authentication === null || authentication === '') return undefined;
  if (!isRecord(authentication)) {
    return { error: failed('InvalidHttpInputs', `Action '${command.actionName}' authentication must be an object.`) };
  }
  const type = textOf(prop(authentication, 'type')).toLowerCase();
  if (type === 'basic') {
    const username = textOf(prop(authentication, 'username'));
    const password = textOf(prop(authentication, 'password'));
    return { value: `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}` };
  }
  if (type === 'raw') {
    const value = textOf(prop(authentication, 'value'));
    if (!value)
      return { error: failed('InvalidHttpInputs', `Raw authentication of '${command.actionName}' needs a value.`) };
    return { value };
  }
  if (type === 'none') return undefined;
  return {
    error: failed(
      'UnsupportedAuthentication',
      `Authentication type '${textOf(prop(authentication, 'type'))}' of action '${command.actionName}' is not supported by this host (supported: Basic, Raw).`,
    ),
  };
}

/** Header names as Logic Apps shows them ("Content-Type"), since fetch lower-cases them. */
function canonicalHeaderName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
