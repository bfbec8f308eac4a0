/**
 * Where a host keeps its subscriptions. In memory by default (a restart forgets them: Flowbridge
 * subscribes again only when a flow is saved or turned on); sqliteStore() (sqlite-store.ts) keeps
 * them across restarts. Subscriptions hold callback URLs, which are credentials: a store keeps them
 * to itself, and subscriptions() hands them only to the host.
 */
import type { Subscription, SubscriptionStore } from './types.js';

const copy = (s: Subscription): Subscription => ({ ...s, parameters: { ...s.parameters } });

export function memoryStore(): SubscriptionStore {
  const byId = new Map<string, Subscription>();
  return {
    add: async (subscription) => {
      byId.set(subscription.id, copy(subscription));
    },
    get: async (id) => {
      const found = byId.get(id);
      return found ? copy(found) : undefined;
    },
    remove: async (id) => byId.delete(id),
    list: async (operationId) =>
      [...byId.values()].filter((s) => operationId === undefined || s.operationId === operationId).map(copy),
  };
}
