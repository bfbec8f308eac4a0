/**
 * createServer: the fastify app with the flows, triggers and runs APIs, health, metrics and the
 * OpenAPI document, wired to a RunHost on the given store. Auth and approvals plug in through
 * injection (`auth`, `extensions`), so this module knows their contracts only.
 */
import { RetentionPruner } from '../host/retention.js';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import type { Auth } from '../auth/types.js';
import type { CallbackSink } from '../approvals/types.js';
import type { ConnectorHandler, EffectExecutorOptions } from '../effects/index.js';
import type { EffectExecutor } from '../effects/types.js';
import { RunHost } from '../host/run-host.js';
import { RecurrenceScheduler } from '../host/scheduler.js';
import type { Store } from '../store/index.js';
import { version } from '../version.js';
import { callbackRoutes } from './callbacks.js';
import { setPrincipal, type RouteContext } from './context.js';
import { errorBody, handleError } from './errors.js';
import { flowRoutes } from './flows.js';
import { createMetrics } from './metrics.js';
import { RateLimiter } from './rate-limit.js';
import { runRoutes } from './runs.js';
import { invokeRoutes, triggerRoutes } from './triggers.js';
import { csrfGuard } from '../auth/sessions.js';
import { webRoutes } from './web.js';

export interface ServerRoles {
  /** Serves the HTTP API and trigger URLs. */
  api: boolean;
  /** Claims run wake-ups from the queue and resumes unfinished runs. */
  worker: boolean;
  /** Fires timers (and recurrences) while it holds the scheduler leadership. */
  scheduler: boolean;
}

/** What an extension (the approvals module) receives to work with the host. */
export interface ExtensionDeps {
  store: Store;
  callbacks: CallbackSink;
  log: Logger | undefined;
  baseUrl: () => string;
}

/** An extension contributes routes and effect handlers for connector actions it owns. */
export type ServerExtension = (deps: ExtensionDeps) => {
  routes?: FastifyPluginAsync;
  connectorHandlers?: ConnectorHandler[];
  /** Told when a run ends (e.g. approvals end the pending approvals of a cancelled run). */
  onRunEnded?: (runId: string, status: string) => void;
};

export interface ServerOptions {
  store: Store;
  auth: Auth;
  /** pino logger; none = silent (tests). */
  log?: Logger;
  now?: () => number;
  effects?: EffectExecutorOptions;
  /** Replaces the effect executors (tests). */
  executor?: EffectExecutor;
  connectorHandlers?: ConnectorHandler[];
  extraRoutes?: FastifyPluginAsync[];
  extensions?: ServerExtension[];
  /** Public base URL for handed-out URLs; default: the address the server listens on. */
  publicUrl?: string;
  roles?: Partial<ServerRoles>;
  /** How long a Request caller waits for the Response (spec §4.1: LA 120 s). */
  responseTimeoutMs?: number;
  /** Largest trigger request body (bytes; default 100 MiB, as Logic Apps). */
  bodyLimit?: number;
  /** Trigger calls per flow per minute (default 6000). */
  rateLimitPerMinute?: number;
  /** Worker/timer polling interval when not woken (ms). */
  pollMs?: number;
  /** How long close() lets in-flight effects finish before aborting them (default 10 s). */
  drainMs?: number;
  workerId?: string;
  /** Lease on claimed work and on runs held in memory (ms): how soon a dead worker's runs move on. */
  leaseMs?: number;
  /** Days finished runs are kept (default 30); the scheduler leader prunes older ones hourly. */
  retentionDays?: number;
}

export interface FlowbridgeServer {
  app: FastifyInstance;
  host: RunHost;
  callbacks: CallbackSink;
  /** Fires Recurrence triggers (started with the scheduler role). */
  recurrences: RecurrenceScheduler;
  /** The routes registered so far (method, url in fastify's `:param` form). */
  routes: ReadonlyArray<{ method: string; url: string }>;
  /** Sets the public base URL once the listen address is known. */
  setBaseUrl(url: string): void;
  /** Resumes unfinished runs and starts the worker and scheduler loops (per roles). */
  startBackground(): Promise<void>;
  /** Drains: stops the loops, lets in-flight work finish, closes the HTTP server (not the store). */
  close(): Promise<void>;
}

const CALLBACK_SECRET_SETTING = 'host.callbackSecret';

export async function createServer(options: ServerOptions): Promise<FlowbridgeServer> {
  const { store, auth, log } = options;
  const roles: ServerRoles = { api: true, worker: true, scheduler: true, ...options.roles };
  const now = options.now ?? Date.now;
  let baseUrl = options.publicUrl?.replace(/\/+$/, '') ?? 'http://127.0.0.1:7780';
  const getBaseUrl = (): string => baseUrl;
  const callbackSecret = await ensureSecret(store);
  const metrics = createMetrics();

  // Extensions get the sink before the host exists (the host needs their connector handlers).
  const hostRef: { current?: RunHost } = {};
  const callbacks: CallbackSink = {
    deliverCallback: (key, payload) => hostRef.current!.deliverCallback(key, payload),
  };
  const extensions = (options.extensions ?? []).map((e) => e({ store, callbacks, log, baseUrl: getBaseUrl }));
  const host = new RunHost({
    store,
    ...(log ? { log } : {}),
    now,
    ...(options.effects ? { effects: options.effects } : {}),
    ...(options.executor ? { executor: options.executor } : {}),
    connectorHandlers: [...(options.connectorHandlers ?? []), ...extensions.flatMap((e) => e.connectorHandlers ?? [])],
    baseUrl: getBaseUrl,
    callbackSecret,
    observer: {
      ...metrics.observer,
      runEnded: (flowId, status, runId) => {
        metrics.observer.runEnded?.(flowId, status, runId);
        for (const e of extensions) e.onRunEnded?.(runId, status);
      },
    },
    ...(options.pollMs ? { pollMs: options.pollMs } : {}),
    ...(options.workerId ? { workerId: options.workerId } : {}),
    ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
    // An api-only process on PostgreSQL leaves durable runs to the workers.
    executeRuns: roles.worker || store.backend === 'sqlite',
  });
  hostRef.current = host;
  const runHost = host;
  metrics.setGauges(() => ({ liveRuns: runHost.liveCount, workInProgress: runHost.workInProgress }));

  const bodyLimit = options.bodyLimit ?? 100 * 1024 * 1024;
  const app = Fastify({
    ...(log ? { loggerInstance: log } : { logger: false }),
    bodyLimit,
    // Trigger URLs are case-sensitive in their signature only; paths compare as Logic Apps does.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
    schemaController: { compilersFactory: lazySchemaCompilers() },
  }) as unknown as FastifyInstance; // the pino Logger type is wider than FastifyBaseLogger
  const ctx: RouteContext = {
    store,
    host: runHost,
    auth,
    metrics,
    limiter: new RateLimiter(options.rateLimitPerMinute ?? 6000, now),
    now,
    baseUrl: getBaseUrl,
    responseTimeoutMs: options.responseTimeoutMs ?? 120_000,
    bodyLimit,
  };

  // Every route registered (auth's and extensions' included): the OpenAPI test reads this.
  const routes: Array<{ method: string; url: string }> = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method: String(method), url: route.url });
  });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(errorBody('NotFound', `No route ${request.method} ${request.url.split('?')[0]}.`));
  });

  app.addHook('onRequest', csrfGuard(store, now)); // a call with the session cookie needs its CSRF token
  // Every /api/v1 route needs a bearer token, except the ones that carry their own signature
  // (trigger URLs, run callbacks) and the public API description.
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0]!.toLowerCase();
    if (!path.startsWith('/api/v1/')) return;
    if (
      path.startsWith('/api/v1/workflows/') ||
      path.startsWith('/api/v1/callbacks/') ||
      path === '/api/v1/openapi.json' ||
      path === '/api/v1/session' || // signing in and out, and the first admin's setup (auth/sessions-routes.ts)
      path === '/api/v1/setup'
    )
      return;
    const principal = await auth.authenticate(request.headers.authorization, request);
    if (!principal) {
      return reply
        .status(401)
        .header('WWW-Authenticate', 'Bearer')
        .send(errorBody('Unauthorized', 'A valid bearer token is required.'));
    }
    setPrincipal(request, principal);
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await store.getSetting('readyz');
      return { status: 'ready' };
    } catch {
      return reply.status(503).send(errorBody('ServiceUnavailable', 'The store is not reachable.'));
    }
  });
  app.get('/metrics', async (_request, reply) => {
    return reply.header('Content-Type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  // Built on first request: most processes are never asked for it.
  let document: Promise<unknown> | undefined;
  app.get('/api/v1/openapi.json', async () => {
    document ??= import('./openapi.js').then((m) => m.openApiDocument(version));
    return document;
  });

  if (roles.api) {
    flowRoutes(app, ctx);
    triggerRoutes(app, ctx);
    runRoutes(app, ctx);
    // Signed routes take any content type and keep the raw bytes: registered in their own scope.
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
      invokeRoutes(scope, ctx);
      callbackRoutes(scope, ctx, callbackSecret);
    });
    await app.register(auth.routes);
    for (const extension of extensions) if (extension.routes) await app.register(extension.routes);
    for (const routes of options.extraRoutes ?? []) await app.register(routes);
    await app.register(webRoutes(ctx)); // the web app at / and its sign-in routes
  }

  const retention = new RetentionPruner({
    store,
    ...(options.retentionDays !== undefined ? { retentionDays: options.retentionDays } : {}),
    now,
    ...(log ? { log } : {}),
  });
  const recurrences = new RecurrenceScheduler({
    store,
    host: runHost,
    now,
    // Scale-out: flows saved through another process are noticed by the next look (this one's
    // own saves poke it at once).
    maxSleepMs: store.backend === 'postgres' ? 5_000 : 30_000,
    ...(log ? { log } : {}),
  });
  // A flow created, saved, enabled or disabled here: the scheduler looks again at once.
  app.addHook('onResponse', async (request, reply) => {
    if (request.method !== 'GET' && reply.statusCode < 300 && /^\/api\/v1\/flows\b/i.test(request.url)) {
      recurrences.poke();
    }
  });
  let leaderLoop: Promise<void> | undefined;
  let closing = false;
  const startBackground = async (): Promise<void> => {
    if (roles.worker) {
      // On SQLite this process owns the database and resumes what was left unfinished. On
      // PostgreSQL the runs of a dead process come back through their expired leases (RunHost).
      if (store.backend === 'sqlite') await runHost.recover();
      runHost.startWorker();
    }
    if (roles.scheduler) {
      leaderLoop = (async () => {
        while (!closing) {
          if (await store.tryAcquireLeadership('flowbridge-scheduler').catch(() => false)) {
            runHost.startTimers();
            recurrences.start();
            retention.start();
            return;
          }
          await new Promise((r) => setTimeout(r, 2000));
        }
      })();
    }
  };

  return {
    app,
    host: runHost,
    callbacks,
    recurrences,
    routes,
    setBaseUrl: (url) => {
      baseUrl = url.replace(/\/+$/, '');
    },
    startBackground,
    close: async () => {
      closing = true;
      await app.close();
      await leaderLoop;
      await recurrences.stop();
      retention.stop();
      await runHost.stop(options.drainMs);
    },
  };
}

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;

/**
 * fastify's default compiler factories (ajv for request validation, fast-json-stringify for
 * response serialization), loaded when a route first declares a schema. fastify requires both as
 * an app is created, about 90 ms and several MiB at start, and our routes declare no schemas. They
 * are required from fastify's own location: the very versions fastify would have used (they are
 * its dependencies, not ours), also from the bundled bin, which leaves them out.
 */
function lazySchemaCompilers(): CompilersFactory {
  const load = (id: string): unknown => createRequire(createRequire(import.meta.url).resolve('fastify'))(id);
  type Build = (...args: unknown[]) => unknown;
  let buildValidator: Build | undefined;
  let buildSerializer: Build | undefined;
  return {
    buildValidator: (...args: unknown[]) => {
      buildValidator ??= (load('@fastify/ajv-compiler') as () => Build)();
      return buildValidator(...args);
    },
    buildSerializer: (...args: unknown[]) => {
      buildSerializer ??= (load('@fastify/fast-json-stringify-compiler') as () => Build)();
      return buildSerializer(...args);
    },
  } as CompilersFactory;
}

async function ensureSecret(store: Store): Promise<string> {
  const existing = await store.getSetting(CALLBACK_SECRET_SETTING);
  if (typeof existing === 'string' && existing) return existing;
  const secret = randomBytes(32).toString('base64url');
  await store.setSetting(CALLBACK_SECRET_SETTING, secret);
  // Two processes starting at once: the last write wins; read it back so both agree.
  const stored = await store.getSetting(CALLBACK_SECRET_SETTING);
  return typeof stored === 'string' ? stored : secret;
}
