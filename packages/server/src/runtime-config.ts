/**
 * The runtime `flowbridge start` runs (runtimeFromConfig): auth per the config, one outbound policy,
 * and the built-in features as extensions — approvals, desktop flows, connectors — in the order
 * their connector handlers are tried. runtime.ts builds a runtime from any such list.
 */
import type { Logger } from 'pino';
import { createApprovals } from './approvals/index.js';
import { createAuth } from './auth/index.js';
import type { Auth } from './auth/types.js';
import type { ServerConfig } from './config.js';
import { connectorsExtension } from './connector-host/index.js';
import { createDesktopFlows, timingFromEnv, type DesktopDeps } from './desktop/index.js';
import { createOutboundClient } from './effects/outbound.js';
import { createRuntime, type Runtime, type ServerExtension, type ServerRoles } from './runtime.js';
import { openSecretBox, type SecretBox } from './secrets/index.js';
import type { Store } from './store/index.js';
import { secretSetting } from './store/initial-setting.js';

/** What `flowbridge start` gets from runtimeFromConfig. */
export interface ConfiguredRuntime {
  runtime: Runtime;
  /** The one-time setup token, when no admin exists yet: print it now, it is not kept. */
  setupToken?: string;
}

/** The runtime `flowbridge start` runs: auth per the config, approvals as an extension. */
export async function runtimeFromConfig(
  config: ServerConfig,
  deps: { store: Store; log: Logger; issueSetupToken?: boolean },
): Promise<ConfiguredRuntime> {
  const { store, log } = deps;
  const auth = await createAuth({
    store,
    ...(config.adminToken ? { adminToken: config.adminToken } : {}),
    log,
    ...(deps.issueSetupToken === false ? { issueSetupToken: false } : {}),
  });
  // One outbound policy for every request a flow causes: Http actions, webhooks, linked hosts.
  const outbound = createOutboundClient(config.outboundPolicy);
  const roles: ServerRoles =
    config.role === 'all'
      ? { api: true, worker: true, scheduler: true }
      : { api: config.role === 'api', worker: config.role === 'worker', scheduler: config.role === 'scheduler' };
  const runtime = await createRuntime({
    store,
    auth,
    log,
    roles,
    // Until the listen address is known (start.ts sets it then, unless a public URL is configured).
    publicUrl: config.publicUrl ?? `http://${config.host}:${config.port ?? 7780}`,
    ...(config.retentionDays !== undefined ? { retentionDays: config.retentionDays } : {}),
    ...(config.leaseMs ? { leaseMs: config.leaseMs } : {}),
    ...(config.appSettings ? { appSettings: config.appSettings } : {}),
    ...(config.heartbeatMs ? { heartbeatMs: config.heartbeatMs } : {}),
    effects: { http: { outbound } },
    extensions: [
      approvalsExtension({
        auth,
        fetch: outbound.fetch,
        linkSecret: await secretSetting(store, 'approvals.linkSecret'),
        ...(config.hostSigningSecret ? { hostSigningSecret: config.hostSigningSecret } : {}),
        ...(config.smtpUrl ? { mailer: { smtpUrl: config.smtpUrl, from: config.mailFrom } } : {}),
        ...(config.chatWebhookUrl ? { chatWebhookUrl: config.chatWebhookUrl } : {}),
      }),
      // Desktop flows: machines, agents, sessions, the Dataverse-compatible API, RunUIFlow_V2.
      desktopExtension({
        auth,
        callbackSecret: await secretSetting(store, 'desktop.callbackSecret'),
        fetch: outbound.fetch,
        timing: timingFromEnv(process.env),
      }),
      // After approvals and desktop flows: their handlers take their actions (approvals, Office 365
      // mail, RunUIFlow_V2) first.
      connectorsExtension({ auth, box: await secretBoxOf(config), outbound }),
    ],
  });
  return auth.setupToken ? { runtime, setupToken: auth.setupToken } : { runtime };
}

/** Desktop flows (desktop/index.ts) as an extension: its routes, the RunUIFlow_V2 action, its sweep. */
export function desktopExtension(options: Omit<DesktopDeps, 'store' | 'baseUrl' | 'log'>): ServerExtension {
  return ({ store, log, baseUrl }) => {
    const desktop = createDesktopFlows({ ...options, store, baseUrl, ...(log ? { log } : {}) });
    return {
      routes: desktop.routes,
      renderError: desktop.renderError,
      connectorHandlers: desktop.connectorHandlers,
      onRunEnded: desktop.onRunEnded,
      // Timeouts and lost machines are swept, and undelivered completion callbacks resent.
      resume: () => void desktop.start().catch((err: unknown) => log?.warn({ err }, 'starting desktop flows failed')),
      close: () => desktop.stop(),
    };
  };
}

export interface ApprovalsExtensionOptions {
  auth: Pick<Auth, 'authenticate'>;
  /** HMAC key of the response links and of the linked-host callbacks (at least 16 characters). */
  linkSecret: string;
  /** HMAC key of the linked-host callbacks instead, shared with those hosts (FLOWBRIDGE_HOST_SIGNING_SECRET). */
  hostSigningSecret?: string;
  mailer?: { smtpUrl: string; from: string };
  chatWebhookUrl?: string;
  /** How linked-host callbacks and chat notices go out (the outbound policy's fetch). */
  fetch?: typeof globalThis.fetch;
}

/** Approvals: the shared_approvals connector actions, the approvals API and the response pages. */
export function approvalsExtension(options: ApprovalsExtensionOptions): ServerExtension {
  return ({ store, callbacks, log, baseUrl }) => {
    const approvals = createApprovals({
      store,
      callbacks,
      publicBaseUrl: baseUrl,
      ...options,
      ...(log ? { log } : {}),
    });
    return {
      routes: approvals.routes,
      connectorHandlers: [approvals.handleEffect],
      onRunEnded: (runId, status) => {
        if (status === 'Cancelled') void approvals.cancelApprovalsForRun(runId).catch(() => {});
      },
      // Outcomes a previous process may not have delivered (to a waiting run, to a linked host).
      resume: () => void approvals.resume().catch((err: unknown) => log?.warn({ err }, 'resuming approvals failed')),
      close: () => approvals.close(),
    };
  };
}

/** The master key (FLOWBRIDGE_SECRET_KEY, else a key file in the data folder made at first start). */
async function secretBoxOf(config: ServerConfig): Promise<SecretBox> {
  const opened = await openSecretBox({ env: process.env, dataDir: config.dataDir });
  if (!opened.ok) throw new Error(`${opened.error.code}: ${opened.error.message}`);
  return opened.value;
}
