/**
 * The request while it is being built: parameters, then credentials, then policy templates change
 * it, and `finish` turns it into what goes on the wire. Headers and query parameters keep their
 * order and the case they were first written in, and are matched without case (HTTP headers are
 * case-insensitive; APIM matches query names the same way).
 */

export interface RequestDraft {
  operationId?: string;
  /** Upper case. */
  method: string;
  /** scheme://host[:port][/basePath], no trailing slash. */
  baseUrl: string;
  /** Starts with `/` (or is empty); path values already escaped. */
  path: string;
  query: [string, string][];
  headers: [string, string][];
  /** A JSON value (serialized at the end), or text / bytes for form and binary bodies. */
  body?: unknown;
  /** Escaped values of the operation's path parameters, for `{name}` in routerequesttoendpoint. */
  pathValues: Record<string, string>;
}

/** What an HTTP client sends. `body` is text (JSON, form) or bytes (binary content). */
export interface BuiltRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

export function getHeader(draft: RequestDraft, name: string): string | undefined {
  const lower = name.toLowerCase();
  return draft.headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}

export type ExistsAction = 'override' | 'skip' | 'append';

/** Sets a header (or query parameter) the way APIM's set-header does; an empty value removes it. */
export function setPair(
  list: [string, string][],
  name: string,
  value: string,
  action: ExistsAction = 'override',
): void {
  const lower = name.toLowerCase();
  const index = list.findIndex(([n]) => n.toLowerCase() === lower);
  if (index >= 0 && action === 'skip') return;
  if (action === 'append' && index >= 0) {
    if (value !== '') list.push([list[index]![0], value]);
    return;
  }
  for (let i = list.length - 1; i >= 0; i--) if (list[i]![0].toLowerCase() === lower) list.splice(i, 1);
  if (value !== '') list.push([name, value]);
}

export function getQuery(draft: RequestDraft, name: string): string | undefined {
  const lower = name.toLowerCase();
  return draft.query.find(([n]) => n.toLowerCase() === lower)?.[1];
}

export function finish(draft: RequestDraft): BuiltRequest {
  const query = draft.query.map(([n, v]) => `${encodeQuery(n)}=${encodeQuery(v)}`).join('&');
  const headers: Record<string, string> = {};
  for (const [name, value] of draft.headers) {
    const existing = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
    if (existing === undefined) headers[name] = value;
    else headers[existing] = `${headers[existing]}, ${value}`;
  }
  const out: BuiltRequest = {
    method: draft.method,
    url: draft.baseUrl + draft.path + (query ? (draft.path.includes('?') ? '&' : '?') + query : ''),
    headers,
  };
  if (draft.body !== undefined) {
    if (typeof draft.body === 'string' || draft.body instanceof Uint8Array) out.body = draft.body;
    else out.body = JSON.stringify(draft.body);
  }
  return out;
}

/** RFC 3986 query escaping (encodeURIComponent leaves !'()* alone, which servers accept). */
export function encodeQuery(text: string): string {
  return encodeURIComponent(text);
}
