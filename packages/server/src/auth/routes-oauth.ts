// POST /oauth2/v2.0/token: the OAuth 2.0 client credentials grant (RFC 6749 §4.4), at the path
// Microsoft identity platform uses so Azure-minded callers find it. Client authentication by
// HTTP Basic (§2.3.1) or by client_id/client_secret in the body; bodies form-encoded (the
// standard) or JSON. Errors are RFC 6749 §5.2's `{error, error_description}`, not the API's shape.
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { AuthContext } from './context.js';
import { signClientToken } from './jwt.js';
import { matchesHash } from './secrets.js';

type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope';

function oauthError(reply: FastifyReply, code: OAuthErrorCode, description: string, basic = false): FastifyReply {
  const status = code === 'invalid_client' ? 401 : 400;
  if (code === 'invalid_client') reply.header('www-authenticate', basic ? 'Basic realm="flowbridge"' : 'Bearer');
  return reply.code(status).header('cache-control', 'no-store').send({ error: code, error_description: description });
}

/** client_id and client_secret from an Authorization: Basic header, form-decoded per §2.3.1. */
function basicCredentials(header: string | undefined): { id: string; secret: string } | null | 'malformed' {
  const m = /^Basic[ \t]+(\S+)$/i.exec(header ?? '');
  if (!m?.[1]) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'malformed';
  try {
    const plus = (s: string): string => decodeURIComponent(s.replace(/\+/g, ' '));
    return { id: plus(decoded.slice(0, colon)), secret: plus(decoded.slice(colon + 1)) };
  } catch {
    return 'malformed';
  }
}

function field(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function oauthRoutes(ctx: AuthContext): FastifyPluginAsync {
  return async (app) => {
    // Fastify parses JSON only; RFC 6749 requests are form-encoded. Scoped to this plugin.
    if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
      app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      });
    }

    app.post('/oauth2/v2.0/token', async (req, reply) => {
      const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
      const grantType = field(body, 'grant_type');
      if (grantType === undefined) return oauthError(reply, 'invalid_request', 'grant_type is required.');
      if (grantType !== 'client_credentials') {
        return oauthError(reply, 'unsupported_grant_type', 'Only grant_type=client_credentials is supported.');
      }
      const basic = basicCredentials(req.headers.authorization);
      if (basic === 'malformed') return oauthError(reply, 'invalid_client', 'Malformed Basic credentials.', true);
      const bodyId = field(body, 'client_id');
      const bodySecret = field(body, 'client_secret');
      if (basic && bodySecret !== undefined) {
        return oauthError(reply, 'invalid_request', 'Use one client authentication method, not both.');
      }
      const id = basic?.id ?? bodyId;
      const secret = basic?.secret ?? bodySecret;
      if (id === undefined || secret === undefined) {
        return oauthError(reply, 'invalid_client', 'client_id and client_secret are required.', basic !== null);
      }
      const client = await ctx.store.getOAuthClient(id);
      // Same answer for an unknown client and a wrong secret: nothing to enumerate.
      if (!client || !matchesHash(secret, client.secretHash)) {
        return oauthError(reply, 'invalid_client', 'Client authentication failed.', basic !== null);
      }
      const scope = field(body, 'scope');
      const accessToken = await signClientToken(
        ctx.keys,
        scope === undefined ? { sub: client.id } : { sub: client.id, scope },
        { issuer: ctx.issuer, nowSeconds: Math.floor(ctx.now() / 1000), lifetimeSeconds: ctx.tokenLifetimeSeconds },
      );
      ctx.log?.info({ clientId: client.id }, 'issued a client access token');
      return reply
        .header('cache-control', 'no-store')
        .header('pragma', 'no-cache')
        .send({
          access_token: accessToken,
          token_type: 'Bearer',
          expires_in: ctx.tokenLifetimeSeconds,
          ...(scope === undefined ? {} : { scope }),
        });
    });
  };
}
