/**
 * The typed Flowbridge API client: openapi-fetch over the types generated from the server's OpenAPI
 * document (api-types.ts), authenticated by a token given or by OAuth client credentials.
 *
 *   const fb = createFlowbridgeClient({ baseUrl, clientCredentials: { clientId, clientSecret } });
 *   const { data, error } = await fb.GET('/api/v1/flows/{id}', { params: { path: { id } } });
 */
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './api-types.js';
import { clientCredentialsSource, type ClientCredentials, type TokenSource } from './token.js';

export type FlowbridgeClient = Client<paths>;

interface CommonOptions {
  /** The server's root URL, e.g. `http://127.0.0.1:7780`. */
  baseUrl: string;
  /** Replaces the global fetch (tests, proxies). */
  fetch?: typeof fetch;
  /** The clock token expiry is judged by (tests). */
  now?: () => number;
}

export type FlowbridgeClientOptions = CommonOptions &
  (
    | {
        /** A bearer token: a personal access token (fbp_...), the admin token or a JWT. */
        token: string;
      }
    | { clientCredentials: ClientCredentials }
  );

export function createFlowbridgeClient(options: FlowbridgeClientOptions): FlowbridgeClient {
  const baseFetch = options.fetch ?? globalThis.fetch;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const tokens: TokenSource =
    'token' in options
      ? { token: async () => options.token }
      : clientCredentialsSource(options.clientCredentials, baseUrl, baseFetch, options.now ?? Date.now);
  const renewable = !('token' in options);

  const send = async (request: Request, renew: boolean): Promise<Response> => {
    request.headers.set('authorization', `Bearer ${await tokens.token(renew)}`);
    return baseFetch(request);
  };
  const authorizedFetch = async (request: Request): Promise<Response> => {
    // Kept to send again: a body can be read once.
    const again = renewable ? request.clone() : undefined;
    const response = await send(request, false);
    if (response.status !== 401 || !again) return response;
    // Once: a token the server no longer takes (a new signing key, clocks apart) is renewed.
    await response.body?.cancel();
    return send(again, true);
  };
  return createClient<paths>({ baseUrl, fetch: authorizedFetch });
}

/** What a host lists flows or templates by: what their trigger uses. */
export interface TriggerQuery {
  connector?: string;
  /** The trigger's connector operation (`inputs.host.operationId`). */
  operation?: string;
  /** Trigger parameter values (`inputs.parameters`), all required. */
  parameters?: Record<string, string>;
}

/**
 * The query of `GET /api/v1/flows` (and `/api/v1/templates`) for a trigger: `connector`,
 * `triggerOperation` and a `triggerParameter.<name>` per parameter, e.g.
 * `fb.GET('/api/v1/flows', { params: { query: triggerQuery({ connector: 'shared_crm', operation: 'OnLeadCreated' }) } })`.
 */
export function triggerQuery(
  query: TriggerQuery,
): { connector?: string; triggerOperation?: string } & Record<`triggerParameter.${string}`, string> {
  return {
    ...(query.connector !== undefined ? { connector: query.connector } : {}),
    ...(query.operation !== undefined ? { triggerOperation: query.operation } : {}),
    ...Object.fromEntries(Object.entries(query.parameters ?? {}).map(([k, v]) => [`triggerParameter.${k}`, v])),
  };
}
