// Browser sessions: signing in with a password gives an HttpOnly cookie holding a random session
// id; the store keeps only its SHA-256 with the user, the expiry and a CSRF token. The expiry
// slides forward while the session is used (at most every minute, not on each request), up to an
// absolute lifetime. A call made with the cookie that changes state must carry the session's CSRF
// token in x-csrf-token (csrfGuard): a cross-site page can make the browser send the cookie, but
// cannot read the token. Bearer tokens never go through here.
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PeopleStore, SessionRecord, SessionsRole, User } from '../store/index.js';
import { hashSecret, secretsEqual } from './secrets.js';

export const SESSION_COOKIE = 'flowbridge_session';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** However much it is used, a session ends this long after sign-in. */
export const SESSION_MAX_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
const SLIDE_EVERY_MS = 60_000;
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The parts of a request credentials come from (a FastifyRequest fits). */
export interface CredentialRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface ResolvedSession {
  session: SessionRecord;
  user: User;
  /** The raw id from the cookie (to sign out, or to keep this session when others end). */
  id: string;
}

/** The value of cookie `name` in a Cookie header, if present. */
export function cookieValue(header: string | string[] | undefined, name: string): string | undefined {
  for (const line of [header ?? []].flat()) {
    for (const part of line.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
    }
  }
  return undefined;
}

export function sessionIdOf(request: Pick<CredentialRequest, 'headers'>): string | undefined {
  const id = cookieValue(request.headers.cookie, SESSION_COOKIE);
  return id && /^[\w-]{20,100}$/.test(id) ? id : undefined;
}

export interface NewSession {
  id: string;
  csrfToken: string;
  expiresAt: number;
}

export async function startSession(
  store: PeopleStore & SessionsRole,
  userId: string,
  now: number,
): Promise<NewSession> {
  const id = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = now + SESSION_TTL_MS;
  await store.sessions.createSession({
    idHash: hashSecret(id),
    userId,
    csrfToken,
    createdAt: now,
    expiresAt,
    lastSeenAt: now,
  });
  return { id, csrfToken, expiresAt };
}

// The CSRF guard and the authenticator both need the session of one request: looked up once.
const resolved = new WeakMap<object, Promise<ResolvedSession | null>>();

/** The live session the request's cookie names (its expiry moved forward), or null. */
export function resolveSession(
  store: PeopleStore & SessionsRole,
  request: Pick<CredentialRequest, 'headers'>,
  now: number,
) {
  const cached = resolved.get(request.headers);
  if (cached) return cached;
  const found = lookUp(store, sessionIdOf(request), now);
  resolved.set(request.headers, found);
  return found;
}

async function lookUp(
  store: PeopleStore & SessionsRole,
  id: string | undefined,
  now: number,
): Promise<ResolvedSession | null> {
  if (id === undefined) return null;
  const idHash = hashSecret(id);
  const session = await store.sessions.getSession(idHash);
  if (!session || session.expiresAt <= now) return null;
  const user = await store.getUser(session.userId);
  if (!user || user.disabled) return null;
  if (now - session.lastSeenAt >= SLIDE_EVERY_MS) {
    const expiresAt = Math.min(now + SESSION_TTL_MS, session.createdAt + SESSION_MAX_LIFETIME_MS);
    await store.sessions.extendSession(idHash, expiresAt, now);
    Object.assign(session, { expiresAt, lastSeenAt: now });
  }
  return { session, user, id };
}

export async function endSession(
  store: PeopleStore & SessionsRole,
  request: Pick<CredentialRequest, 'headers'>,
): Promise<void> {
  const id = sessionIdOf(request);
  if (id !== undefined) await store.sessions.deleteSession(hashSecret(id));
  resolved.delete(request.headers);
}

/** The Set-Cookie value that keeps (or with maxAgeMs 0, removes) the session cookie. */
export function sessionCookie(id: string, options: { secure: boolean; maxAgeMs: number }): string {
  const parts = [
    `${SESSION_COOKIE}=${id}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${Math.max(0, Math.floor(options.maxAgeMs / 1000))}`,
  ];
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

/** Paths whose callers are never authenticated by the cookie (they carry their own proof or none). */
function cookieIgnored(method: string, path: string): boolean {
  if (!path.startsWith('/api/v1/')) return true;
  if (path.startsWith('/api/v1/workflows/') || path.startsWith('/api/v1/callbacks/')) return true;
  // Signing in and the first admin's setup start a session rather than use one.
  return method === 'POST' && (path === '/api/v1/session' || path === '/api/v1/setup');
}

/**
 * An onRequest hook: a state-changing /api/v1 call authenticated by the session cookie (no
 * Authorization header) must send x-csrf-token equal to the session's, else 403.
 */
export function csrfGuard(store: PeopleStore & SessionsRole, now: () => number) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (request.headers.cookie === undefined || request.headers.authorization !== undefined) return;
    if (!UNSAFE_METHODS.has(request.method)) return;
    const path = request.url.split('?')[0]!.toLowerCase();
    if (cookieIgnored(request.method, path) || sessionIdOf(request) === undefined) return;
    const found = await resolveSession(store, request, now());
    if (!found) return; // not signed in: the authenticator answers 401
    const sent = request.headers['x-csrf-token'];
    if (typeof sent === 'string' && secretsEqual(sent, found.session.csrfToken)) return;
    await reply.status(403).send({
      error: { code: 'Forbidden', message: 'A call made with the session cookie needs its x-csrf-token header.' },
    });
  };
}

/** Whether the request arrived over HTTPS (directly, or per the public URL behind a proxy). */
export function isSecure(request: FastifyRequest, publicUrl: string): boolean {
  return request.protocol === 'https' || /^https:/i.test(publicUrl);
}
