// Signing in and out in a browser, and the first start's setup page: POST /api/v1/session
// {email, password} starts a session (cookie + CSRF token), GET says who is signed in, DELETE signs
// out; GET/POST /api/v1/setup create the first admin with the one-time setup token. These routes
// authenticate by what they are sent, so the app's bearer hook lets them through (http/app.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, errorBody } from '../util/api-errors.js';
import type { RouteContext } from './context.js';
import { DEFAULT_ENVIRONMENT_ID, isStoreError, type User } from '../store/index.js';
import { audit } from '../auth/audit.js';
import { userPrincipal } from '../auth/authenticate.js';
import { hashPassword, passwordProblem, verifyNothing, verifyPassword } from '../auth/passwords.js';
import { PERMISSIONS, authorize } from '../auth/permissions.js';
import { clearSignInFailures, noteSignInFailure, signInWait } from '../auth/sessions-throttle.js';
import {
  endSession,
  isSecure,
  resolveSession,
  sessionCookie,
  startSession,
  type NewSession,
} from '../auth/sessions.js';
import { consumeSetupToken, isSetupToken, setupPending } from '../auth/setup-token.js';
import { userView, type UserView } from '../auth/views.js';
import type { AuthStore } from '../auth/context.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The signed-in user as the web app needs it: the user, whether admin, what they may do where. */
export interface SessionUser extends UserView {
  isAdmin: boolean;
  permissions: Record<string, string[]>;
}

export async function sessionUser(store: AuthStore, user: User): Promise<SessionUser> {
  const principal = await userPrincipal(store, user);
  const environments = principal.isAdmin
    ? (await store.listEnvironments()).map((e) => e.id)
    : Object.keys(principal.roles);
  const permissions: Record<string, string[]> = {};
  for (const env of environments) permissions[env] = PERMISSIONS.filter((p) => authorize(principal, p, env));
  return { ...(await userView(store, user)), isAdmin: principal.isAdmin, permissions };
}

function body(request: FastifyRequest): Record<string, unknown> {
  const b: unknown = request.body;
  if (typeof b !== 'object' || b === null || Array.isArray(b))
    throw new ApiError(400, 'InvalidRequest', 'The request body must be a JSON object.', 'body');
  return b as Record<string, unknown>;
}

function text(b: Record<string, unknown>, field: string, max = 200): string {
  const v = b[field];
  if (typeof v !== 'string' || v.trim() === '' || v.length > max)
    throw new ApiError(400, 'InvalidRequest', `'${field}' must be a non-empty string.`, field);
  return v;
}

export function sessionRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;

  async function signedIn(request: FastifyRequest, reply: FastifyReply, user: User, s: NewSession, status: number) {
    reply.header(
      'set-cookie',
      sessionCookie(s.id, { secure: isSecure(request, ctx.baseUrl()), maxAgeMs: s.expiresAt - ctx.now() }),
    );
    return reply
      .status(status)
      .header('cache-control', 'no-store')
      .send({
        user: await sessionUser(store, user),
        csrfToken: s.csrfToken,
        expiresAt: new Date(s.expiresAt).toISOString(),
      });
  }

  app.post('/api/v1/session', async (request, reply) => {
    const b = body(request);
    const email = text(b, 'email').trim().toLowerCase();
    const password = text(b, 'password', 1024);
    const now = ctx.now();
    const wait = await signInWait(store, email, now);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      return reply
        .status(429)
        .header('retry-after', String(seconds))
        .send(errorBody('TooManyRequests', `Too many failed sign-ins for this email: try again in ${seconds} s.`));
    }
    const user = await store.getUserByEmail(email);
    const hash = user && !user.disabled ? await store.sessions.getPasswordHash(user.id) : undefined;
    const ok = hash === undefined ? await verifyNothing(password) : await verifyPassword(password, hash);
    if (!ok || !user) {
      await noteSignInFailure(store, email, now);
      // No WWW-Authenticate: this is no bearer challenge (and browsers would show their own dialog).
      return reply.status(401).send(errorBody('Unauthorized', 'The email or the password is not right.'));
    }
    await clearSignInFailures(store, email);
    const s = await startSession(store, user.id, ctx.now());
    await audit(store, await userPrincipal(store, user), 'session.create', `user:${user.id}`);
    return signedIn(request, reply, user, s, 200);
  });

  app.get('/api/v1/session', async (request, reply) => {
    const found = await resolveSession(store, request, ctx.now());
    if (!found) return reply.status(401).send(errorBody('Unauthorized', 'Not signed in.'));
    const { session, user, id } = found;
    return signedIn(request, reply, user, { id, csrfToken: session.csrfToken, expiresAt: session.expiresAt }, 200);
  });

  app.delete('/api/v1/session', async (request, reply) => {
    await endSession(store, request);
    reply.header('set-cookie', sessionCookie('', { secure: isSecure(request, ctx.baseUrl()), maxAgeMs: 0 }));
    return reply.status(204).send();
  });

  app.get('/api/v1/setup', async (_request, reply) => {
    return reply.header('cache-control', 'no-store').send({ required: await setupPending(store) });
  });

  app.post('/api/v1/setup', async (request, reply) => {
    const b = body(request);
    const setupToken = b.setupToken;
    if (typeof setupToken !== 'string' || !(await isSetupToken(store, setupToken)))
      throw new ApiError(
        403,
        'Forbidden',
        'The setup token is not valid (it works once, until the first admin exists).',
        'setupToken',
      );
    const email = text(b, 'email').trim();
    if (!EMAIL.test(email)) throw new ApiError(400, 'InvalidRequest', "'email' must be an email address.", 'email');
    const displayName =
      b.displayName === undefined || b.displayName === '' ? email.split('@')[0]! : text(b, 'displayName').trim();
    const problem = passwordProblem(b.password);
    if (problem) throw new ApiError(400, 'InvalidRequest', problem, 'password');
    const hash = await hashPassword(b.password as string);
    let user: User;
    try {
      user = await store.createUser({ email, displayName, role: 'admin' });
    } catch (e) {
      if (isStoreError(e, 'Conflict'))
        throw new ApiError(409, 'Conflict', `A user with email '${email}' exists.`, 'email');
      throw e;
    }
    await store.sessions.setPasswordHash(user.id, hash, ctx.now());
    await consumeSetupToken(store);
    const principal = await userPrincipal(store, user);
    await audit(store, principal, 'user.create', `user:${user.id}`, {
      email: user.email,
      role: 'admin',
      environmentId: DEFAULT_ENVIRONMENT_ID,
      via: 'setup',
    });
    return signedIn(request, reply, user, await startSession(store, user.id, ctx.now()), 201);
  });
}
