/**
 * A small REST client for the management verbs (`flowbridge flows ...`, `runs ...`) against a
 * running server. URL and token come from --url/--token, else FLOWBRIDGE_URL/FLOWBRIDGE_TOKEN.
 * Failures become ClientError with a message a person can act on.
 */
export const DEFAULT_URL = 'http://127.0.0.1:7780';

export interface ClientOptions {
  url?: string | undefined;
  token?: string | undefined;
  env?: Record<string, string | undefined>;
}

export class ClientError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly code: string | null,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}

export interface Client {
  readonly url: string;
  request<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

/** Everything below the cause chain that names a refused or unreachable connection. */
function isUnreachable(error: unknown): boolean {
  for (
    let e = error as { code?: string; cause?: unknown } | undefined, i = 0;
    e && i < 5;
    e = e.cause as typeof e, i++
  ) {
    if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNRESET', 'EAI_AGAIN'].includes(e.code ?? '')) return true;
  }
  return false;
}

export function createClient(options: ClientOptions = {}): Client {
  const env = options.env ?? process.env;
  const url = (options.url ?? env.FLOWBRIDGE_URL ?? DEFAULT_URL).replace(/\/+$/, '');
  const token = options.token ?? env.FLOWBRIDGE_TOKEN;
  return {
    url,
    async request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      let res: Response;
      try {
        res = await fetch(`${url}${path}`, {
          method,
          headers,
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      } catch (e) {
        if (isUnreachable(e)) {
          throw new ClientError(
            `cannot reach the Flowbridge server at ${url} — is \`flowbridge start\` running?`,
            null,
            null,
          );
        }
        throw new ClientError(`request to ${url}${path} failed: ${(e as Error).message}`, null, null);
      }
      const text = await res.text();
      let json: unknown;
      try {
        json = text === '' ? undefined : JSON.parse(text);
      } catch {
        json = undefined;
      }
      if (res.ok) return json as T;
      const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      const code = typeof error?.code === 'string' ? error.code : null;
      if (res.status === 401) {
        throw new ClientError(
          token
            ? `the server at ${url} refused FLOWBRIDGE_TOKEN (401): set FLOWBRIDGE_TOKEN to a valid access token`
            : `the server at ${url} needs a token (401): set FLOWBRIDGE_TOKEN to an access token`,
          401,
          code,
        );
      }
      const message = error?.message ?? (text.slice(0, 200) || res.statusText);
      throw new ClientError(`${res.status}${code ? ` ${code}` : ''}: ${message}`, res.status, code);
    },
  };
}

/** A list response: the API's `{value: [...]}`, or a bare array. */
export function listOf<T>(body: unknown): T[] {
  if (Array.isArray(body)) return body as T[];
  const value = (body as { value?: unknown } | undefined)?.value;
  return Array.isArray(value) ? (value as T[]) : [];
}

/** Renders rows as an aligned text table with a header. */
export function table(headers: string[], rows: Array<Array<string | number | null | undefined>>): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n') + '\n';
}
