// Authentication, authorisation, tenancy and audit for the Flowbridge server (see types.ts for the
// contract with the HTTP layer). createAuth is called once per server process.
import type { JWK } from 'jose';
import { automationBlocked, automationBlockedNow } from './automation.js';
import { createAuthenticator } from './authenticate.js';
import type { AuthContext, AuthLogger, AuthStore } from './context.js';
import { DEFAULT_ISSUER, DEFAULT_TOKEN_LIFETIME_SECONDS, loadSigningKeys } from './jwt.js';
import { authorize } from './permissions.js';
import { authRoutes } from './routes.js';
import { ensureSetupToken } from './setup-token.js';
import type { Auth } from './types.js';

export interface CreateAuthOptions {
  store: AuthStore;
  /** FLOWBRIDGE_ADMIN_TOKEN: accepted as an admin bearer token. */
  adminToken?: string;
  log?: AuthLogger;
  now?: () => number;
  /**
   * false: no new setup token now (the workers of `flowbridge start --workers`, whose primary made
   * and printed the one that works); default true.
   */
  issueSetupToken?: boolean;
  /** A private ES256 JWK to sign client tokens with; by default one is generated once and kept in settings. */
  signingKey?: JWK;
  /** The `iss` of issued tokens (default 'flowbridge'). */
  issuer?: string;
  /** Lifetime of issued client tokens in seconds (default 3600). */
  tokenLifetimeSeconds?: number;
}

export interface CreatedAuth extends Auth {
  /**
   * The one-time setup token, when no admin token is configured and no user exists yet. Only its
   * hash is stored: the caller (`flowbridge start`) must print it now, it cannot be shown again.
   */
  setupToken?: string;
}

export async function createAuth(options: CreateAuthOptions): Promise<CreatedAuth> {
  const { store, log } = options;
  const adminToken = options.adminToken === '' ? undefined : options.adminToken;
  const now = options.now ?? Date.now;
  const issuer = options.issuer ?? DEFAULT_ISSUER;
  const keys = await loadSigningKeys(store, options.signingKey);
  const authenticator = createAuthenticator({ store, adminToken, keys, issuer, now });
  const setupToken = options.issueSetupToken === false ? undefined : await ensureSetupToken(store, adminToken);
  // The token itself is not logged: logs travel further than the console.
  if (setupToken)
    log?.warn({}, 'no admin exists yet: a one-time setup token was created (printed by flowbridge start)');

  const ctx: AuthContext = {
    store,
    now,
    log,
    issuer,
    keys,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS,
    authenticate: authenticator.authenticate,
    isSetupPrincipal: authenticator.isSetupPrincipal,
  };
  const auth: CreatedAuth = {
    authenticate: authenticator.authenticate,
    authorize,
    automationBlocked: (ownerId) => automationBlocked(store, ownerId),
    automationBlockedNow: (ownerId) => automationBlockedNow(store, ownerId),
    routes: authRoutes(ctx),
  };
  if (setupToken) auth.setupToken = setupToken;
  return auth;
}

export { audit, actorOf } from './audit.js';
export { authorize, isOrgAdmin, ROLE_PERMISSIONS, ROLES, PERMISSIONS } from './permissions.js';
export { bearerToken } from './authenticate.js';
export type { AuthLogger } from './context.js';
export type * from './types.js';
