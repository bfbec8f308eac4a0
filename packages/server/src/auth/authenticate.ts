// Bearer token -> principal. Four kinds of token are accepted, told apart by their shape so each
// request costs at most one lookup: the configured admin token (compared in constant time), the
// one-time setup token (fbs_), personal access tokens (fbp_, found by their SHA-256), and JWTs
// issued to OAuth clients by /oauth2/v2.0/token. Without an Authorization header, a browser's
// session cookie (sessions.ts) stands for its user.
import {
  DEFAULT_ENVIRONMENT_ID,
  type PeopleStore,
  type SessionsRole,
  type SettingStore,
  type User,
} from '../store/index.js';
import { looksLikeJwt, verifyClientToken, type SigningKeys } from './jwt.js';
import { isRole, strongestRole } from './permissions.js';
import { hashSecret, secretsEqual } from './secrets.js';
import { resolveSession, type CredentialRequest } from './sessions.js';
import { isSetupToken } from './setup-token.js';
import type { Principal, Role } from './types.js';
import { userRoles } from './user-roles.js';

/** Last-used times are written at most this often per token, not on every request. */
const TOUCH_INTERVAL_MS = 60_000;

export interface AuthenticatorOptions {
  store: PeopleStore & SettingStore & SessionsRole;
  adminToken: string | undefined;
  keys: SigningKeys;
  issuer: string;
  now: () => number;
}

export interface Authenticator {
  /** `request`, when given, lets a session cookie authenticate a request without Authorization. */
  authenticate(authorization: string | undefined, request?: CredentialRequest): Promise<Principal | null>;
  isSetupPrincipal(principal: Principal): boolean;
}

export function bearerToken(authorization: string | undefined): string | null {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
  return m?.[1] ?? null;
}

export function adminPrincipal(): Principal {
  return { kind: 'admin-token', id: 'admin', roles: {}, isAdmin: true };
}

/** A client acts in its one environment with the strongest role it was registered with. */
export function clientPrincipal(client: { id: string; environmentId: string; roles: string[] }): Principal {
  const role = strongestRole(client.roles.filter(isRole));
  const roles: Record<string, Role> = role ? { [client.environmentId]: role } : {};
  return {
    kind: 'client',
    id: client.id,
    roles,
    isAdmin: role === 'admin' && client.environmentId === DEFAULT_ENVIRONMENT_ID,
  };
}

/** A user acts with their role in each environment; admin of the default one is an org admin. */
export async function userPrincipal(store: SettingStore, user: User): Promise<Principal> {
  const roles = await userRoles(store, user);
  return {
    kind: 'user',
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    roles,
    isAdmin: roles[DEFAULT_ENVIRONMENT_ID] === 'admin',
  };
}

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { store, adminToken, keys, issuer, now } = options;
  const setupPrincipals = new WeakSet<Principal>();

  async function viaAccessToken(token: string): Promise<Principal | null> {
    const record = await store.findAccessTokenByHash(hashSecret(token));
    if (!record) return null;
    const user = await store.getUser(record.userId);
    if (!user || user.disabled) return null;
    const at = now();
    if (record.lastUsedAt === null || at - record.lastUsedAt >= TOUCH_INTERVAL_MS) {
      await store.touchAccessToken(record.id, at);
    }
    return userPrincipal(store, user);
  }

  async function viaJwt(token: string): Promise<Principal | null> {
    const clientId = await verifyClientToken(keys, token, { issuer, nowSeconds: Math.floor(now() / 1000) });
    if (clientId === null) return null;
    // Looked up on every request so that deleting a client revokes its tokens at once.
    const client = await store.getOAuthClient(clientId);
    return client ? clientPrincipal(client) : null;
  }

  return {
    async authenticate(authorization, request) {
      if (authorization === undefined && request) {
        const found = await resolveSession(store, request, now());
        return found ? userPrincipal(store, found.user) : null;
      }
      const token = bearerToken(authorization);
      if (token === null) return null;
      if (adminToken && secretsEqual(token, adminToken)) return adminPrincipal();
      if (token.startsWith('fbs_')) {
        if (!(await isSetupToken(store, token))) return null;
        const p = adminPrincipal();
        setupPrincipals.add(p);
        return p;
      }
      if (token.startsWith('fbp_')) return viaAccessToken(token);
      if (looksLikeJwt(token)) return viaJwt(token);
      return null;
    },
    isSetupPrincipal: (principal) => setupPrincipals.has(principal),
  };
}
