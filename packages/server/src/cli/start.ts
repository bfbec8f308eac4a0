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
  const started = performance.now();
  let server: RunningServer;
  try {
    server = await startServer(parsed.config, io);
  } catch (e) {
    // What the user can fix (a busy port, another server on the data folder, an unusable master
    // key) is one line, not a stack trace.
    const code = e instanceof Error ? (e as { code?: unknown }).code : undefined;
    const oneLine = e instanceof StartError || (typeof code === 'string' && ONE_LINE_ERRORS.has(code));
    if (!(e instanceof Error) || !oneLine) throw e;
    io.stderr(`flowbridge start: ${e.message}\n`);
    return 1;
  }
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

/** Starts the server per config (exported for tests and embedding): the runtime, then the app on it. */
export async function startServer(config: ServerConfig, io: CliIO): Promise<RunningServer> {
  // Loaded here, not at the top: `flowbridge --help` must not pay for them.
  // pino's CommonJS function is its default export both in Node and in the bundled bin.
  const [{ default: pino }, { openStore, withReadCache }, { runtimeFromConfig }, { createApp }, { lockDataFolder }] =
    await Promise.all([
      import('pino'),
      import('../store/index.js'),
      import('../runtime-config.js'),
      import('../http/app.js'),
      import('../store/data-lock.js'),
    ]);
  const [{ loggerRedaction }, { openSecretBox }, { withSealedSecrets }] = await Promise.all([
    import('../util/log-redact.js'),
    import('../secrets/index.js'),
    import('../store/sealed-store.js'),
  ]);
  const log = pino({ level: config.logLevel, base: { service: 'flowbridge' }, ...loggerRedaction });
  // One server per embedded store (a second would run the first one's live runs again).
  const lock = config.databaseUrl ? undefined : lockDataFolder(config.dataDir);
  let opened;
  try {
    opened = config.databaseUrl
      ? await openStore({ databaseUrl: config.databaseUrl })
      : await openStore({ dataDir: config.dataDir });
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
  // What every trigger call reads (the flow, the automation switches), cached for a second.
  const store = withReadCache(withSealedSecrets(opened, box.value));
  try {
    const { runtime, setupToken } = await runtimeFromConfig(config, { store, log });
    if (setupToken) {
      io.stdout(
        `\nNo admin exists yet. One-time setup token (shown only now):\n\n  ${setupToken}\n\n` +
          'Open /setup in the browser to create the first admin with it, use it as "Authorization: Bearer <token>",\n' +
          'or set FLOWBRIDGE_ADMIN_TOKEN.\n\n',
      );
    }
    const { app } = await createApp(runtime, {
      ...(config.triggerRateLimit !== undefined ? { rateLimitPerMinute: config.triggerRateLimit } : {}),
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
