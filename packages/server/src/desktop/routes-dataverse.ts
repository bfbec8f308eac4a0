/**
 * The Dataverse-compatible desktop-flow API (spec §13) under /api/data/v9.2/, so that a client
 * built for Power Automate (Camunda's connector, for one) works when its "Organization URI" is our
 * base URL. OData paths carry ids in parentheses, which fastify's router does not take apart, so
 * one wildcard route per method dispatches over a table of path patterns: one entry per operation.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../auth/audit.js';
import type { Principal } from '../auth/types.js';
import type { DesktopFlow, DesktopSession, Store } from '../store/index.js';
import { actor, type Access } from './access.js';
import {
  etag,
  matches,
  orderBy,
  parseFilter,
  schemaDocument,
  selectColumns,
  sessionColumns,
  workflowColumns,
} from './dataverse-view.js';
import { DesktopError } from './errors.js';
import { bodyOf } from './flows.js';
import { callbackUrlOf, inputsOf, numberOf, optionalString, priorityOf, runModeOf, timeoutOf } from './requests.js';
import type { Sessions } from './sessions.js';
import { TRIGGER_TYPES } from './status.js';

export const DATAVERSE_PREFIX = '/api/data/v9.2';

export interface DataverseDeps {
  store: Store;
  access: Access;
  sessions: Sessions;
  baseUrl: () => string;
}

type Query = Record<string, unknown>;
interface Call {
  id: string;
  principal: Principal;
  query: Query;
  request: FastifyRequest;
  reply: FastifyReply;
}
interface Operation {
  method: 'GET' | 'POST';
  /** Matched against the path after the prefix, decoded; the id (if any) is group 1. */
  path: RegExp;
  handle(call: Call, deps: DataverseDeps): Promise<unknown>;
}

const ID = "\\(\\s*'?\\{?([0-9a-zA-Z-]+)\\}?'?\\s*\\)";

function context(deps: DataverseDeps, fragment: string): string {
  return `${deps.baseUrl()}${DATAVERSE_PREFIX}/$metadata#${fragment}`;
}

async function workflowFor(
  call: Call,
  deps: DataverseDeps,
  permission: 'flows.read' | 'runs.operate',
): Promise<DesktopFlow> {
  const flow = await deps.store.desktop.getDesktopFlow(call.id);
  const what = `workflow With Id = ${call.id}`;
  if (!flow) throw new DesktopError('NotFound', `${what} Does Not Exist`);
  deps.access.require(call.principal, permission, flow.environmentId, what);
  return flow;
}

async function sessionFor(call: Call, deps: DataverseDeps): Promise<DesktopSession> {
  const session = await deps.store.desktop.getSession(call.id);
  const what = `flowsession With Id = ${call.id}`;
  if (!session) throw new DesktopError('NotFound', `${what} Does Not Exist`);
  deps.access.require(call.principal, 'runs.operate', session.environmentId, what);
  return session;
}

function selectedFragment(set: string, select: unknown, entity = false): string {
  const columns = typeof select === 'string' && select.trim() ? `(${select.replace(/\s+/g, '')})` : '';
  return `${set}${columns}${entity ? '/$entity' : ''}`;
}

const operations: Operation[] = [
  {
    method: 'GET',
    path: /^workflows$/i,
    async handle(call, deps) {
      const environments = await deps.store.listEnvironments();
      const visible = environments.map((e) => e.id).filter((id) => deps.access.visible(call.principal, id));
      const flows = await deps.store.desktop.listDesktopFlows(visible);
      const clauses = parseFilter(call.query.$filter);
      const rows = orderBy(
        flows.map(workflowColumns).filter((row) => matches(row, clauses)),
        call.query.$orderby,
      );
      return {
        '@odata.context': context(deps, selectedFragment('workflows', call.query.$select)),
        value: rows.map((row) => ({
          '@odata.etag': etag(Number(row.versionnumber)),
          ...selectColumns(row, call.query.$select),
        })),
      };
    },
  },
  {
    method: 'GET',
    path: new RegExp(`^workflows${ID}$`, 'i'),
    async handle(call, deps) {
      const flow = await workflowFor(call, deps, 'flows.read');
      return {
        '@odata.context': context(deps, selectedFragment('workflows', call.query.$select, true)),
        '@odata.etag': etag(flow.currentVersion),
        ...selectColumns(workflowColumns(flow), call.query.$select),
      };
    },
  },
  ...(['inputs', 'outputs'] as const).map((which): Operation => ({
    method: 'GET',
    path: new RegExp(`^workflows${ID}/${which}/\\$value$`, 'i'),
    async handle(call, deps) {
      const flow = await workflowFor(call, deps, 'flows.read');
      const version = await deps.store.desktop.getDesktopFlowVersion(flow.id);
      return schemaDocument(version?.[which] ?? {});
    },
  })),
  {
    method: 'POST',
    path: new RegExp(`^workflows${ID}/Microsoft\\.Dynamics\\.CRM\\.RunDesktopFlow$`, 'i'),
    async handle(call, deps) {
      const flow = await workflowFor(call, deps, 'runs.operate');
      const body = bodyOf(call.request.body);
      const connectionName = optionalString(body.connectionName, 'connectionName');
      if (!connectionName) throw new DesktopError('InvalidRequest', "'connectionName' is required.", 'connectionName');
      const connectionType = numberOf(body.connectionType, 'connectionType') ?? 1;
      if (connectionType !== 1 && connectionType !== 2) {
        throw new DesktopError(
          'InvalidRequest',
          "'connectionType' must be 1 (connection) or 2 (connection reference).",
          'connectionType',
        );
      }
      const session = await deps.sessions.start({
        flow,
        runMode: runModeOf(body.runMode),
        priority: priorityOf(body.runPriority),
        connectionName,
        timeoutSeconds: timeoutOf(body.timeout),
        inputs: inputsOf(body.inputs),
        callbackUrl: callbackUrlOf(body.callbackUrl),
        triggerType: TRIGGER_TYPES.RunDesktopFlowDataverseApi,
        runId: null,
        createdBy: actor(call.principal),
      });
      return {
        '@odata.context': context(deps, 'Microsoft.Dynamics.CRM.RunDesktopFlowResponse'),
        flowsessionId: session.id,
        licenseCheck: null,
      };
    },
  },
  {
    method: 'GET',
    path: new RegExp(`^flowsessions${ID}$`, 'i'),
    async handle(call, deps) {
      const session = await sessionFor(call, deps);
      return {
        '@odata.context': context(deps, selectedFragment('flowsessions', call.query.$select, true)),
        '@odata.etag': etag(session.rowVersion),
        ...selectColumns(sessionColumns(session), call.query.$select),
        flowsessionid: session.id,
      };
    },
  },
  {
    method: 'GET',
    path: new RegExp(`^flowsessions${ID}/outputs/\\$value$`, 'i'),
    async handle(call, deps) {
      return (await sessionFor(call, deps)).outputs ?? {};
    },
  },
  {
    method: 'POST',
    path: new RegExp(`^flowsessions${ID}/Microsoft\\.Dynamics\\.CRM\\.CancelDesktopFlowRun$`, 'i'),
    async handle(call, deps) {
      const session = await sessionFor(call, deps);
      await audit(deps.store, call.principal, 'desktopSession.cancel', `desktopSession:${session.id}`);
      await deps.sessions.cancel(session.id);
      void call.reply.status(204);
      return undefined;
    },
  },
];

function pathOf(url: string): string {
  const raw = url
    .split('?')[0]!
    .slice(DATAVERSE_PREFIX.length)
    .replace(/^\/+|\/+$/g, '');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export function dataverseRoutes(app: FastifyInstance, deps: DataverseDeps): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    void reply.header('odata-version', '4.0');
    const path = pathOf(request.url);
    const candidates = operations.filter((op) => op.path.test(path));
    // Authenticate before telling what exists.
    const principal = await deps.access.principal(request);
    const operation = candidates.find((op) => op.method === request.method);
    if (!operation) {
      if (candidates.length)
        throw new DesktopError('InvalidRequest', `${request.method} is not supported on '${path}'.`);
      throw new DesktopError('NotFound', `Resource not found for the segment '${path.split('/')[0]}'.`);
    }
    const id = operation.path.exec(path)?.[1] ?? '';
    const query = (request.query ?? {}) as Query;
    const result = await operation.handle({ id, principal, query, request, reply }, deps);
    return result === undefined ? reply.send() : result;
  };
  app.get(`${DATAVERSE_PREFIX}/*`, handler);
  app.post(`${DATAVERSE_PREFIX}/*`, handler);
}
