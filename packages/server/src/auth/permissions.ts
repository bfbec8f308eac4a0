// Which role may do what, and the one authorisation rule. Roles are held per environment; an
// organisation admin (admin in the default environment, the admin token, an admin client) may do
// everything everywhere. An admin of another environment holds every permission in that one only,
// which does not reach the organisation-wide routes (users, clients, settings, audit): those check
// 'admin' in the default environment.
import { DEFAULT_ENVIRONMENT_ID } from '../store/index.js';
import type { Permission, Principal, Role } from './types.js';

export const ROLES: readonly Role[] = ['admin', 'maker', 'operator', 'user'];

export const PERMISSIONS: readonly Permission[] = [
  'flows.read',
  'flows.write',
  'runs.read',
  'runs.operate',
  'approvals.respond',
  'admin',
];

/**
 * The role table. 'user' is someone who answers approvals and nothing more: seeing runs is left to
 * operators and makers (approvals show their own context), which keeps the rule one table lookup.
 */
export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  admin: new Set(PERMISSIONS),
  maker: new Set<Permission>(['flows.read', 'flows.write', 'runs.read', 'runs.operate', 'approvals.respond']),
  operator: new Set<Permission>(['flows.read', 'runs.read', 'runs.operate', 'approvals.respond']),
  user: new Set<Permission>(['approvals.respond']),
};

/** Higher first: when a client is registered with several roles, it acts with the strongest. */
const RANK: Record<Role, number> = { admin: 3, maker: 2, operator: 1, user: 0 };

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/**
 * Reads a role as stored: ours are lower-case; the store's older names (Admin, Maker, Viewer)
 * map onto ours so that users created before this module keep working.
 */
export function toRole(value: unknown): Role | undefined {
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  if (lower === 'viewer') return 'user';
  return isRole(lower) ? lower : undefined;
}

export function strongestRole(roles: readonly Role[]): Role | undefined {
  let best: Role | undefined;
  for (const r of roles) if (best === undefined || RANK[r] > RANK[best]) best = r;
  return best;
}

export function authorize(principal: Principal, permission: Permission, environmentId: string): boolean {
  if (principal.isAdmin) return true;
  const role = principal.roles[environmentId];
  return role !== undefined && ROLE_PERMISSIONS[role].has(permission);
}

/** Organisation admins: who may manage users, clients, settings and read the audit log. */
export function isOrgAdmin(principal: Principal): boolean {
  return authorize(principal, 'admin', DEFAULT_ENVIRONMENT_ID);
}
