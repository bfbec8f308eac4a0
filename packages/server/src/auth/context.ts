// What the auth routes share: the store, the clock, the signing keys, and how a request's
// credentials become a principal. createAuth builds one per server.
import type { EnvironmentStore, PeopleStore, SessionsRole, SettingStore } from '../store/index.js';
import type { SigningKeys } from './jwt.js';
import type { CredentialRequest } from './sessions.js';
import type { Principal } from './types.js';

/** The part of a pino logger we use (pino's Logger fits). */
export interface AuthLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/**
 * The store roles auth uses: people, environments, and settings (signing key, setup token,
 * automation switches, roles in other environments, client names).
 */
export type AuthStore = PeopleStore & EnvironmentStore & SettingStore & SessionsRole;

export interface AuthContext {
  store: AuthStore;
  now: () => number;
  log: AuthLogger | undefined;
  issuer: string;
  keys: SigningKeys;
  tokenLifetimeSeconds: number;
  authenticate(authorization: string | undefined, request?: CredentialRequest): Promise<Principal | null>;
  /** Whether the principal came from the one-time setup token (which some actions consume). */
  isSetupPrincipal(principal: Principal): boolean;
}
