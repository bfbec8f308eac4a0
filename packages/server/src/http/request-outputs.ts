/**
 * Builds a Request trigger's outputs from an HTTP request (spec §4.1): headers, body (JSON parsed;
 * anything else as a `$content` object; forms with `$formdata`), queries without the signature
 * parameters, and the relative path parameters. The caller's Authorization header is left out, as
 * Logic Apps does, unless the trigger asks for it (`operationOptions:
 * IncludeAuthorizationHeadersInOutputs`): trigger outputs are kept in run history.
 */
const SIGNATURE_QUERY = new Set(['api-version', 'sp', 'sv', 'sig', 'se']);
/** The longest of their names ('api-version'): a longer one is none of them, in any case. */
const SIGNATURE_NAME_LENGTH = 11;
const AUTHORIZATION_OPTION = 'includeauthorizationheadersinoutputs';

/** Whether a trigger definition's `operationOptions` (comma-separated, any case) keeps Authorization. */
export function includesAuthorizationHeaders(triggerDef: Record<string, unknown>): boolean {
  const entry = Object.entries(triggerDef).find(([k]) => k.toLowerCase() === 'operationoptions');
  const options = entry?.[1];
  return typeof options === 'string' && options.split(',').some((o) => o.trim().toLowerCase() === AUTHORIZATION_OPTION);
}

export interface RawRequest {
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, unknown>;
  body: unknown; // parsed JSON, undefined, or a Buffer
}

export function requestOutputs(
  request: RawRequest,
  relativePathParameters?: Record<string, string>,
  options: { includeAuthorization?: boolean } = {},
): Record<string, unknown> {
  const headers: Record<string, string> = {};
  // Object.keys, not entries: one array per call instead of one per header as well.
  const given = request.headers;
  for (const name of Object.keys(given)) {
    const value = given[name];
    if (value === undefined) continue;
    // Only a 13-letter name can be Authorization: the others skip the lower-casing.
    if (!options.includeAuthorization && name.length === 13 && name.toLowerCase() === 'authorization') continue;
    headers[canonical(name)] = Array.isArray(value) ? value.join(', ') : value;
  }
  const outputs: Record<string, unknown> = { headers };
  const queries = callerQueries(request.query);
  if (queries) outputs.queries = queries;
  if (relativePathParameters && Object.keys(relativePathParameters).length > 0)
    outputs.relativePathParameters = relativePathParameters;
  const body = bodyOf(request.body, headers['Content-Type']);
  if (body !== undefined) outputs.body = body;
  return outputs;
}

function bodyOf(body: unknown, contentType: string | undefined): unknown {
  if (body === undefined || body === null) return undefined;
  if (!Buffer.isBuffer(body)) return body;
  if (body.length === 0) return undefined;
  const type = contentType ?? 'application/octet-stream';
  const content: Record<string, unknown> = { '$content-type': type, $content: body.toString('base64') };
  if (type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    content.$formdata = [...new URLSearchParams(body.toString('utf8'))].map(([key, value]) => ({ key, value }));
  }
  return content;
}

/** The callerQueries of frozen query objects (null: none), which cannot change. */
const callerQueriesOf = new WeakMap<object, Record<string, string> | null>();

/**
 * The query without the signature parameters, the last value of a repeated one; undefined when
 * nothing is left. The fast path hands every call with the same query text one frozen object
 * (invoke-raw.ts), a dictionary-mode object slow to walk: what it gives is kept per object, and
 * each call gets a copy of its own (the outputs go into the run).
 */
function callerQueries(query: Record<string, unknown>): Record<string, string> | undefined {
  const kept = callerQueriesOf.get(query);
  if (kept !== undefined) return kept === null ? undefined : { ...kept };
  let queries: Record<string, string> | undefined;
  for (const k of Object.keys(query)) {
    if (SIGNATURE_QUERY.has(k) || (k.length <= SIGNATURE_NAME_LENGTH && SIGNATURE_QUERY.has(k.toLowerCase()))) continue;
    const v = query[k];
    queries ??= {};
    queries[k] = Array.isArray(v) ? String(v[v.length - 1]) : String(v);
  }
  if (Object.isFrozen(query)) callerQueriesOf.set(query, queries ? { ...queries } : null);
  return queries;
}

/** Header names already spelled (every call repeats the same few); bounded against odd callers. */
const spelled = new Map<string, string>();

/** 'content-type' → 'Content-Type' (how Logic Apps shows request headers). */
function canonical(name: string): string {
  let out = spelled.get(name);
  if (out === undefined) {
    out = name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
    if (spelled.size >= 1000) spelled.clear();
    spelled.set(name, out);
  }
  return out;
}

/**
 * Matches a relativePath template ('/orders/{orderId}') against the path after /invoke; returns
 * the decoded parameters, or undefined when it does not match.
 */
export function matchRelativePath(template: string, path: string): Record<string, string> | undefined {
  const parts = template.split('/').filter(Boolean);
  const actual = path.split('/').filter(Boolean);
  if (parts.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const a = actual[i]!;
    const m = /^\{(.+)\}$/.exec(p);
    let decoded: string;
    try {
      decoded = decodeURIComponent(a);
    } catch {
      return undefined;
    }
    if (m) params[m[1]!] = decoded;
    else if (p.toLowerCase() !== decoded.toLowerCase()) return undefined;
  }
  return params;
}

/** The HTTP reply for a run's Response: JSON for objects, text as is, `$content` decoded. */
export function responsePayload(
  headers: Record<string, string>,
  body: unknown,
): { headers: Record<string, string>; payload: string | Buffer | undefined } {
  const out = { ...headers };
  const has = (name: string): boolean => Object.keys(out).some((k) => k.toLowerCase() === name);
  if (body === undefined || body === null) return { headers: out, payload: undefined };
  if (typeof body === 'object' && !Array.isArray(body) && '$content' in body) {
    const c = body as Record<string, unknown>;
    if (!has('content-type') && typeof c['$content-type'] === 'string') out['Content-Type'] = c['$content-type'];
    return { headers: out, payload: Buffer.from(String(c.$content), 'base64') };
  }
  if (typeof body === 'string') {
    if (!has('content-type')) out['Content-Type'] = 'text/plain; charset=utf-8';
    return { headers: out, payload: body };
  }
  if (!has('content-type')) out['Content-Type'] = 'application/json; charset=utf-8';
  return { headers: out, payload: JSON.stringify(body) };
}
