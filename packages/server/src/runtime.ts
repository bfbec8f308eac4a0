/**
 * The composition root: builds what runs behind the HTTP app and starts and stops it. The callback
 * secret, the RunHost (with the connector handlers of the extensions), the cluster leadership
 * (every process competes; the leader fires recurrences, prunes history and sweeps the queue), and
 * this process's heartbeat in the cluster table. Workers fire due timers themselves.
 * runtime-config.ts (`runtimeFromConfig`) adds what `flowbridge start` wires from its
 * configuration: auth, the outbound policy and the built-in extensions. The HTTP app (http/app.ts)
 * is built on a Runtime and knows nothing of how it was made.
 *
 * Extensions (approvals, desktop flows, connectors) plug in through ServerExtension: they get the
 * store, the callback sink, the base URL and the firing path, and give routes, connector handlers,
 * error renderers and lifecycle hooks.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { CallbackSink } from './approvals/types.js';
import type { Auth } from './auth/types.js';
import type { ConnectorHandler, EffectExecutorOptions } from './effects/index.js';
import type { EffectExecutor } from './effects/types.js';
import { ClusterLeader, intervalDuty } from './host/cluster-leader.js';
import { Heartbeat, staleAfter } from './host/heartbeat.js';
import { fireTrigger, type FireOutcome, type TriggerFiring } from './host/fire-trigger.js';
import { RetentionPruner } from './host/retention.js';
import { RunHost } from './host/run-host.js';
import { RecurrenceScheduler } from './host/scheduler.js';
import { createMetrics, type ServerMetrics } from './host/metrics.js';
import type { Flow, Store } from './store/index.js';
import type { ErrorRenderer } from './util/api-errors.js';
import { secretSetting } from './store/initial-setting.js';
import { version } from './version.js';

export interface ServerRoles {
  /** Serves the HTTP API and trigger URLs. */
  api: boolean;
  /** Claims run wake-ups from the queue, fires due timers and resumes unfinished runs. */
  worker: boolean;
  /**
   * Fires due timers without executing runs. Optional: every process competes for the cluster
   * leadership (recurrences, retention, sweeps) whatever its roles; a dedicated scheduler process
   * is one that does nothing else.
   */
  scheduler: boolean;
}

/** What an extension receives to work with the host. */
export interface ExtensionDeps {
  store: Store;
  callbacks: CallbackSink;
  log: Logger | undefined;
  baseUrl: () => string;
  /** Starts runs of a flow's trigger through the one firing path (host/fire-trigger.ts). */
  fire: (firing: TriggerFiring) => Promise<FireOutcome>;
}

/** Why a flow cannot be on (the flows API turns it off and shows this). */
export interface FlowProblem {
  code: 'ConnectionReferencesMissing' | 'TriggerSubscriptionFailed';
  message: string;
  details?: unknown;
}

/**
 * Told of flow changes by the flows API (connector triggers subscribe and unsubscribe here), so
 * that the API needs no knowledge of what listens.
 */
export interface FlowLifecycle {
  /**
   * A flow was created, got a new version, was turned on or off or got a new access key; `body`
   * is what the API was given (POST/PUT). A problem returned means it cannot be on: the caller
   * turns it off.
   */
  flowSaved?(flow: Flow, body?: unknown): Promise<FlowProblem | undefined>;
  flowDeleted?(flow: Flow): Promise<void>;
}

/** What an extension contributes. */
export interface Extension {
  /** Its HTTP routes, registered at the root of the app (API role). */
  routes?: FastifyPluginAsync;
  /** Effects for the connector actions it owns. */
  connectorHandlers?: ConnectorHandler[];
  /** Told when a run ends (e.g. approvals end the pending approvals of a cancelled run). */
  onRunEnded?: (runId: string, status: string) => void;
  /** Called once this process's worker runs: picks up what a previous process left (must not throw). */
  resume?: () => void;
  /** Called when the runtime stops, after the host drained: lets background work finish. */
  close?: () => Promise<void>;
  /** Told of flow changes (in extension order; the first problem wins). */
  flowLifecycle?: FlowLifecycle;
  /** Answers the errors of the extension's routes in their own shape (the one error handler asks). */
  renderError?: ErrorRenderer;
  /** Called when this process becomes the cluster leader (connector polling). */
  lead?: () => void;
  /** Called when this process stops being the leader: the work `lead` started stops. */
  unlead?: () => Promise<void> | void;
}

export type ServerExtension = (deps: ExtensionDeps) => Extension;

export interface RuntimeOptions {
  store: Store;
  auth: Auth;
  /** pino logger; none = silent (tests). */
  log?: Logger;
  now?: () => number;
  effects?: EffectExecutorOptions;
  /** Replaces the effect executors (tests). */
  executor?: EffectExecutor;
  connectorHandlers?: ConnectorHandler[];
  extensions?: ServerExtension[];
  /** Public base URL for handed-out URLs; until set, http://127.0.0.1:7780 (setBaseUrl changes it). */
  publicUrl?: string;
  roles?: Partial<ServerRoles>;
  /** Worker/timer polling interval when not woken (ms). */
  pollMs?: number;
  /** How long stop() lets in-flight effects finish before aborting them (default 10 s). */
  drainMs?: number;
  workerId?: string;
  /** Lease on claimed work and on runs held in memory (ms): how soon a dead worker's runs move on. */
  leaseMs?: number;
  /** Days finished runs are kept (default 30); the cluster leader prunes older ones hourly. */
  retentionDays?: number;
  /** App settings every environment starts from (FLOWBRIDGE_APPSETTING_<name>). */
  appSettings?: Record<string, string>;
  /** How often this process writes its heartbeat row (default 5 s); silent for 3 beats = gone. */
  heartbeatMs?: number;
  /** How often a process asks for the cluster leadership and the leader checks it (default 2 s). */
  leadershipCheckMs?: number;
}

export interface Runtime {
  readonly store: Store;
  readonly auth: Auth;
  readonly log: Logger | undefined;
  readonly now: () => number;
  readonly roles: ServerRoles;
  readonly host: RunHost;
  readonly callbacks: CallbackSink;
  /** Signs the run callback URLs the host hands out (verified by the callback route). */
  readonly callbackSecret: string;
  readonly metrics: ServerMetrics;
  /** Fires Recurrence triggers (while this process leads the cluster). */
  readonly recurrences: RecurrenceScheduler;
  /** This process in the cluster: its id (the owner of its leases) and whether it leads. */
  readonly cluster: { readonly processId: string; readonly leading: boolean; readonly heartbeatMs: number };
  readonly extensions: readonly Extension[];
  /** The extensions' flow listeners as one. */
  readonly flowLifecycle: Required<FlowLifecycle>;
  /** Public base URL (scheme://host:port), for the URLs handed out. */
  baseUrl(): string;
  /** Sets the public base URL once the listen address is known. */
  setBaseUrl(url: string): void;
  /** Resumes unfinished runs and starts the worker and scheduler loops (per roles). */
  start(): Promise<void>;
  /** Drains: stops the loops, lets in-flight work finish (the store stays open). */
  stop(): Promise<void>;
}

const CALLBACK_SECRET_SETTING = 'host.callbackSecret';
const DEFAULT_DRAIN_MS = 10_000;
const DEFAULT_HEARTBEAT_MS = 5000;
/**
 * How often the leader admits queued runs nobody admitted (their flow's last run ended in a
 * process that died) and prunes the rows of dead processes. Normally a run's end admits the next.
 */
const SWEEP_MS = 10_000;

export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { store, auth, log } = options;
  const roles: ServerRoles = { api: true, worker: true, scheduler: true, ...options.roles };
  const now = options.now ?? Date.now;
  const drainMs = options.drainMs ?? DEFAULT_DRAIN_MS;
  let baseUrl = trimSlashes(options.publicUrl ?? 'http://127.0.0.1:7780');
  const getBaseUrl = (): string => baseUrl;
  const callbackSecret = await secretSetting(store, CALLBACK_SECRET_SETTING);
  // Host and pid in the id: an operator (or a test) can tell which process holds a lease.
  const processId = options.workerId ?? `worker-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const metrics = createMetrics(processId);

  // Extensions get the sink before the host exists (the host needs their connector handlers).
  const hostRef: { current?: RunHost } = {};
  const callbacks: CallbackSink = {
    deliverCallback: (key, payload) => hostRef.current!.deliverCallback(key, payload),
  };
  const fire = (firing: TriggerFiring): Promise<FireOutcome> =>
    fireTrigger({ store, host: hostRef.current!, now, log }, firing);
  const extensions = (options.extensions ?? []).map((e) => e({ store, callbacks, log, baseUrl: getBaseUrl, fire }));
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
    workerId: processId,
    ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
    // An api-only process on PostgreSQL leaves durable runs to the workers.
    executeRuns: roles.worker || store.backend === 'sqlite',
    ...(options.appSettings ? { appSettings: options.appSettings } : {}),
  });
  hostRef.current = host;
  metrics.setGauges(() => ({
    liveRuns: host.liveCount,
    workInProgress: host.workInProgress,
    pendingTimers: () => host.pendingTimers(),
  }));

  const retention = new RetentionPruner({
    store,
    ...(options.retentionDays !== undefined ? { retentionDays: options.retentionDays } : {}),
    now,
    ...(log ? { log } : {}),
  });
  const leaderRef: { current?: ClusterLeader } = {};
  const recurrences = new RecurrenceScheduler({
    store,
    host,
    now,
    // Scale-out: flows saved through another process are noticed by the next look (this one's
    // own saves poke it at once).
    maxSleepMs: store.shared ? 5_000 : 30_000,
    leadership: null,
    leading: () => leaderRef.current?.leading ?? false,
    ...(log ? { log } : {}),
  });
  const startedAt = now();
  const heartbeat = new Heartbeat(
    store,
    () => ({
      id: processId,
      roles: (Object.keys(roles) as Array<keyof ServerRoles>).filter((r) => roles[r]),
      host: hostname(),
      pid: process.pid,
      version,
      startedAt,
      liveRuns: host.liveCount,
      leader: leader.leading,
    }),
    heartbeatMs,
    log,
  );
  const leader = new ClusterLeader({
    store,
    ...(options.leadershipCheckMs ? { checkMs: options.leadershipCheckMs } : {}),
    ...(log ? { log } : {}),
    duties: [
      { start: () => recurrences.poke(), stop: () => {} },
      retention,
      intervalDuty(
        SWEEP_MS,
        async () => {
          await host.admitQueued();
          await store.pruneProcesses(now() - staleAfter(heartbeatMs));
        },
        log,
      ),
      // Extensions' one-per-cluster work (connector polling).
      {
        start: () => {
          for (const e of extensions) e.lead?.();
        },
        stop: () => {
          for (const e of extensions) void e.unlead?.();
        },
      },
      // The cluster list shows the change now, not at the next beat.
      { start: () => void heartbeat.beat(), stop: () => void heartbeat.beat() },
    ],
  });
  leaderRef.current = leader;

  return {
    store,
    auth,
    log,
    now,
    roles,
    host,
    callbacks,
    callbackSecret,
    metrics,
    recurrences,
    cluster: {
      processId,
      get leading() {
        return leader.leading;
      },
      heartbeatMs,
    },
    extensions,
    flowLifecycle: combineLifecycles(extensions),
    baseUrl: getBaseUrl,
    setBaseUrl: (url) => {
      baseUrl = trimSlashes(url);
    },
    start: async () => {
      if (roles.worker) {
        // A process that owns its database (SQLite) resumes what was left unfinished. On a shared
        // one the runs of a dead process come back through their expired leases (RunHost).
        if (!store.shared) await host.recover();
        host.startWorker();
        for (const e of extensions) e.resume?.();
      }
      // Due timers are fired where runs execute (and by a dedicated scheduler).
      if (roles.worker || roles.scheduler || store.backend === 'sqlite') host.startTimers();
      await heartbeat.start();
      recurrences.start();
      leader.start();
    },
    stop: async () => {
      // The one-per-cluster duties move to another process at once (not when a session times out).
      await leader.stop();
      await recurrences.stop();
      // Drain: take no more work, let what is in flight finish (up to drainMs), hand the rest over.
      await host.stop(drainMs);
      // Background work of an extension (a mail, a call to a linked host) gets the same grace.
      const closing = Promise.all(extensions.map((e) => e.close?.()));
      await within(
        drainMs,
        closing.catch((err: unknown) => log?.warn({ err }, 'closing an extension failed')),
      );
      await heartbeat.stop();
    },
  };
}

function combineLifecycles(extensions: readonly Extension[]): Required<FlowLifecycle> {
  return {
    flowSaved: async (flow, body) => {
      let problem: FlowProblem | undefined;
      for (const e of extensions) {
        const found = await e.flowLifecycle?.flowSaved?.(flow, body);
        problem ??= found;
      }
      return problem;
    },
    flowDeleted: async (flow) => {
      for (const e of extensions) await e.flowLifecycle?.flowDeleted?.(flow);
    },
  };
}

function trimSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Waits for `work`, but no longer than `ms`. */
async function within(ms: number, work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
