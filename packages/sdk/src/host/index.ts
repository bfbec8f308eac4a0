/**
 * createConnectorHost: a host application (a CRM, an ERP) declares the events flows can start from
 * (webhook triggers) and the operations flows can call (actions); the kit generates the custom
 * connector Flowbridge imports, serves its subscribe / unsubscribe / action requests, and delivers
 * events to the flows that subscribed. README "Host kit (@flowbridge/sdk)".
 */
import { connectorFiles } from './document.js';
import { DEFAULT_RETRY, emitEvent, matches, resumeDeliveries, sleep, type DeliveryDeps } from './delivery.js';
import { checkOptions } from './options.js';
import { createHandler } from './routes.js';
import { memoryStore } from './store.js';
import type {
  ConnectorFiles,
  ConnectorHostOptions,
  DeliveryOutcome,
  EmitOptions,
  Subscription,
  SubscriptionStore,
} from './types.js';

export interface ConnectorHost {
  /** The web-standard handler (mount it with toNodeHandler in node:http). */
  fetch(request: Request): Promise<Response>;
  /** The custom connector's files, as `POST /api/v1/connectors` takes them. */
  connector(): ConnectorFiles;
  /** Delivers an event to the matching subscriptions; one outcome per subscription. */
  emit(operationId: string, payload: unknown, options?: EmitOptions): Promise<DeliveryOutcome[]>;
  /**
   * Delivers what an earlier process of this host left unsettled in the store's journal (it
   * stopped or crashed while a delivery waited for its next try); call it once at start. Nothing
   * to do with a store that keeps no journal (memoryStore).
   */
  resumeDeliveries(): Promise<DeliveryOutcome[]>;
  /**
   * The live subscriptions of a trigger (of every trigger when none is named); with parameters,
   * those an emit() with these parameters reaches.
   */
  subscriptions(operationId?: string, parameters?: Record<string, string | number | boolean>): Promise<Subscription[]>;
  readonly store: SubscriptionStore;
}

export function createConnectorHost(options: ConnectorHostOptions): ConnectorHost {
  const base = checkOptions(options);
  const files = connectorFiles(options);
  const store = options.store ?? memoryStore();
  const now = options.now ?? Date.now;
  const newId = (): string => crypto.randomUUID();
  const deliveryDeps: DeliveryDeps = {
    triggers: options.triggers ?? {},
    store,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    retry: { ...DEFAULT_RETRY, sleep, ...options.retry },
    signingSecret: options.signingSecret,
    now,
    newId,
  };
  const handle = createHandler({ options, base, files, store, now, newId });
  return {
    fetch: handle,
    connector: () => structuredClone(files),
    emit: (operationId, payload, emitOptions) => emitEvent(deliveryDeps, operationId, payload, emitOptions),
    resumeDeliveries: () => resumeDeliveries(deliveryDeps),
    subscriptions: async (operationId, parameters) =>
      (await store.list(operationId)).filter((s) => parameters === undefined || matches(s, parameters)),
    store,
  };
}
