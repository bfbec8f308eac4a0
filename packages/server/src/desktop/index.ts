/**
 * Desktop flows (issue #15): machine groups and the machines their agents register, desktop flows
 * with versions, the session queue with its placement rules, the agent protocol, the
 * Dataverse-compatible API of spec §13, completion callbacks, and the `shared_uiflow` RunUIFlow_V2
 * action. createDesktopFlows builds it once per server; the host plugs `routes`,
 * `connectorHandlers` and `onRunEnded` in as a ServerExtension and calls start/stop around serving.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ConnectorHandler } from '../effects/index.js';
import type { ErrorRenderer } from '../util/api-errors.js';
import { Access } from './access.js';
import { CallbackSender } from './callbacks.js';
import { machineGroupResolver } from './connections.js';
import { Dispatch } from './dispatch.js';
import { apiErrorBody, asDesktopError, dataverseErrorBody } from './errors.js';
import { Machines } from './machines.js';
import { Monitor } from './monitor.js';
import { agentRoutes } from './routes-agent.js';
import { apiRoutes } from './routes-api.js';
import { DATAVERSE_PREFIX, dataverseRoutes } from './routes-dataverse.js';
import { Sessions } from './sessions.js';
import { Signal } from './signal.js';
import { DEFAULT_TIMING, type DesktopDeps } from './types.js';
import { createUiFlowHandler } from './uiflow.js';

export interface DesktopFlows {
  routes: FastifyPluginAsync;
  /** Answers the errors of its routes in their shapes (Dataverse's under /api/data/v9.2). */
  renderError: ErrorRenderer;
  connectorHandlers: ConnectorHandler[];
  /** A cloud-flow run ended: the sessions it started and still waits for are cancelled. */
  onRunEnded: (runId: string, status: string) => void;
  /** Starts the sweep (timeouts, lost machines) and sends the callbacks a previous process did not. */
  start(): Promise<void>;
  /** Stops the sweep and lets callbacks under way finish (or leaves them to the next start). */
  stop(): Promise<void>;
  sessions: Sessions;
  /** Waits for background work (tests). */
  idle(): Promise<void>;
}

export function createDesktopFlows(deps: DesktopDeps): DesktopFlows {
  const { store, log } = deps;
  const now = deps.now ?? Date.now;
  const timing = { ...DEFAULT_TIMING, ...deps.timing };
  const resolver = deps.resolveConnection ?? machineGroupResolver(store);
  const signal = new Signal();
  const callbacks = new CallbackSender({
    store,
    secret: deps.callbackSecret,
    fetch: deps.fetch ?? globalThis.fetch,
    now,
    retryDelaysMs: timing.callbackRetryDelaysMs,
    ...(log ? { log } : {}),
  });
  const common = { store, timing, now, ...(log ? { log } : {}) };
  const sessions = new Sessions({ ...common, resolver, callbacks, signal });
  const machines = new Machines(store, timing, now);
  const dispatch = new Dispatch({ ...common, machines, sessions, resolver, signal });
  const monitor = new Monitor({ ...common, sessions });
  const access = new Access(deps.auth);
  const pending = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>): void => {
    const t = p
      .catch((err: unknown) => log?.warn({ err }, 'desktop background task failed'))
      .finally(() => pending.delete(t));
    pending.add(t);
  };

  /** The requests routed to this feature's routes: their errors get its shapes. */
  const ours = new WeakSet<object>();
  const renderError: ErrorRenderer = (error, request) => {
    if (!ours.has(request)) return undefined;
    const e = asDesktopError(error);
    const url = request.url.toLowerCase();
    const dataverse = url.startsWith(`${DATAVERSE_PREFIX}/`);
    // The agent's credential is not a bearer token of the API: no Bearer challenge there.
    const challenge = e.status === 401 && !url.startsWith('/api/agent/');
    return {
      status: e.status,
      body: dataverse ? dataverseErrorBody(e) : apiErrorBody(e),
      ...(challenge ? { headers: { 'www-authenticate': 'Bearer' } } : {}),
    };
  };

  const routes: FastifyPluginAsync = async (app) => {
    // Errors of these routes are answered by renderError (through the server's one error handler).
    // An empty body with a JSON content type (CancelDesktopFlowRun) is accepted app-wide.
    app.addHook('onRequest', async (request) => {
      ours.add(request);
    });
    apiRoutes(app, {
      store,
      access,
      machines,
      sessions,
      dispatch,
      callbackSecret: deps.callbackSecret,
      baseUrl: deps.baseUrl,
    });
    agentRoutes(app, { machines, dispatch });
    dataverseRoutes(app, { store, access, sessions, baseUrl: deps.baseUrl });
  };

  return {
    routes,
    renderError,
    connectorHandlers: [createUiFlowHandler({ store, sessions, timing, baseUrl: deps.baseUrl })],
    // A run that Succeeded waits for nothing; checking only the others keeps every run's end cheap.
    onRunEnded: (runId, status) => {
      if (status !== 'Succeeded') track(sessions.cancelForRun(runId));
    },
    start: async () => {
      monitor.start();
      await callbacks.resume();
    },
    stop: async () => {
      await monitor.stop();
      callbacks.close();
      signal.fire();
      await Promise.allSettled([...pending]);
    },
    sessions,
    idle: async () => {
      await Promise.allSettled([...pending]);
      await callbacks.idle();
    },
  };
}

export { timingFromEnv, DEFAULT_TIMING } from './types.js';
export type { DesktopDeps, DesktopTiming, UiFlowConnection, UiFlowConnectionResolver } from './types.js';
