/**
 * The fast path of the signed trigger URL: node:http's request and response served straight by
 * invokeTrigger (invoke.ts), without the framework's per-request work (routing, hooks, a child
 * logger, content-type parsing, reply serialization), which cost about a tenth of a trigger call.
 *
 * It takes only the plain calls and answers them exactly as the fastify route would; it declines
 * (returns false, before reading anything) whatever fastify decides itself: HEAD, a path with
 * percent-escapes, a body without a Content-Length or larger than the limit, a malformed
 * Content-Type. A declined request goes to fastify as if the fast path did not exist.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { RouteContext } from './context.js';
import { errorAnswer } from './error-handler.js';
import { INVOKE_METHODS, invokeTrigger, type TriggerAnswer, type TriggerCall } from './invoke.js';

/** `/api/v1/workflows/{flowId}/triggers/{trigger}/paths/invoke[/{rest}]`, any case (as the router). */
const INVOKE_PATH = /^\/api\/v1\/workflows\/([^/]+)\/triggers\/([^/]+)\/paths\/invoke(?:\/(.*))?$/i;
const METHODS = new Set(INVOKE_METHODS);
/** The methods fastify reads no body of. */
const BODYLESS = new Set(['GET']);
/** A media type fastify's content-type check accepts (type/subtype, parameters after `;`). */
const MEDIA_TYPE = /^[\w!#$%&'*+.^`|~-]+\/[\w!#$%&'*+.^`|~-]+\s*(;.*)?$/;

export interface RawInvokeLog {
  error(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/**
 * A request listener step for the server: true when it took the request (and answers it), false
 * when the request is for fastify.
 */
export function rawInvoker(
  ctx: RouteContext,
  log: RawInvokeLog,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const url = req.url ?? '';
    if (url.length < 40 || url.charCodeAt(1) !== 97 /* a */) return false; // not /api/...: cheap exit
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path.includes('%')) return false;
    const match = INVOKE_PATH.exec(path);
    const method = req.method ?? '';
    if (!match || !METHODS.has(method)) return false;
    const body = BODYLESS.has(method) ? 'none' : bodyPlan(req, ctx.bodyLimit);
    if (body === 'decline') return false;
    const call: TriggerCall = {
      method,
      flowId: match[1]!,
      triggerName: match[2]!,
      rest: match[3] ?? '',
      query: q < 0 ? {} : queryOf(url.slice(q + 1)),
      headers: req.headers,
      body: undefined,
      log,
    };
    const serve = (): void => {
      invokeTrigger(ctx, call).then(
        (answer) => send(res, answer, log),
        (error: unknown) => sendError(res, error, log),
      );
    };
    if (body === 'none') serve();
    else
      readBody(req, (bytes) => {
        call.body = bytes;
        serve();
      });
    return true;
  };
}

/** Parsed query strings, by their text: a trigger URL's callers send the same signed query each time. */
const queries = new Map<string, TriggerCall['query']>();
const QUERIES_KEPT = 1000;
/** Longer queries are parsed each time (they would hold memory, and are not the signed URL's). */
const QUERY_CACHED_LENGTH = 1024;

/**
 * node's querystring.parse of `text`, shared between the calls that send the same text (a tenth
 * of the parse's cost). Frozen: what reads it (the signature check, the trigger's outputs) copies.
 */
function queryOf(text: string): TriggerCall['query'] {
  let query = queries.get(text);
  if (query === undefined) {
    query = parseQuery(text);
    if (text.length > QUERY_CACHED_LENGTH) return query;
    for (const value of Object.values(query)) if (Array.isArray(value)) Object.freeze(value);
    Object.freeze(query);
    if (queries.size >= QUERIES_KEPT) queries.clear();
    queries.set(text, query);
  }
  return query;
}

/** Whether fastify would read a body, and whether this path can read it the same way. */
function bodyPlan(req: IncomingMessage, limit: number): 'none' | 'read' | 'decline' {
  const { headers } = req;
  const type = headers['content-type'];
  const length = headers['content-length'];
  if (headers['transfer-encoding'] !== undefined) return 'decline';
  if (type !== undefined && !MEDIA_TYPE.test(type)) return 'decline';
  if (type === undefined && (length === undefined || length === '0')) return 'none';
  if (length === undefined || !/^\d+$/.test(length) || Number(length) > limit) return 'decline';
  return 'read';
}

/** The body's bytes (node's parser delivers exactly Content-Length of them, or the request aborts). */
function readBody(req: IncomingMessage, done: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => done(chunks.length === 1 ? Buffer.from(chunks[0]!) : Buffer.concat(chunks)));
  // An aborted upload has no caller left to answer.
  req.on('error', () => req.destroy());
}

function send(res: ServerResponse, answer: TriggerAnswer, log: RawInvokeLog): void {
  const { status } = answer;
  const headers: Record<string, string> = {};
  const given = answer.headers;
  for (const name of Object.keys(given)) headers[name.toLowerCase()] = given[name]!;
  let payload = answer.payload;
  if (payload !== undefined && typeof payload !== 'string' && !Buffer.isBuffer(payload)) {
    headers['content-type'] ??= 'application/json; charset=utf-8';
    payload = JSON.stringify(payload);
  }
  try {
    if (payload === undefined || status === 204 || status < 200) {
      // As fastify: no body, and no length where the status may not carry one.
      if (payload !== undefined) delete headers['content-type'];
      if (status >= 200 && status !== 204 && status !== 304) headers['content-length'] = '0';
      res.writeHead(status, headers).end();
      return;
    }
    headers['content-type'] ??= typeof payload === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream';
    headers['content-length'] = String(Buffer.byteLength(payload));
    res.writeHead(status, headers).end(payload);
  } catch (error) {
    // A Response action's header node refuses (a newline in a value), or a status out of range.
    if (!res.headersSent) sendError(res, error, log);
    else res.destroy();
  }
}

function sendError(res: ServerResponse, error: unknown, log: RawInvokeLog): void {
  const { status, headers, body } = errorAnswer(error, log);
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
    })
    .end(text);
}
