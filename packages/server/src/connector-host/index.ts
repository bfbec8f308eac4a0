/**
 * The connector host (issue #14): the connectors and connections API, connector actions, webhook
 * trigger subscriptions and polling triggers, plugged into the runtime as one ServerExtension.
 * The pure core is connectors/; secrets at rest come from secrets/.
 */
import type { Auth } from '../auth/types.js';
import type { HttpEffectOptions, OutboundClient } from '../effects/index.js';
import { callbackUrl } from '../http/triggers.js';
import type { ServerExtension } from '../runtime.js';
import type { SecretBox } from '../secrets/index.js';
import { connectorActionHandler } from './actions.js';
import { connectorLifecycle } from './lifecycle.js';
import { ConnectorPoller } from './poller.js';
import { oauthRoutes } from './oauth-routes.js';
import { connectorRoutes } from './routes.js';
import { ConnectorService } from './service.js';

export { ConnectorService, connectionJson } from './service.js';
export { ConnectorPoller } from './poller.js';

export interface ConnectorsExtensionOptions {
  auth: Pick<Auth, 'authorize'>;
  /** Seals and opens connections' secret parameters. */
  box: SecretBox;
  /** Every request to a connector's service goes through it (the outbound policy). */
  outbound: OutboundClient;
  /** Options of the requests connector actions send (timeouts, user agent); `outbound` is added. */
  http?: HttpEffectOptions;
  now?: () => number;
  /** How often the leader looks for due polling triggers (ms). */
  pollTickMs?: number;
}

export function connectorsExtension(options: ConnectorsExtensionOptions): ServerExtension {
  return ({ store, log, baseUrl, fire }) => {
    const now = options.now ?? Date.now;
    const service = new ConnectorService(store, options.box, options.outbound, now);
    const poller = new ConnectorPoller({
      service,
      store,
      outbound: options.outbound,
      fire,
      now,
      log,
      ...(options.pollTickMs ? { tickMs: options.pollTickMs } : {}),
    });
    return {
      routes: async (app) => {
        connectorRoutes(app, { service, auth: options.auth });
        oauthRoutes(app, { service, auth: options.auth, baseUrl, now });
      },
      connectorHandlers: [
        connectorActionHandler({ service, store, http: { ...options.http, outbound: options.outbound } }),
      ],
      flowLifecycle: connectorLifecycle({
        service,
        store,
        outbound: options.outbound,
        callbackUrl: (flow, triggerName) => callbackUrl({ baseUrl }, flow, triggerName),
        now,
        log,
      }),
      lead: () => poller.start(),
      unlead: () => poller.stop(),
      close: () => poller.stop(),
    };
  };
}
