/**
 * The contract between the HTTP layer and authentication/authorisation. The HTTP app
 * (packages/server/src/http) calls `authenticate` for every /api/v1 request (the signed trigger
 * URLs use their own signature instead) and `authorize` before each operation. The auth module
 * (packages/server/src/auth) implements it and contributes its own routes.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { CredentialRequest } from './sessions.js';

/** Roles per environment (issue: admin, maker, operator, user). */
export type Role = 'admin' | 'maker' | 'operator' | 'user';

export type Permission =
  | 'flows.read'
  | 'flows.write' // create, update, delete, enable/disable, regenerate keys
  | 'runs.read'
  | 'runs.operate' // cancel, resubmit, run a manual trigger
  | 'approvals.respond' // still limited to approvals assigned to the principal
  | 'admin'; // users, clients, settings, audit, switching automation off

export interface Principal {
  kind: 'admin-token' | 'user' | 'client';
  /** User id, OAuth client id, or 'admin' for the admin/setup token. */
  id: string;
  email?: string;
  displayName?: string;
  /** Role in each environment the principal belongs to; admins have every permission everywhere. */
  roles: Record<string, Role>;
  isAdmin: boolean;
}

export interface Auth {
  /**
   * Resolves an Authorization header ("Bearer <token>") to a principal; null when absent or
   * invalid. Given the request, a browser's session cookie counts when there is no such header.
   */
  authenticate(authorization: string | undefined, request?: CredentialRequest): Promise<Principal | null>;
  /** Whether the principal holds `permission` in environment `environmentId`. */
  authorize(principal: Principal, permission: Permission, environmentId: string): boolean;
  /**
   * Whether automation is switched off for the whole organisation or for this flow owner; when it
   * is, triggers do not start runs and the reason is returned (shown by the API).
   */
  automationBlocked(ownerId: string | null): Promise<string | null>;
  /** What automationBlocked would resolve to when it is known without reading; undefined when it is not. */
  automationBlockedNow?(ownerId: string | null): string | null | undefined;
  /** Routes the auth module owns: /oauth2/v2.0/token, /api/v1/users..., /api/v1/clients..., /api/v1/audit, /api/v1/settings/automation... */
  routes: FastifyPluginAsync;
}
