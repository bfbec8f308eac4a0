/** What the route modules share: the store, the host, auth, and the server's settings. */
import type { FastifyRequest } from 'fastify';
import type { Auth, Permission, Principal } from '../auth/types.js';
import type { RunHost } from '../host/run-host.js';
import type { FlowLifecycle } from '../runtime.js';
import type { Store } from '../store/index.js';
import { ApiError } from '../util/api-errors.js';
import type { ServerMetrics } from '../host/metrics.js';
import type { RateLimiter } from './rate-limit.js';

export interface RouteContext {
  store: Store;
  host: RunHost;
  auth: Auth;
  metrics: ServerMetrics;
  limiter: RateLimiter;
  now: () => number;
  /** Public base URL (scheme://host:port), for the URLs the API hands out. */
  baseUrl: () => string;
  responseTimeoutMs: number;
  bodyLimit: number;
  /** 'always': every Request trigger's schema is enforced; 'trigger': only where the trigger asks (Logic Apps). */
  schemaValidation: SchemaValidation;
  /** Told of flow changes (connector triggers); none in tests that build a bare app. */
  flowLifecycle?: FlowLifecycle;
}

export type SchemaValidation = 'always' | 'trigger';

const principals = new WeakMap<FastifyRequest, Principal>();

export function setPrincipal(request: FastifyRequest, principal: Principal): void {
  principals.set(request, principal);
}

/** The authenticated caller of an /api/v1 request (the auth hook ran before the handler). */
export function principalOf(request: FastifyRequest): Principal {
  const p = principals.get(request);
  if (!p) throw ApiError.of('Unauthorized', 'Authentication is required.');
  return p;
}

/** Throws 403 unless the caller holds `permission` in the environment. */
export function requirePermission(
  ctx: RouteContext,
  request: FastifyRequest,
  permission: Permission,
  environmentId: string,
): Principal {
  const principal = principalOf(request);
  if (!ctx.auth.authorize(principal, permission, environmentId)) {
    throw ApiError.of('Forbidden', `The caller lacks '${permission}' in environment '${environmentId}'.`);
  }
  return principal;
}
