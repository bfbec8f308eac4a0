/**
 * The host's public types (RunHost re-exports them) and the context its parts share.
 */
import type { EffectExecutor } from '../effects/types.js';
import type { ConnectorHandler, EffectExecutorOptions } from '../effects/index.js';
import type { Flow, Store } from '../store/index.js';

export interface HostLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface RunResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: unknown;
}

/** What the caller of a Request trigger gets when the run ended without sending a Response. */
export interface NoResponse {
  noResponse: true;
  status: string;
}

/** Hooks for metrics: the HTTP layer counts what the host reports. */
export interface HostObserver {
  runStarted?(flowId: string): void;
  runEnded?(flowId: string, status: string, runId: string): void;
  actionDone?(actionType: string, status: string, ms: number): void;
}

export interface RunHostOptions {
  store: Store;
  log?: HostLogger;
  now?: () => number;
  effects?: EffectExecutorOptions;
  /** Replaces the standard executors entirely (tests). */
  executor?: EffectExecutor;
  /** Connector actions the standard executors cannot perform (approvals, mail); null = not mine. */
  connectorHandlers?: ConnectorHandler[];
  /** The server's public base URL (for callback URLs); read when a run starts. */
  baseUrl: () => string;
  /** Secret for callback URL signatures. */
  callbackSecret: string;
  workerId?: string;
  observer?: HostObserver;
  /** Lease on claimed work items (default 30 s). */
  leaseMs?: number;
  /** How often workers and the timer loop look at the store without being woken (default 1000 ms). */
  pollMs?: number;
  /**
   * Whether durable runs started here are executed here (default true). False (an api-only process
   * on PostgreSQL): the run is written with its ownership item for a worker to take.
   */
  executeRuns?: boolean;
  /** App settings every environment starts from (FLOWBRIDGE_APPSETTING_<name>); an environment's own override them. */
  appSettings?: Record<string, string>;
}

export interface StartRunRequest {
  flow: Flow;
  version: number;
  triggerName: string;
  outputs: unknown;
  clientTrackingId?: string | null;
  /** A fixed run id (child workflows derive it from the parent's idempotency key). */
  runId?: string;
  /** Recurrence: the occurrence (epoch ms) the run is for, as `trigger().scheduledTime`. */
  scheduledTime?: number;
}

/** What every part of the host is given (RunHost makes one and hands it to each). */
export interface HostContext {
  readonly store: Store;
  readonly now: () => number;
  readonly log: HostLogger | undefined;
  readonly observer: HostObserver | undefined;
  /** Other processes share the store (store.shared), so runs are owned through leases. */
  readonly shared: boolean;
  /** Whether durable runs started here are executed here (RunHostOptions.executeRuns). */
  readonly executeRuns: boolean;
  /** The host is shutting down: loops end, nothing new is admitted. */
  stopping(): boolean;
  /**
   * Where a run's callback URLs start (a signed URL: RunInit.callbackBaseUrl), under `origin` (the
   * public URL the run started under) or this process's.
   */
  callbackBase(runId: string, origin?: string): string;
}
