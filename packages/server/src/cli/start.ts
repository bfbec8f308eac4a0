/**
 * `flowbridge start`: the server. Opens the store (SQLite in the data directory, or PostgreSQL),
 * builds the runtime (runtime.ts: auth, approvals, the run host and its loops) and the HTTP app on
 * it, resumes unfinished runs, and serves until SIGTERM or SIGINT, which drain: stop accepting, let
 * in-flight work finish or hand it back, close the store.
 */
import type { Logger } from 'pino';
import type { CliIO } from './commands.js';
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

/** Starts the server per config (exported for tests and embedding): the runtime, then the app on it. */
export async function startServer(config: ServerConfig, io: CliIO): Promise<RunningServer> {
  // Loaded here, not at the top: `flowbridge --help` must not pay for them.
  // pino's CommonJS function is its default export both in Node and in the bundled bin.
  const [{ default: pino }, { openStore, withReadCache }, { runtimeFromConfig }, { createApp }] = await Promise.all([
    import('pino'),
    import('../store/index.js'),
    import('../runtime.js'),
    import('../http/app.js'),
  ]);
  const log = pino({ level: config.logLevel, base: { service: 'flowbridge' } });
  const opened = config.databaseUrl
    ? await openStore({ databaseUrl: config.databaseUrl })
    : await openStore({ dataDir: config.dataDir });
  // What every trigger call reads (the flow, the automation switches), cached for a second.
  const store = withReadCache(opened);
  try {
    const { runtime, setupToken } = await runtimeFromConfig(config, { store, log });
    if (setupToken) {
      io.stdout(
        `\nNo admin exists yet. One-time setup token (shown only now):\n\n  ${setupToken}\n\n` +
          'Use it as "Authorization: Bearer <token>" to create the first admin, or set FLOWBRIDGE_ADMIN_TOKEN.\n\n',
      );
    }
    const { app } = await createApp(runtime, {
      ...(config.triggerRateLimit !== undefined ? { rateLimitPerMinute: config.triggerRateLimit } : {}),
    });
    // No port (a worker or scheduler not told one): no HTTP at all.
    const address = config.port !== undefined ? await app.listen({ port: config.port, host: config.host }) : '';
    if (!config.publicUrl && address) runtime.setBaseUrl(address.replace('://[::1]', '://localhost'));
    await runtime.start();
    return {
      url: address,
      log,
      stop: async () => {
        await app.close();
        await runtime.stop();
        await store.close();
      },
    };
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
}
