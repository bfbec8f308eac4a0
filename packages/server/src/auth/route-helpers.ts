// Shared pieces of the auth routes: who is calling, whether they may, and what they sent. Errors
// are the API's (util/api-errors.ts), answered by the server's one error handler.
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../util/api-errors.js';
import { isRecord } from '../util/json.js';
import type { AuthContext } from './context.js';
import { isOrgAdmin } from './permissions.js';
import type { Principal } from './types.js';

export async function requirePrincipal(ctx: AuthContext, req: FastifyRequest): Promise<Principal> {
  const principal = await ctx.authenticate(req.headers.authorization, req);
  if (!principal) {
    throw ApiError.of(
      'Unauthorized',
      req.headers.authorization ? 'The bearer token is not valid.' : 'An Authorization: Bearer token is required.',
    );
  }
  return principal;
}

export async function requireAdmin(ctx: AuthContext, req: FastifyRequest): Promise<Principal> {
  const principal = await requirePrincipal(ctx, req);
  if (!isOrgAdmin(principal)) throw ApiError.of('Forbidden', 'This needs the admin role.');
  return principal;
}

/** A JSON object body, or InvalidRequest. */
export function objectBody(req: FastifyRequest): Record<string, unknown> {
  const body: unknown = req.body ?? {};
  if (!isRecord(body)) throw ApiError.of('InvalidRequest', 'The request body must be a JSON object.', 'body');
  return body;
}

/** Throws InvalidRequest naming `target` (a field of the request body or query). */
export function invalid(target: string, message: string): never {
  throw ApiError.of('InvalidRequest', message, target);
}
