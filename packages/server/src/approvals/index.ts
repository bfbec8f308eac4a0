/**
 * Approvals and notifications: the built-in shared_approvals connector, the Office 365 send-mail
 * action, the approvals REST API and the one-click response pages. The host injects the store,
 * its CallbackSink and Auth; `handleEffect` plugs into createEffectExecutor's connectorHandlers and
 * `routes` into the HTTP app.
 */
import { createEffectHandler } from './effect.js';
import { createMailer } from './notify.js';
import { createRoutes } from './routes.js';
import { ApprovalService } from './service.js';
import type { Approvals, ApprovalsOptions } from './types.js';

const DEFAULT_LINK_TTL_MS = 30 * 24 * 3600 * 1000;

const silent = { info: () => {}, warn: () => {} };
const constant =
  (value: string): (() => string) =>
  () =>
    value;

export function createApprovals(options: ApprovalsOptions): Approvals {
  if (options.linkSecret.length < 16) throw new Error('createApprovals: linkSecret must be at least 16 characters.');
  if (options.hostSigningSecret !== undefined && options.hostSigningSecret.length < 16)
    throw new Error('createApprovals: hostSigningSecret must be at least 16 characters.');
  const service = new ApprovalService({
    store: options.store,
    callbacks: options.callbacks,
    mailer: options.mailer ? createMailer(options.mailer) : undefined,
    chatWebhookUrl: options.chatWebhookUrl,
    publicBaseUrl:
      typeof options.publicBaseUrl === 'function' ? options.publicBaseUrl : constant(options.publicBaseUrl),
    linkSecret: options.linkSecret,
    hostSigningSecret: options.hostSigningSecret ?? options.linkSecret,
    linkTtlMs: options.linkTtlMs ?? DEFAULT_LINK_TTL_MS,
    tenantId: options.tenantId ?? 'default',
    now: options.now ?? Date.now,
    log: options.log ?? silent,
    fetch: options.fetch ?? globalThis.fetch,
    ...(options.hostRetryDelaysMs ? { hostRetryDelaysMs: options.hostRetryDelaysMs } : {}),
  });
  return {
    handleEffect: createEffectHandler(service),
    routes: createRoutes(service, options),
    cancelApprovalsForRun: (runId) => service.cancelForRun(runId),
    redeliver: (approvalId) => service.redeliver(approvalId),
    resume: (withinMs = 7 * 24 * 3600 * 1000) => service.resume(withinMs),
    idle: () => service.idle(),
    close: () => service.close(),
  };
}

export { approvalIdFor, callbackKeyFor } from './effect.js';
export { connectorOf, parseConnectorCall } from './inputs.js';
export { verifyLinkToken } from './tokens.js';
export type * from './types.js';
