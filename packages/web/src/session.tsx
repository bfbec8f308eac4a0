// Who is signed in, shared with every page.
import { createContext, useContext } from 'react';
import type { SessionUser } from './types.js';

export interface SessionValue {
  user: SessionUser;
  signOut: () => Promise<void>;
}

export const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside the signed-in app');
  return value;
}

/** Whether the signed-in user holds `permission` in `environmentId` (admins hold all). */
export function can(user: SessionUser, permission: string, environmentId = 'default'): boolean {
  return user.isAdmin || (user.permissions[environmentId] ?? []).includes(permission);
}
