/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4) against the Flowbridge token endpoint
 * (`POST /oauth2/v2.0/token`): one token at a time, reused until shortly before it expires, then
 * renewed; concurrent callers share one token request. A 401 from the API renews it once (the
 * server may have restarted with a new signing key, or its clock runs ahead of ours).
 */

export interface ClientCredentials {
  /** Default: `<baseUrl>/oauth2/v2.0/token`. */
  tokenUrl?: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
}

/** Why no token could be had: the token endpoint's RFC 6749 §5.2 error, or what went wrong in between. */
export class FlowbridgeAuthError extends Error {
  constructor(
    /** `invalid_client`, `invalid_request`, ... from the endpoint; `bad_response` when its answer is not a token. */
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'FlowbridgeAuthError';
  }
}

/** The token endpoint Flowbridge serves for its API (auth/routes-oauth.ts). */
export const TOKEN_PATH = '/oauth2/v2.0/token';

/** How long before its expiry a token is renewed: a tenth of its lifetime, at most a minute. */
const renewBefore = (lifetimeMs: number): number => Math.min(60_000, lifetimeMs / 10);

export interface TokenSource {
  /** A valid access token; `renew` forces a new one (after a 401). */
  token(renew?: boolean): Promise<string>;
}

export function clientCredentialsSource(
  credentials: ClientCredentials,
  baseUrl: string,
  fetchFn: typeof fetch,
  now: () => number,
): TokenSource {
  const tokenUrl = credentials.tokenUrl ?? `${baseUrl.replace(/\/+$/, '')}${TOKEN_PATH}`;
  let current: { value: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;

  const request = async (): Promise<string> => {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      ...(credentials.scope !== undefined ? { scope: credentials.scope } : {}),
    });
    const asked = now();
    const response = await fetchFn(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
    });
    const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (!response.ok) {
      const code = typeof body?.error === 'string' ? body.error : 'bad_response';
      const description = typeof body?.error_description === 'string' ? body.error_description : response.statusText;
      throw new FlowbridgeAuthError(code, `The token endpoint refused: ${description}`, response.status);
    }
    const value = body?.access_token;
    const expiresIn = body?.expires_in;
    if (typeof value !== 'string' || typeof expiresIn !== 'number')
      throw new FlowbridgeAuthError('bad_response', 'The token endpoint answered without access_token and expires_in.');
    const lifetimeMs = expiresIn * 1000;
    current = { value, renewAt: asked + lifetimeMs - renewBefore(lifetimeMs) };
    return value;
  };

  return {
    async token(renew = false) {
      if (!renew && current && now() < current.renewAt) return current.value;
      if (renew) current = undefined;
      pending ??= request().finally(() => {
        pending = undefined;
      });
      return pending;
    },
  };
}
