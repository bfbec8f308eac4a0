// How users, tokens and clients appear in API responses (never with a hash or secret).
import { DEFAULT_ENVIRONMENT_ID, type AccessToken, type SettingStore, type User } from '../store/index.js';
import { getUserAutomation } from './automation.js';
import type { Role } from './types.js';
import { userRoles } from './user-roles.js';

export interface UserView {
  id: string;
  email: string;
  displayName: string;
  /** Role in the default environment (the organisation), null when none. */
  role: Role | null;
  roles: Record<string, Role>;
  disabled: boolean;
  createdAt: string;
  automation: { enabled: boolean; reason: string | null };
}

export async function userView(store: SettingStore, user: User): Promise<UserView> {
  const roles = await userRoles(store, user);
  const automation = await getUserAutomation(store, user.id);
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    role: roles[DEFAULT_ENVIRONMENT_ID] ?? null,
    roles,
    disabled: user.disabled,
    createdAt: new Date(user.createdAt).toISOString(),
    automation: { enabled: automation.enabled, reason: automation.reason },
  };
}

export function tokenView(token: AccessToken): {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
} {
  return {
    id: token.id,
    name: token.name,
    createdAt: new Date(token.createdAt).toISOString(),
    lastUsedAt: token.lastUsedAt === null ? null : new Date(token.lastUsedAt).toISOString(),
  };
}
