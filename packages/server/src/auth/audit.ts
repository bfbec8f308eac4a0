// The audit log helper every route uses for changes: who (actor), did what (action, dotted:
// 'user.create'), to what (target, 'user:<id>'), with which details (never secrets).
import type { Json, PeopleStore } from '../store/index.js';
import type { Principal } from './types.js';

/** How a principal appears in the audit log: kind and id, e.g. 'user:3f2a...', 'client:ab12', 'admin-token:admin'. */
export function actorOf(principal: Principal | null): string {
  return principal ? `${principal.kind}:${principal.id}` : 'system';
}

export async function audit(
  store: PeopleStore,
  principal: Principal | null,
  action: string,
  target: string,
  details?: Json,
): Promise<number> {
  return store.appendAudit({ actor: actorOf(principal), action, target, details: details ?? null });
}
