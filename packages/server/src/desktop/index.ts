/**
 * Desktop flows (issue #15): machine groups and the machines their agents register, desktop flows
 * with versions, the session queue with its placement rules, the agent protocol, the
 * Dataverse-compatible API of spec §13, completion callbacks, and the `shared_uiflow` RunUIFlow_V2
 * action. createDesktopFlows builds it once per server; the host plugs `routes`,
 * `connectorHandlers` and `onRunEnded` in as a ServerExtension and calls start/stop around serving.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ConnectorHandler } from '../effects/index.js';
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

  const routes: FastifyPluginAsync = async (app) => {
    // Clients post actions with `Content-Type: application/json` and no body (CancelDesktopFlowRun).
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
      const text = String(body);
      if (text.trim() === '') return done(null, undefined);
      try {
        done(null, JSON.parse(text));
      } catch (error) {
        done(Object.assign(error as Error, { statusCode: 400 }), undefined);
      }
    });
    app.setErrorHandler((error, request, reply) => {
      const e = asDesktopError(error);
      if (e.status >= 500) request.log.error({ err: error }, 'desktop route failed');
      const dataverse = request.url.toLowerCase().startsWith(`${DATAVERSE_PREFIX}/`);
      const agent = request.url.toLowerCase().startsWith('/api/agent/');
      // The agent's credential is not a bearer token of the API: no Bearer challenge there.
      if (e.status === 401 && !agent) void reply.header('www-authenticate', 'Bearer');
      void reply.status(e.status).send(dataverse ? dataverseErrorBody(e) : apiErrorBody(e));
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
export { signCallback } from './callbacks.js';
