/**
 * `flowbridge start`: the server. Opens the store (SQLite in the data directory, or PostgreSQL),
 * wires auth and approvals into the HTTP app, resumes unfinished runs, and serves until SIGTERM or
 * SIGINT, which drain: stop accepting, let in-flight work finish or hand it back, close the store.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { CliIO } from './commands.js';
import type { Store } from '../store/index.js';
import { parseConfig, type ServerConfig } from '../config.js';

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseConfig(args, process.env);
  if ('error' in parsed) {
    io.stderr(`flowbridge start: ${parsed.error.message}\n`);
    return 2;
  }
  const started = performance.now();
  const server = await startServer(parsed.config, io);
  server.log.info(
    { url: server.url, role: parsed.config.role, startupMs: Math.round(performance.now() - started) },
    'flowbridge started',
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      server.log.info({ signal }, 'draining');
      server.stop().then(resolve, (error: unknown) => {
        server.log.error({ err: error }, 'drain failed');
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  server.log.info({}, 'stopped');
  return 0;
}

export interface RunningServer {
  url: string;
  log: Logger;
  stop(): Promise<void>;
}

/** Starts the server per config (exported for tests and embedding). */
export async function startServer(config: ServerConfig, io: CliIO): Promise<RunningServer> {
  // Loaded here, not at the top: `flowbridge --help` must not pay for them.
  // pino's CommonJS function is its default export both in Node and in the bundled bin.
  const [{ default: pino }, { openStore, withReadCache }, { createServer }, { createAuth }, approvalsModule] =
    await Promise.all([
      import('pino'),
      import('../store/index.js'),
      import('../http/app.js'),
      import('../auth/index.js'),
      import('../approvals/index.js'),
    ]);
  const desktopModule = await import('../desktop/index.js');
  const log = pino({ level: config.logLevel, base: { service: 'flowbridge' } });
  const opened = config.databaseUrl
    ? await openStore({ databaseUrl: config.databaseUrl })
    : await openStore({ dataDir: config.dataDir });
  // What every trigger call reads (the flow, the automation switches), cached for a second.
  const store = withReadCache(opened);
  try {
    const auth = await createAuth({ store, ...(config.adminToken ? { adminToken: config.adminToken } : {}), log });
    if (auth.setupToken) {
      io.stdout(
        `\nNo admin exists yet. One-time setup token (shown only now):\n\n  ${auth.setupToken}\n\n` +
          'Use it as "Authorization: Bearer <token>" to create the first admin, or set FLOWBRIDGE_ADMIN_TOKEN.\n\n',
      );
    }
    const roles =
      config.role === 'all'
        ? { api: true, worker: true, scheduler: true }
        : { api: config.role === 'api', worker: config.role === 'worker', scheduler: config.role === 'scheduler' };
    const linkSecret = await setting(store, 'approvals.linkSecret');
    let approvals: ReturnType<typeof approvalsModule.createApprovals> | undefined;
    let baseUrl = config.publicUrl ?? `http://${config.host}:${config.port}`;
    // Desktop flows: machines, agents, sessions, the Dataverse-compatible API, RunUIFlow_V2.
    const desktop = desktopModule.createDesktopFlows({
      store,
      auth,
      log,
      baseUrl: () => baseUrl,
      timing: desktopModule.timingFromEnv(process.env),
      callbackSecret: await setting(store, 'desktop.callbackSecret'),
    });
    const server = await createServer({
      store,
      auth,
      log,
      roles,
      ...(config.retentionDays !== undefined ? { retentionDays: config.retentionDays } : {}),
      ...(config.leaseMs ? { leaseMs: config.leaseMs } : {}),
      ...(config.triggerRateLimit !== undefined ? { rateLimitPerMinute: config.triggerRateLimit } : {}),
      ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
      extensions: [
        // Approvals: the shared_approvals connector actions, its REST API and response pages.
        ({ callbacks }) => {
          const created = approvalsModule.createApprovals({
            store,
            callbacks,
            auth,
            publicBaseUrl: () => baseUrl,
            ...(config.smtpUrl ? { mailer: { smtpUrl: config.smtpUrl, from: config.mailFrom } } : {}),
            ...(config.chatWebhookUrl ? { chatWebhookUrl: config.chatWebhookUrl } : {}),
            linkSecret,
            log,
          });
          approvals = created;
          return {
            routes: created.routes,
            connectorHandlers: [created.handleEffect],
            onRunEnded: (runId, status) => {
              if (status === 'Cancelled') void created.cancelApprovalsForRun(runId).catch(() => {});
            },
          };
        },
        () => desktop,
      ],
    });
    const address =
      roles.api || config.port !== 0 ? await server.app.listen({ port: config.port, host: config.host }) : '';
    if (!config.publicUrl && address) {
      baseUrl = address.replace('://[::1]', '://localhost');
      server.setBaseUrl(baseUrl);
    }
    await server.startBackground();
    await desktop.start();
    // Outcomes a previous process may not have delivered (to a waiting run, to a linked host).
    if (roles.worker && approvals) {
      approvals.resume().catch((err: unknown) => log.warn({ err }, 'resuming approvals failed'));
    }
    return {
      url: address,
      log,
      stop: async () => {
        await desktop.stop();
        await server.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
}

async function setting(store: Store, key: string): Promise<string> {
  const existing = await store.getSetting(key);
  if (typeof existing === 'string' && existing.length >= 16) return existing;
  const value = randomBytes(32).toString('base64url');
  await store.setSetting(key, value);
  return value;
}
