// PUT /api/v1/users/{id}/password: an organisation admin sets anyone's password; a user changes
// their own by giving the old one. Every other session of that user ends (a changed password is
// often a reaction to a leak); the session making the change, if any, stays.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../util/api-errors.js';
import { principalOf, type RouteContext } from './context.js';
import { audit } from '../auth/audit.js';
import { hashPassword, passwordProblem, verifyPassword } from '../auth/passwords.js';
import { isOrgAdmin } from '../auth/permissions.js';
import { resolveSession } from '../auth/sessions.js';
import { hashSecret } from '../auth/secrets.js';

export function passwordRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;
  app.put('/api/v1/users/:id/password', async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const principal = principalOf(request);
    const user = await store.getUser(request.params.id);
    if (!user) throw new ApiError(404, 'NotFound', `No user with id '${request.params.id}'.`, 'id');
    const b: unknown = request.body;
    const fields = typeof b === 'object' && b !== null && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
    const problem = passwordProblem(fields.password);
    if (problem) throw new ApiError(400, 'InvalidRequest', problem, 'password');
    if (!isOrgAdmin(principal)) {
      if (principal.kind !== 'user' || principal.id !== user.id)
        throw new ApiError(403, 'Forbidden', 'Only an admin or the user themself may set this password.');
      const stored = await store.sessions.getPasswordHash(user.id);
      if (stored === undefined)
        throw new ApiError(403, 'Forbidden', 'You have no password yet: an admin sets the first one.', 'oldPassword');
      const old = fields.oldPassword;
      if (typeof old !== 'string' || !(await verifyPassword(old, stored)))
        throw new ApiError(403, 'Forbidden', 'The old password is not right.', 'oldPassword');
    }
    await store.sessions.setPasswordHash(user.id, await hashPassword(fields.password as string), ctx.now());
    const current = await resolveSession(store, request, ctx.now());
    const keep = current && current.user.id === user.id ? hashSecret(current.id) : undefined;
    await store.sessions.deleteUserSessions(user.id, keep);
    await audit(store, principal, 'user.password', `user:${user.id}`);
    return reply.status(204).send();
  });
}
