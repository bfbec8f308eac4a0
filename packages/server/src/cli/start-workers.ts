/**
 * `flowbridge start --workers <n>`: n server processes behind one listening port (node:cluster;
 * the primary accepts the connections and hands them to the workers in turn).
 *
 * The primary serves nothing itself. It holds the embedded data folder's lock (the workers share
 * the SQLite database in WAL mode, each a member of the cluster as on PostgreSQL: runs leased,
 * one leader by a file lock), prepares the store once (migrations, the master key, the setup
 * token, runs a single-process server left without a lease), forks the workers, relays their
 * "work was enqueued" and "cached reads went stale" signals to each other, logs `flowbridge started` once all listen, starts a
 * new worker when one dies, and on SIGTERM or SIGINT drains them all.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config.js';
import type { CliIO } from './io.js';
import { createLogger, oneLineError, printSetupToken, startServer, untilStopped } from './start.js';

/** What a worker tells its primary (the work signal, WORK_MESSAGE, is the store's). */
type WorkerMessage = { flowbridge: 'listening'; url: string } | { flowbridge: 'failed'; message: string };

/** The environment variable that gives a worker its number (1..n). */
const INDEX_VARIABLE = 'FLOWBRIDGE_WORKER_INDEX';
/** A worker that dies before it listens is started again after this long, not in a tight loop. */
const RESTART_DELAY_MS = 1000;

export function isWorkerProcess(): boolean {
  return cluster.isWorker;
}

/** One of the n processes: the server on the shared store, reporting to the primary. */
export async function runWorker(config: ServerConfig, io: CliIO): Promise<number> {
  const index = Number(process.env[INDEX_VARIABLE] ?? cluster.worker?.id ?? 0);
  // Told to stop while it starts (the box is being stopped): it drains as soon as it has started.
  let stopEarly = '';
  const early = (signal: NodeJS.Signals): void => {
    stopEarly = signal;
  };
  process.on('SIGTERM', early).on('SIGINT', early);
  let server;
  try {
    server = await startServer(config, io, { index });
  } catch (e) {
    const message = oneLineError(e);
    if (message === undefined) throw e;
    send({ flowbridge: 'failed', message });
    if (process.connected) process.disconnect();
    return 1;
  }
  process.off('SIGTERM', early).off('SIGINT', early);
  send({ flowbridge: 'listening', url: server.url });
  // A worker whose primary is gone (killed outright) drains and ends: nothing hands it connections
  // any more, and the data folder's lock went with the primary.
  await untilStopped(server, (stop) => {
    process.once('disconnect', () => stop('primary gone'));
    if (stopEarly) stop(stopEarly);
  });
  server.log.info({}, 'stopped');
  // The IPC channel would keep this process alive.
  if (process.connected) process.disconnect();
  return 0;
}

function send(message: WorkerMessage): void {
  process.send?.(message);
}

function isWorkerMessage(message: unknown): message is WorkerMessage {
  const kind = typeof message === 'object' && message !== null ? (message as { flowbridge?: unknown }).flowbridge : '';
  return kind === 'listening' || kind === 'failed';
}

/** The primary: prepares the store, runs n workers until told to stop. Resolves to the exit code. */
export async function runPrimary(config: ServerConfig, io: CliIO): Promise<number> {
  const started = performance.now();
  const n = config.workers ?? 1;
  const log = await createLogger(config, { primary: true });
  const { lockDataFolder } = await import('../store/data-lock.js');
  let lock: { release(): void } | undefined;
  try {
    // One server (this one, with its workers) per embedded store.
    lock = config.databaseUrl ? undefined : lockDataFolder(config.dataDir);
    const setupToken = await prepareStore(config, log);
    if (setupToken) printSetupToken(io, setupToken);
  } catch (e) {
    lock?.release();
    const message = oneLineError(e);
    if (message === undefined) throw e;
    io.stderr(`flowbridge start: ${message}\n`);
    return 1;
  }
  const [{ isWorkMessage }, { isCacheMessage }] = await Promise.all([
    import('../store/work-signal.js'),
    import('../store/read-cache.js'),
  ]);

  const indexOf = new Map<Worker, number>();
  const listening = new Set<Worker>();
  let announced = false;
  let stopping = false;
  let failure: string | undefined;
  let settle: (code: number) => void = () => {};
  const ended = new Promise<number>((resolve) => (settle = resolve));

  const stopAll = (why: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal: why }, 'draining');
    // Each worker drains itself (host/run-host.ts: in-flight calls finish, held runs handed back).
    for (const worker of indexOf.keys()) if (!worker.isDead()) worker.process.kill('SIGTERM');
    if (indexOf.size === 0) settle(failure ? 1 : 0);
  };

  const fork = (index: number): void => {
    const worker = cluster.fork({ [INDEX_VARIABLE]: String(index) });
    indexOf.set(worker, index);
    worker.on('message', (message: unknown) => {
      if (isWorkMessage(message) || isCacheMessage(message)) {
        // Work was queued, or cached reads went stale: the other workers hear of it.
        for (const other of indexOf.keys()) if (other !== worker && other.isConnected()) other.send(message as object);
      } else if (isWorkerMessage(message) && message.flowbridge === 'listening') {
        listening.add(worker);
        if (announced) log.info({ worker: index, pid: worker.process.pid }, 'worker started');
        else if (listening.size === n) {
          announced = true;
          const startupMs = Math.round(performance.now() - started);
          log.info({ url: message.url, role: config.role, workers: n, startupMs }, 'flowbridge started');
        }
      } else if (isWorkerMessage(message) && message.flowbridge === 'failed' && !announced) {
        failure ??= message.message;
        stopAll('start failed');
      }
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    const index = indexOf.get(worker);
    if (index === undefined) return;
    indexOf.delete(worker);
    const wasListening = listening.delete(worker);
    if (stopping) {
      if (indexOf.size === 0) settle(failure ? 1 : 0);
      return;
    }
    if (!announced) {
      // A worker that cannot start is a server that cannot start: say why once, stop the others.
      failure ??= `worker ${index} exited during start (code ${code ?? signal})`;
      stopAll('start failed');
      return;
    }
    log.warn({ worker: index, pid: worker.process.pid, code, signal }, 'worker exited; starting another');
    const again = (): void => {
      if (!stopping) fork(index);
    };
    if (wasListening) again();
    else setTimeout(again, RESTART_DELAY_MS);
  });

  process.once('SIGTERM', () => stopAll('SIGTERM'));
  process.once('SIGINT', () => stopAll('SIGINT'));
  for (let i = 1; i <= n; i++) fork(i);
  const code = await ended;
  lock?.release();
  if (failure) io.stderr(`flowbridge start: ${failure}\n`);
  else log.info({}, 'stopped');
  return code;
}

/**
 * What must happen once, before the workers race to it: the migrations, the master key file, the
 * setup token (the workers issue none), and on SQLite the runs a single-process server left
 * unfinished, which carry no lease yet: each gets a free ownership item that a worker claims.
 */
async function prepareStore(config: ServerConfig, log: Logger): Promise<string | undefined> {
  const [{ openStore }, { openSecretBox }, { ensureSetupToken }, { ownershipId, ownershipItem }] = await Promise.all([
    import('../store/index.js'),
    import('../secrets/index.js'),
    import('../auth/setup-token.js'),
    import('../host/run-leases.js'),
  ]);
  const store = config.databaseUrl
    ? await openStore({ databaseUrl: config.databaseUrl })
    : await openStore({ dataDir: config.dataDir });
  try {
    const box = await openSecretBox({ env: process.env, dataDir: config.dataDir });
    if (!box.ok) throw Object.assign(new Error(box.error.message), { code: box.error.code });
    if (!store.shared) {
      let handed = 0;
      for (const run of await store.listUnfinishedRuns()) {
        if (run.status === 'Queued') continue; // the leader admits those
        if (await store.acquireLease(ownershipId(run.id), `primary-${process.pid}`, 0, ownershipItem(run.id))) handed++;
      }
      if (handed > 0) log.info({ runs: handed }, 'unfinished runs handed to the workers');
    }
    return await ensureSetupToken(store, config.adminToken);
  } finally {
    await store.close();
  }
}
