// A user's role per environment. The store's users row has one `role` column: it holds the role in
// the default environment (the organisation), and roles in other environments live in one setting
// per user, so the common single-environment case costs no extra row.
import { DEFAULT_ENVIRONMENT_ID, type PeopleStore, type SettingStore, type User } from '../store/index.js';
import { isRole, toRole } from './permissions.js';
import type { Role } from './types.js';

/** Stored in the users row when a user has no role in the default environment. */
export const NO_ROLE = 'none';

const key = (userId: string): string => `auth.userRoles.${userId}`;

export async function userRoles(store: SettingStore, user: User): Promise<Record<string, Role>> {
  const roles: Record<string, Role> = {};
  const stored = await store.getSetting(key(user.id));
  if (stored && typeof stored === 'object') {
    for (const [env, role] of Object.entries(stored as Record<string, unknown>)) {
      if (env !== DEFAULT_ENVIRONMENT_ID && isRole(role)) roles[env] = role;
    }
  }
  const home = toRole(user.role);
  if (home) roles[DEFAULT_ENVIRONMENT_ID] = home;
  return roles;
}

/** Sets (or with null removes) the user's role in one environment. */
export async function setUserRole(
  store: PeopleStore & SettingStore,
  user: User,
  environmentId: string,
  role: Role | null,
): Promise<void> {
  if (environmentId === DEFAULT_ENVIRONMENT_ID) {
    await store.updateUser(user.id, { role: role ?? NO_ROLE });
    return;
  }
  const stored = (await store.getSetting(key(user.id))) as Record<string, unknown> | undefined;
  const next: Record<string, unknown> = { ...(stored && typeof stored === 'object' ? stored : {}) };
  if (role === null) delete next[environmentId];
  else next[environmentId] = role;
  await store.setSetting(key(user.id), next);
}
