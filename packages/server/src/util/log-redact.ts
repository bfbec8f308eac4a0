/**
 * What the server's log may say about a request. Logs travel further than the API (collectors,
 * support tickets), so a request's credentials never reach them: the `sig` of a trigger URL, the
 * approval-link `token`, OAuth codes and secrets in a query, the signature segment of a run
 * callback URL, and every header (Authorization above all) are left out.
 */
import type { LoggerOptions } from 'pino';

/** Query parameters that carry a credential. */
const SECRET_QUERY = new Set(['sig', 'token', 'code', 'access_token', 'client_secret', 'refresh_token', 'password']);
/** /api/v1/callbacks/<runId>/<sig>/<key>: the second segment is an HMAC. */
const CALLBACK_PATH = /^(\/api\/v1\/callbacks\/[^/?]+\/)[^/?]+/;
export const REDACTED = '[redacted]';

export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).replace(CALLBACK_PATH, `$1${REDACTED}`);
  if (q < 0) return path;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // an undecodable name is logged as sent
      }
      return SECRET_QUERY.has(decoded.toLowerCase()) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
  return `${path}?${query}`;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  hostname?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** pino options for the server's logger: the request serializer, and redaction as a second net. */
export const loggerRedaction: Pick<LoggerOptions, 'serializers' | 'redact'> = {
  serializers: {
    req: (req: LoggedRequest) => ({
      method: req.method,
      url: typeof req.url === 'string' ? redactUrl(req.url) : undefined,
      host: req.hostname,
      remoteAddress: req.ip,
      remotePort: req.socket?.remotePort,
    }),
  },
  redact: {
    paths: [
      'req.headers.authorization',
      'req.headers.cookie',
      'req.headers["proxy-authorization"]',
      'headers.authorization',
      'headers.cookie',
      '*.headers.authorization',
      '*.headers.cookie',
    ],
    censor: REDACTED,
  },
};
