/**
 * The OAuth 2.0 consent of a connection: `POST /api/v1/connections/{name}/consentLink` gives the
 * URL to open (the connector's authorization URL with our redirect URI and a sealed `state`), and
 * the provider sends the browser back to `GET /connections/oauth/redirect` (no bearer token: the
 * sealed, short-lived state says which connection), where the code is exchanged for tokens.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../util/api-errors.js';
import { ConnectorHostError } from './errors.js';
import { consentUrl, oauthClientOf } from './oauth.js';
import type { ConnectorRouteDeps } from './routes.js';
import { allowed, environmentOf } from './routes.js';

export const REDIRECT_PATH = '/connections/oauth/redirect';
const STATE_CONTEXT = 'connection-oauth-state';
const STATE_TTL_MS = 15 * 60_000;

export function oauthRoutes(
  app: FastifyInstance,
  deps: ConnectorRouteDeps & { baseUrl: () => string; now: () => number },
): void {
  const { service } = deps;
  const redirectUri = (): string => `${deps.baseUrl()}${REDIRECT_PATH}`;

  app.post(
    '/api/v1/connections/:name/consentLink',
    async (request: FastifyRequest<{ Params: { name: string }; Querystring: { environmentId?: string } }>) => {
      const environmentId = environmentOf({}, request.query);
      allowed(deps, request, 'flows.write', environmentId);
      const record = await service.store.getConnection(environmentId, request.params.name);
      if (!record) throw new ApiError(404, 'NotFound', `There is no connection '${request.params.name}'.`);
      const resolved = await service.resolve(environmentId, record.name).catch((error: unknown) => {
        if (error instanceof ConnectorHostError) throw new ApiError(400, 'InvalidConnector', error.message);
        throw error;
      });
      const client = oauthClientOf(resolved.connector, resolved.values);
      if (!client?.authorizationUrl || !client.clientId)
        throw new ApiError(400, 'InvalidConnector', 'The connection has no OAuth 2.0 authorization URL or client id.');
      const state = service.secrets.seal(
        { environmentId, name: record.name, expires: deps.now() + STATE_TTL_MS },
        STATE_CONTEXT,
      );
      return { value: consentUrl(client, redirectUri(), state), redirectUri: redirectUri() };
    },
  );

  app.get(
    REDIRECT_PATH,
    async (request: FastifyRequest<{ Querystring: Record<string, string | undefined> }>, reply) => {
      const { code, state, error } = request.query;
      if (error) return reply.status(400).type('text/plain').send(`The provider refused the consent (${error}).`);
      const opened = typeof state === 'string' ? service.secrets.open(state, STATE_CONTEXT) : undefined;
      const data = opened?.ok
        ? (opened.value as { environmentId?: string; name?: string; expires?: number })
        : undefined;
      if (!data?.environmentId || !data.name || typeof code !== 'string' || (data.expires ?? 0) < deps.now())
        return reply
          .status(400)
          .type('text/plain')
          .send('The consent link is invalid or has expired: ask for a new one.');
      try {
        await service.completeConsent(data.environmentId, data.name, code, redirectUri());
      } catch (e) {
        if (!(e instanceof ConnectorHostError)) throw e;
        return reply.status(502).type('text/plain').send(`The connection could not be completed: ${e.message}`);
      }
      return reply.type('text/plain').send(`Connection '${data.name}' is connected. You can close this page.`);
    },
  );
}
