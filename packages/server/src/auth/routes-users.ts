// Users, their personal access tokens, their automation switch, and /me.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DEFAULT_ENVIRONMENT_ID, isStoreError, type User } from '../store/index.js';
import { audit, actorOf } from './audit.js';
import { setUserAutomation } from './automation.js';
import type { AuthContext } from './context.js';
import { ApiError } from '../util/api-errors.js';
import { hashPassword, passwordProblem } from './passwords.js';
import { PERMISSIONS, ROLES, authorize, isOrgAdmin, isRole } from './permissions.js';
import { invalid, objectBody, requireAdmin, requirePrincipal } from './route-helpers.js';
import { hashSecret, newSecret } from './secrets.js';
import { consumeSetupToken } from './setup-token.js';
import type { Principal, Role } from './types.js';
import { NO_ROLE, setUserRole } from './user-roles.js';
import { tokenView, userView } from './views.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_TEXT = 200;

type IdParams = { id: string };

function optionalText(body: Record<string, unknown>, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.trim() === '' || v.length > MAX_TEXT) {
    invalid(field, `${field} must be a non-empty string of at most ${MAX_TEXT} characters.`);
  }
  return v.trim();
}

function invalidPassword(password: unknown): void {
  const problem = passwordProblem(password);
  if (problem) invalid('password', problem);
}

async function environmentIdOf(ctx: AuthContext, body: Record<string, unknown>): Promise<string> {
  const env = body.environmentId;
  if (env === undefined || env === null) return DEFAULT_ENVIRONMENT_ID;
  if (typeof env !== 'string' || !(await ctx.store.getEnvironment(env))) {
    invalid('environmentId', 'environmentId must name an existing environment.');
  }
  return env;
}

async function findUser(ctx: AuthContext, id: string): Promise<User> {
  const user = await ctx.store.getUser(id);
  if (!user) throw ApiError.of('NotFound', `No user with id '${id}'.`, 'id');
  return user;
}

/** Admins manage everyone; a user manages their own tokens. */
function requireSelfOrAdmin(principal: Principal, userId: string): void {
  if (isOrgAdmin(principal)) return;
  if (principal.kind === 'user' && principal.id === userId) return;
  throw ApiError.of('Forbidden', 'Only an admin or the user themself may do this.');
}

export function userRoutes(app: FastifyInstance, ctx: AuthContext): void {
  const { store } = ctx;

  app.get('/api/v1/me', async (req) => {
    const principal = await requirePrincipal(ctx, req);
    // What the principal may do where: the UI greys out what it cannot.
    const environments = principal.isAdmin
      ? (await store.listEnvironments()).map((e) => e.id)
      : Object.keys(principal.roles);
    const permissions: Record<string, string[]> = {};
    for (const env of environments) permissions[env] = PERMISSIONS.filter((p) => authorize(principal, p, env));
    return { ...principal, permissions };
  });

  app.post('/api/v1/users', async (req, reply) => {
    const principal = await requireAdmin(ctx, req);
    const body = objectBody(req);
    const email = body.email;
    if (typeof email !== 'string' || !EMAIL.test(email.trim()) || email.length > MAX_TEXT) {
      invalid('email', 'email must be an email address.');
    }
    const role = body.role;
    if (!isRole(role)) invalid('role', `role must be one of ${ROLES.join(', ')}.`);
    const displayName = optionalText(body, 'displayName') ?? email.trim().split('@')[0] ?? email;
    const environmentId = await environmentIdOf(ctx, body);
    // An optional password lets the user sign in to the web app (http/session-routes.ts).
    const password = body.password === undefined || body.password === null ? undefined : body.password;
    if (password !== undefined) invalidPassword(password);
    if (await store.getUserByEmail(email)) {
      throw ApiError.of('Conflict', `A user with email '${email}' exists.`, 'email');
    }
    let user: User;
    try {
      user = await store.createUser({
        email,
        displayName,
        role: environmentId === DEFAULT_ENVIRONMENT_ID ? role : NO_ROLE,
      });
    } catch (e) {
      // Two admins creating the same email at once: the unique index decides.
      if (isStoreError(e, 'Conflict')) throw ApiError.of('Conflict', `A user with email '${email}' exists.`, 'email');
      throw e;
    }
    if (typeof password === 'string')
      await store.sessions.setPasswordHash(user.id, await hashPassword(password), ctx.now());
    if (environmentId !== DEFAULT_ENVIRONMENT_ID) await setUserRole(store, user, environmentId, role);
    await audit(store, principal, 'user.create', `user:${user.id}`, { email: user.email, role, environmentId });
    const view = await userView(store, user);
    if (!ctx.isSetupPrincipal(principal)) return reply.code(201).send(view);
    // Created with the setup token: the user gets their credential now, in the same answer, since
    // the setup token ends below and nothing else could sign them in (shown once; the store keeps
    // its hash).
    const token = newSecret('fbp');
    const record = await store.createAccessToken({ userId: user.id, hash: hashSecret(token), name: 'setup' });
    await audit(store, principal, 'token.create', `user:${user.id}`, { tokenId: record.id, name: record.name });
    if (role === 'admin' && environmentId === DEFAULT_ENVIRONMENT_ID) {
      await consumeSetupToken(store); // the first admin exists: setup is over
    }
    return reply.code(201).send({ ...view, token });
  });

  app.get('/api/v1/users', async (req) => {
    await requireAdmin(ctx, req);
    const users = await store.listUsers();
    return { value: await Promise.all(users.map((u) => userView(store, u))) };
  });

  app.get('/api/v1/users/:id', async (req: FastifyRequest<{ Params: IdParams }>) => {
    const principal = await requirePrincipal(ctx, req);
    requireSelfOrAdmin(principal, req.params.id);
    return userView(store, await findUser(ctx, req.params.id));
  });

  app.patch('/api/v1/users/:id', async (req: FastifyRequest<{ Params: IdParams }>) => {
    const principal = await requireAdmin(ctx, req);
    let user = await findUser(ctx, req.params.id);
    const body = objectBody(req);
    const changes: Record<string, unknown> = {};
    const displayName = optionalText(body, 'displayName');
    if (body.disabled !== undefined && typeof body.disabled !== 'boolean')
      invalid('disabled', 'disabled must be true or false.');
    if (body.role !== undefined && body.role !== null && !isRole(body.role)) {
      invalid('role', `role must be one of ${ROLES.join(', ')}, or null to remove the user from the environment.`);
    }
    const environmentId = await environmentIdOf(ctx, body);
    const self = principal.kind === 'user' && principal.id === user.id;
    const losesAdmin =
      body.disabled === true ||
      (body.role !== undefined && body.role !== 'admin' && environmentId === DEFAULT_ENVIRONMENT_ID);
    // An admin cannot lock themself out by accident; another admin (or the admin token) can.
    if (self && losesAdmin) throw ApiError.of('Conflict', 'You cannot disable yourself or drop your own admin role.');
    if (displayName !== undefined || typeof body.disabled === 'boolean') {
      const patch: { displayName?: string; disabled?: boolean } = {};
      if (displayName !== undefined) patch.displayName = changes.displayName = displayName;
      if (typeof body.disabled === 'boolean') patch.disabled = changes.disabled = body.disabled;
      user = await store.updateUser(user.id, patch);
    }
    if (body.role !== undefined) {
      await setUserRole(store, user, environmentId, body.role as Role | null);
      changes.role = body.role;
      changes.environmentId = environmentId;
      user = await findUser(ctx, user.id);
    }
    await audit(store, principal, 'user.update', `user:${user.id}`, changes);
    return userView(store, user);
  });

  app.put('/api/v1/users/:id/automation', async (req: FastifyRequest<{ Params: IdParams }>) => {
    const principal = await requireAdmin(ctx, req);
    const user = await findUser(ctx, req.params.id);
    const { enabled, reason } = automationBody(objectBody(req));
    await setUserAutomation(store, user.id, {
      enabled,
      reason: enabled ? null : reason,
      changedAt: ctx.now(),
      changedBy: actorOf(principal),
    });
    await audit(store, principal, enabled ? 'automation.user.enable' : 'automation.user.disable', `user:${user.id}`, {
      reason,
    });
    return (await userView(store, user)).automation;
  });

  app.post('/api/v1/users/:id/tokens', async (req: FastifyRequest<{ Params: IdParams }>, reply) => {
    const principal = await requirePrincipal(ctx, req);
    requireSelfOrAdmin(principal, req.params.id);
    const user = await findUser(ctx, req.params.id);
    if (user.disabled) throw ApiError.of('Conflict', 'The user is disabled.', 'id');
    const name = optionalText(objectBody(req), 'name') ?? 'token';
    const token = newSecret('fbp');
    const record = await store.createAccessToken({ userId: user.id, hash: hashSecret(token), name });
    await audit(store, principal, 'token.create', `user:${user.id}`, { tokenId: record.id, name });
    if (ctx.isSetupPrincipal(principal)) await consumeSetupToken(store);
    // The only time the token is shown: the store keeps its hash.
    return reply.code(201).send({ ...tokenView(record), token });
  });

  app.get('/api/v1/users/:id/tokens', async (req: FastifyRequest<{ Params: IdParams }>) => {
    const principal = await requirePrincipal(ctx, req);
    requireSelfOrAdmin(principal, req.params.id);
    await findUser(ctx, req.params.id);
    return { value: (await store.listAccessTokens(req.params.id)).map(tokenView) };
  });

  app.delete(
    '/api/v1/users/:id/tokens/:tokenId',
    async (req: FastifyRequest<{ Params: IdParams & { tokenId: string } }>, reply) => {
      const principal = await requirePrincipal(ctx, req);
      requireSelfOrAdmin(principal, req.params.id);
      const tokens = await store.listAccessTokens(req.params.id);
      if (!tokens.some((t) => t.id === req.params.tokenId)) {
        throw ApiError.of('NotFound', `User '${req.params.id}' has no token '${req.params.tokenId}'.`, 'tokenId');
      }
      await store.deleteAccessToken(req.params.tokenId);
      await audit(store, principal, 'token.revoke', `user:${req.params.id}`, { tokenId: req.params.tokenId });
      return reply.code(204).send();
    },
  );
}

export function automationBody(body: Record<string, unknown>): { enabled: boolean; reason: string | null } {
  if (typeof body.enabled !== 'boolean') invalid('enabled', 'enabled must be true or false.');
  const reason = body.reason;
  if (reason !== undefined && reason !== null && (typeof reason !== 'string' || reason.length > 500)) {
    invalid('reason', 'reason must be a string of at most 500 characters.');
  }
  return { enabled: body.enabled, reason: typeof reason === 'string' && reason.trim() !== '' ? reason.trim() : null };
}
