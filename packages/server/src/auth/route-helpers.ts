// Shared pieces of the auth routes: who is calling, and whether they may.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AuthHttpError, sendAuthError } from './errors.js';
import type { AuthContext } from './context.js';
import { isOrgAdmin } from './permissions.js';
import type { Principal } from './types.js';

export async function requirePrincipal(ctx: AuthContext, req: FastifyRequest): Promise<Principal> {
  const principal = await ctx.authenticate(req.headers.authorization, req);
  if (!principal) {
    throw new AuthHttpError(
      'Unauthorized',
      req.headers.authorization ? 'The bearer token is not valid.' : 'An Authorization: Bearer token is required.',
    );
  }
  return principal;
}

export async function requireAdmin(ctx: AuthContext, req: FastifyRequest): Promise<Principal> {
  const principal = await requirePrincipal(ctx, req);
  if (!isOrgAdmin(principal)) throw new AuthHttpError('Forbidden', 'This needs the admin role.');
  return principal;
}

/** A JSON object body, or InvalidRequest. */
export function objectBody(req: FastifyRequest): Record<string, unknown> {
  const body: unknown = req.body ?? {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AuthHttpError('InvalidRequest', 'The request body must be a JSON object.', 'body');
  }
  return body as Record<string, unknown>;
}

/** Errors of the plugin's routes in the API's shape (encapsulated: other routes keep theirs). */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error, _req, reply) => {
    if (error instanceof AuthHttpError) return sendAuthError(reply, error);
    const e = error as { statusCode?: number; message?: string };
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      // Fastify's own 4xx: malformed JSON, unsupported media type, body too large.
      return reply.code(e.statusCode).send({
        error: { code: 'InvalidRequest', message: e.message ?? 'Bad request', target: 'body' },
      });
    }
    reply.log.error({ err: error }, 'auth route failed');
    return reply.code(500).send({ error: { code: 'InternalError', message: 'Internal error' } });
  });
}
