/**
 * createApp: the fastify app on a built Runtime (runtime.ts): the flows, triggers and runs APIs,
 * health, metrics and the OpenAPI document, the routes of auth and of the extensions, the bearer
 * token hook and the one error handler. It builds nothing that runs behind it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyServerFactory,
  type FastifyServerOptions,
} from 'fastify';
import type { Runtime } from '../runtime.js';
import { version } from '../version.js';
import { callbackRoutes } from './callbacks.js';
import { clusterRoutes } from './cluster.js';
import { setPrincipal, type RouteContext, type SchemaValidation } from './context.js';
import { installErrorHandler } from './error-handler.js';
import { environmentSettingsRoutes } from './environment-settings.js';
import { errorBody } from '../util/api-errors.js';
import { flowRoutes } from './flows.js';
import { DEFAULT_TRIGGER_RATE_LIMIT, RateLimiter } from './rate-limit.js';
import { installRequestGuards } from './request-guards.js';
import { runRoutes } from './runs.js';
import { templateRoutes } from './templates.js';
import { invokeRoutes } from './invoke.js';
import { rawInvoker } from './invoke-raw.js';
import { triggerRoutes } from './triggers.js';
import { csrfGuard } from '../auth/sessions.js';
import { webRoutes } from './web.js';

/** What the app uses of the runtime. */
export type AppRuntime = Pick<
  Runtime,
  'store' | 'auth' | 'log' | 'now' | 'roles' | 'host' | 'metrics' | 'callbackSecret' | 'extensions' | 'baseUrl'
> &
  Partial<Pick<Runtime, 'flowLifecycle'>> & {
    recurrences: Pick<Runtime['recurrences'], 'poke'>;
    cluster?: Runtime['cluster'];
  };

export interface AppOptions {
  /** How long a Request caller waits for the Response (spec §4.1: LA 120 s). */
  responseTimeoutMs?: number;
  /** Largest trigger request body (bytes; default 100 MiB, as Logic Apps). */
  bodyLimit?: number;
  /** Trigger calls per flow per minute (default 6000). */
  rateLimitPerMinute?: number;
  /** Request trigger schemas: enforced where the trigger asks (default) or always. */
  schemaValidation?: SchemaValidation;
  extraRoutes?: FastifyPluginAsync[];
}

export interface HttpApp {
  app: FastifyInstance;
  /** The routes registered (method, url in fastify's `:param` form), auth's and extensions' included. */
  routes: ReadonlyArray<{ method: string; url: string }>;
}

export async function createApp(runtime: AppRuntime, options: AppOptions = {}): Promise<HttpApp> {
  const { store, auth, metrics, now } = runtime;
  const bodyLimit = options.bodyLimit ?? 100 * 1024 * 1024;
  // Typed as fastify's logger, which pino's fits: the app's type is then the plain FastifyInstance.
  const loggerInstance: FastifyBaseLogger | undefined = runtime.log;
  const ctx: RouteContext = {
    store,
    host: runtime.host,
    auth,
    metrics,
    limiter: new RateLimiter(options.rateLimitPerMinute ?? DEFAULT_TRIGGER_RATE_LIMIT, now),
    now,
    baseUrl: runtime.baseUrl,
    ...(runtime.flowLifecycle ? { flowLifecycle: runtime.flowLifecycle } : {}),
    responseTimeoutMs: options.responseTimeoutMs ?? 120_000,
    bodyLimit,
    schemaValidation: options.schemaValidation ?? 'trigger',
  };

  let fast: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
  const app = Fastify({
    ...(loggerInstance ? { loggerInstance } : { logger: false }),
    bodyLimit,
    // Trigger URLs are case-sensitive in their signature only; paths compare as Logic Apps does.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
    schemaController: { compilersFactory: lazySchemaCompilers() },
    serverFactory: httpServer((req, res) => fast?.(req, res) ?? false),
  });
  // Signed trigger calls are served by the fast path (invoke-raw.ts), except at debug level, where
  // they are logged as every route is.
  const level = loggerInstance?.level ?? 'info';
  if (runtime.roles.api && level !== 'debug' && level !== 'trace') fast = rawInvoker(ctx, app.log);

  // Every route registered (auth's and extensions' included): the OpenAPI test reads this.
  const routes: Array<{ method: string; url: string }> = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method: String(method), url: route.url });
  });
  installErrorHandler(
    app,
    runtime.extensions.flatMap((e) => (e.renderError ? [e.renderError] : [])),
  );
  installRequestGuards(app);
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
      path === '/api/v1/session' || // signing in and out, and the first admin's setup (http/session-routes.ts)
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
  // A process without the api role serves health and metrics only (when given a port at all).
  if (runtime.roles.api) {
    // Built on first request: most processes are never asked for it.
    let document: Promise<unknown> | undefined;
    app.get('/api/v1/openapi.json', async () => {
      document ??= import('./openapi.js').then((m) => m.openApiDocument(version));
      return document;
    });
    clusterRoutes(app, ctx, runtime.cluster);
    flowRoutes(app, ctx);
    templateRoutes(app, ctx);
    triggerRoutes(app, ctx);
    runRoutes(app, ctx);
    environmentSettingsRoutes(app, ctx);
    // Signed routes take any content type and keep the raw bytes: registered in their own scope.
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
      invokeRoutes(scope, ctx);
      callbackRoutes(scope, ctx, runtime.callbackSecret);
    });
    await app.register(auth.routes);
    for (const extension of runtime.extensions) if (extension.routes) await app.register(extension.routes);
    for (const routes of options.extraRoutes ?? []) await app.register(routes);
    await app.register(webRoutes(ctx)); // the web app at / and its sign-in routes
  }

  // A flow created (also from a template), saved, enabled or disabled here: the scheduler looks again at once.
  app.addHook('onResponse', async (request, reply) => {
    if (
      request.method !== 'GET' &&
      reply.statusCode < 300 &&
      /^\/api\/v1\/(flows\b|templates\/[^/]+\/instantiate)/i.test(request.url)
    ) {
      runtime.recurrences.poke();
    }
  });

  return { app, routes };
}

/**
 * The node:http server fastify would create (its timeouts included), whose requests go first to
 * `first` (the trigger fast path), then, when it declines, to fastify.
 */
function httpServer(first: (req: IncomingMessage, res: ServerResponse) => boolean): FastifyServerFactory<Server> {
  return (handler, opts) => {
    const server = createServer((req, res) => {
      if (!first(req, res)) handler(req, res);
    });
    const option = (name: string, otherwise: number): number => {
      const value: unknown = opts[name];
      return typeof value === 'number' ? value : otherwise;
    };
    // fastify's defaults where it leaves an option unset.
    server.keepAliveTimeout = option('keepAliveTimeout', 72_000);
    server.requestTimeout = option('requestTimeout', 0);
    server.setTimeout(option('connectionTimeout', 0));
    const perSocket = option('maxRequestsPerSocket', 0);
    if (perSocket > 0) server.maxRequestsPerSocket = perSocket;
    return server;
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
