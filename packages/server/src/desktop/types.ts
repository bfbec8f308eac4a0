/**
 * What the desktop-flow module needs from its host and the timings it runs on. The host (cli/start.ts)
 * builds it once with createDesktopFlows (index.ts); tests shorten the timings.
 */
import type { Auth } from '../auth/types.js';
import type { Store } from '../store/index.js';

/** Where and as whom a `shared_uiflow` connection runs desktop flows. */
export interface UiFlowConnection {
  machineGroupId?: string;
  machineId?: string;
  username?: string;
  password?: string;
}

/**
 * Finds a `shared_uiflow` connection by name (a connection name or a connection reference's
 * logical name). The connections store (issue #14) implements it; until then the default resolver
 * (connections.ts) reads a machine group or a machine named like the connection.
 */
export interface UiFlowConnectionResolver {
  resolve(name: string, context: { environmentId: string }): Promise<UiFlowConnection | undefined>;
}

export interface DesktopLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface DesktopTiming {
  /** How long an agent's poll is held when there is nothing for it (ms). */
  pollHoldMs: number;
  /** A machine not heard from for this long is offline; its running session becomes Faulted (ms). */
  offlineAfterMs: number;
  /** How often timeouts, lost machines and undelivered callbacks are looked for (ms). */
  sweepMs: number;
  /** The Retry-After a waiting RunUIFlow_V2 action polls with; a finished session wakes it at once (s). */
  actionPollSeconds: number;
  /** Waits between attempts of a completion callback that got 408, 5xx or no answer (ms). */
  callbackRetryDelaysMs: number[];
  /** Largest session log kept (characters). */
  logMaxChars: number;
  /** Sessions started per minute per connection (spec §13.2: 70); 0 = no limit. */
  startsPerMinute: number;
}

export const DEFAULT_TIMING: DesktopTiming = {
  pollHoldMs: 20_000,
  offlineAfterMs: 45_000,
  sweepMs: 2_000,
  actionPollSeconds: 60,
  callbackRetryDelaysMs: [1_000, 1_000, 1_000],
  logMaxChars: 1_000_000,
  startsPerMinute: 70,
};

export interface DesktopDeps {
  store: Store;
  auth: Pick<Auth, 'authenticate' | 'authorize'>;
  /** The server's public base URL (for Location headers). */
  baseUrl: () => string;
  /** HMAC key of the completion callbacks' signature header. */
  callbackSecret: string;
  log?: DesktopLogger;
  now?: () => number;
  /** Outbound HTTP for completion callbacks (the Http action's fetch, so the same policy applies). */
  fetch?: typeof fetch;
  resolveConnection?: UiFlowConnectionResolver;
  timing?: Partial<DesktopTiming>;
}

/** Timings from FLOWBRIDGE_DESKTOP_* variables (tests and unusual networks); absent ones keep their default. */
export function timingFromEnv(env: Record<string, string | undefined>): Partial<DesktopTiming> {
  const out: Partial<DesktopTiming> = {};
  const num = (name: string): number | undefined => {
    const v = env[name];
    const n = v === undefined || v === '' ? NaN : Number(v);
    return Number.isFinite(n) && n >= 0 ? n : undefined;
  };
  const table: Array<[keyof DesktopTiming, string]> = [
    ['pollHoldMs', 'FLOWBRIDGE_DESKTOP_POLL_MS'],
    ['offlineAfterMs', 'FLOWBRIDGE_DESKTOP_OFFLINE_MS'],
    ['sweepMs', 'FLOWBRIDGE_DESKTOP_SWEEP_MS'],
    ['actionPollSeconds', 'FLOWBRIDGE_DESKTOP_ACTION_POLL_SECONDS'],
  ];
  for (const [key, name] of table) {
    const v = num(name);
    if (v !== undefined) (out as Record<string, number>)[key] = v;
  }
  return out;
}
