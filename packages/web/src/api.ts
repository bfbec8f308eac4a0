// The app's one way to the server: same-origin fetch to /api/v1 with the session cookie, the
// CSRF token on every call that changes state, JSON in and out, and errors as data
// ({status, code, message, target, details}) from the API's error shape.

export interface ApiErrorData {
  status: number;
  code: string;
  message: string;
  target?: string;
  details?: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly target: string | undefined;
  readonly details: unknown;
  readonly retryAfter: number | undefined;
  constructor(data: ApiErrorData, retryAfter?: number) {
    super(data.message);
    this.name = 'ApiError';
    this.status = data.status;
    this.code = data.code;
    this.target = data.target;
    this.details = data.details;
    this.retryAfter = retryAfter;
  }
}

let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

/** Remembers the session's CSRF token (from sign-in or GET /api/v1/session). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a call finds the session gone (401): the app shows the sign-in page. */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export async function api<T>(
  method: Method,
  path: string,
  body?: unknown,
  options: { quiet401?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  if (!res.ok) {
    const error = errorOf(res.status, json);
    if (res.status === 401 && !options.quiet401) onUnauthorized?.();
    const retry = Number(res.headers.get('retry-after'));
    throw new ApiError(error, Number.isFinite(retry) && retry > 0 ? retry : undefined);
  }
  return json as T;
}

function errorOf(status: number, json: unknown): ApiErrorData {
  const e = typeof json === 'object' && json !== null ? (json as { error?: unknown }).error : undefined;
  if (typeof e === 'object' && e !== null) {
    const { code, message, target, details } = e as Record<string, unknown>;
    return {
      status,
      code: typeof code === 'string' ? code : 'Error',
      message: typeof message === 'string' ? message : `The server answered ${status}.`,
      ...(typeof target === 'string' ? { target } : {}),
      ...(details !== undefined ? { details } : {}),
    };
  }
  return { status, code: 'Error', message: typeof json === 'string' && json ? json : `The server answered ${status}.` };
}

export const get = <T>(path: string): Promise<T> => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown): Promise<T> => api<T>('POST', path, body ?? {});
export const put = <T>(path: string, body: unknown): Promise<T> => api<T>('PUT', path, body);
export const patch = <T>(path: string, body: unknown): Promise<T> => api<T>('PATCH', path, body);
export const del = <T = void>(path: string): Promise<T> => api<T>('DELETE', path);

/** A query string from the defined values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const enc = encodeURIComponent;
