/**
 * `flowbridge start`: the server. Opens the store (SQLite in the data directory, or PostgreSQL),
 * builds the runtime (runtime.ts: auth, approvals, the run host and its loops) and the HTTP app on
 * it, resumes unfinished runs, and serves until SIGTERM or SIGINT, which drain: stop accepting, let
 * in-flight work finish or hand it back, close the store.
 */
import type { Logger } from 'pino';
import type { CliIO } from './io.js';
import { parseConfig, type ServerConfig } from '../config.js';

const ONE_LINE_ERRORS = new Set([
  'DataFolderInUse',
  'InvalidSecretKey',
  'SecretKeyUnavailable',
  'SecretKeyMismatch',
  'SecretTampered',
]);

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseConfig(args, process.env);
  if ('error' in parsed) {
    io.stderr(`flowbridge start: ${parsed.error.message}\n`);
    return 2;
  }
  if ((parsed.config.workers ?? 1) > 1) {
    // n processes behind one port: this one is their primary, or one of them.
    const { runPrimary, runWorker, isWorkerProcess } = await import('./start-workers.js');
    return isWorkerProcess() ? runWorker(parsed.config, io) : runPrimary(parsed.config, io);
  }
  const started = performance.now();
  let server: RunningServer;
  try {
    server = await startServer(parsed.config, io);
  } catch (e) {
    const message = oneLineError(e);
    if (message === undefined) throw e;
    io.stderr(`flowbridge start: ${message}\n`);
    return 1;
  }
  server.log.info(
    { url: server.url, role: parsed.config.role, startupMs: Math.round(performance.now() - started) },
    'flowbridge started',
  );
  await untilStopped(server);
  server.log.info({}, 'stopped');
  return 0;
}

/**
 * What the user can fix (a busy port, another server on the data folder, an unusable master key)
 * is one line, not a stack trace: its message, or undefined for anything else.
 */
export function oneLineError(e: unknown): string | undefined {
  const code = e instanceof Error ? (e as { code?: unknown }).code : undefined;
  const oneLine = e instanceof StartError || (typeof code === 'string' && ONE_LINE_ERRORS.has(code));
  return e instanceof Error && oneLine ? e.message : undefined;
}

/**
 * Serves until SIGTERM or SIGINT (or `also`, e.g. a worker losing its primary), then drains the
 * server once, whatever came first.
 */
export function untilStopped(server: RunningServer, also?: (stop: (why: string) => void) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (why: string): void => {
      if (stopping) return;
      stopping = true;
      server.log.info({ signal: why }, 'draining');
      server.stop().then(resolve, (error: unknown) => {
        server.log.error({ err: error }, 'drain failed');
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    also?.(stop);
  });
}

/** The server's pino logger (its CommonJS function is its default export in Node and in the bundled bin). */
export async function createLogger(config: ServerConfig, base: Record<string, unknown> = {}): Promise<Logger> {
  const [{ default: pino }, { loggerRedaction }] = await Promise.all([import('pino'), import('../util/log-redact.js')]);
  return pino({ level: config.logLevel, base: { service: 'flowbridge', ...base }, ...loggerRedaction });
}

/** Prints the one-time setup token (only now: the store keeps its hash). */
export function printSetupToken(io: CliIO, setupToken: string): void {
  io.stdout(
    `\nNo admin exists yet. One-time setup token (shown only now):\n\n  ${setupToken}\n\n` +
      'Open /setup in the browser to create the first admin with it, use it as "Authorization: Bearer <token>",\n' +
      'or set FLOWBRIDGE_ADMIN_TOKEN.\n\n',
  );
}

/** A start that failed for a reason the user can fix: its message is the whole story. */
export class StartError extends Error {
  constructor(
    readonly code: 'PortInUse',
    message: string,
  ) {
    super(message);
    this.name = 'StartError';
  }
}

export interface RunningServer {
  url: string;
  log: Logger;
  stop(): Promise<void>;
}

/**
 * How a worker of `flowbridge start --workers` differs (cli/start-workers.ts): its primary holds
 * the data folder's lock and printed the setup token; the embedded store is shared with the other
 * workers; the trigger rate limit is shared out among them.
 */
export interface WorkerStart {
  /** The worker's number (1..n; a replacement keeps its predecessor's), for the logs. */
  index: number;
}

/** Starts the server per config (exported for tests and embedding): the runtime, then the app on it. */
export async function startServer(config: ServerConfig, io: CliIO, worker?: WorkerStart): Promise<RunningServer> {
  // Loaded here, not at the top: `flowbridge --help` must not pay for them.
  const [{ openStore, withReadCache, clusterCachePeers }, { runtimeFromConfig }, { createApp }, { lockDataFolder }] =
    await Promise.all([
      import('../store/index.js'),
      import('../runtime-config.js'),
      import('../http/app.js'),
      import('../store/data-lock.js'),
    ]);
  const [{ openSecretBox }, { withSealedSecrets }, { DEFAULT_TRIGGER_RATE_LIMIT }] = await Promise.all([
    import('../secrets/index.js'),
    import('../store/sealed-store.js'),
    import('../http/rate-limit.js'),
  ]);
  const log = await createLogger(config, worker ? { worker: worker.index } : {});
  // One server per embedded store (a second would run the first one's live runs again); the
  // workers of `--workers` share it under their primary's lock.
  const lock = config.databaseUrl || worker ? undefined : lockDataFolder(config.dataDir);
  let opened;
  try {
    opened = config.databaseUrl
      ? await openStore({ databaseUrl: config.databaseUrl })
      : await openStore({ dataDir: config.dataDir, shared: worker !== undefined });
  } catch (error) {
    lock?.release();
    throw error;
  }
  // Secrets at rest are sealed with the master key (FLOWBRIDGE_SECRET_KEY or the data folder's key file).
  const box = await openSecretBox({ env: process.env, dataDir: config.dataDir });
  if (!box.ok) {
    await opened.close();
    lock?.release();
    throw Object.assign(new Error(box.error.message), { code: box.error.code });
  }
  // What every trigger call reads (the flow, the automation switches), cached for a second; the
  // workers of `--workers` clear each other's cache on their writes.
  const store = withReadCache(withSealedSecrets(opened, box.value), worker ? { peers: clusterCachePeers() } : {});
  try {
    const { runtime, setupToken } = await runtimeFromConfig(config, {
      store,
      log,
      ...(worker ? { issueSetupToken: false } : {}),
    });
    if (setupToken) printSetupToken(io, setupToken);
    // n workers take turns at the connections: each keeps its share of the per-flow limit, so that
    // together they never accept more than it.
    const limit = config.triggerRateLimit ?? DEFAULT_TRIGGER_RATE_LIMIT;
    const { app } = await createApp(runtime, {
      rateLimitPerMinute: worker ? Math.ceil(limit / (config.workers ?? 1)) : limit,
      ...(config.triggerSchemaValidation ? { schemaValidation: config.triggerSchemaValidation } : {}),
    });
    // No port (a worker or scheduler not told one): no HTTP at all.
    const address = config.port !== undefined ? await listen(app, { ...config, port: config.port }) : '';
    if (!config.publicUrl && address) runtime.setBaseUrl(address.replace('://[::1]', '://localhost'));
    await runtime.start();
    return {
      url: address,
      log,
      stop: async () => {
        await app.close();
        await runtime.stop();
        await store.close();
        lock?.release();
      },
    };
  } catch (error) {
    await store.close().catch(() => {});
    lock?.release();
    throw error;
  }
}

async function listen(
  app: { listen(o: { port: number; host: string }): Promise<string> },
  config: { port: number; host: string },
) {
  try {
    return await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new StartError('PortInUse', `port ${config.port} on ${config.host} is already in use`);
    throw error;
  }
}
