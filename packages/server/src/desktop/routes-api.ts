/**
 * Our REST API for desktop flows (under /api/v1, bearer tokens): desktop flows with versions,
 * machine groups and their registration keys, machines, and sessions (start, read, log, cancel).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DEFAULT_ENVIRONMENT_ID } from '../store/index.js';
import { audit } from '../auth/audit.js';
import { isOrgAdmin } from '../auth/permissions.js';
import { actor, type Access } from './access.js';
import { DesktopError } from './errors.js';
import { bodyOf, createDesktopFlow, desktopFlowView, saveDesktopFlow, versionView } from './flows.js';
import { groupView, type Machines } from './machines.js';
import type { Dispatch } from './dispatch.js';
import { callbackUrlOf, inputsOf, numberOf, optionalString, priorityOf, runModeOf, timeoutOf } from './requests.js';
import type { Sessions } from './sessions.js';
import { TRIGGER_TYPES } from './status.js';
import { sessionView } from './views.js';
import type { Store } from '../store/index.js';

export interface ApiDeps {
  store: Store;
  access: Access;
  machines: Machines;
  sessions: Sessions;
  dispatch: Dispatch;
  callbackSecret: string;
  baseUrl: () => string;
}

type IdParams = { Params: { id: string } };

export function apiRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { store, access, machines, sessions, dispatch } = deps;

  const environmentOf = (body: Record<string, unknown>): string =>
    optionalString(body.environmentId, 'environmentId') ?? DEFAULT_ENVIRONMENT_ID;

  async function flowFor(request: FastifyRequest<IdParams>, permission: 'flows.read' | 'flows.write' | 'runs.operate') {
    const principal = await access.principal(request);
    const flow = await store.desktop.getDesktopFlow(request.params.id);
    const what = `Desktop flow '${request.params.id}'`;
    if (!flow) throw new DesktopError('NotFound', `${what} does not exist.`, request.params.id);
    access.require(principal, permission, flow.environmentId, what);
    return { principal, flow };
  }

  async function machineFor(request: FastifyRequest<IdParams>, permission: 'flows.read' | 'flows.write') {
    const principal = await access.principal(request);
    const machine = await store.desktop.getMachine(request.params.id);
    const group = machine && !machine.removedAt ? await store.desktop.getMachineGroup(machine.groupId) : undefined;
    const what = `Machine '${request.params.id}'`;
    if (!machine || !group) throw new DesktopError('NotFound', `${what} does not exist.`, request.params.id);
    access.require(principal, permission, group.environmentId, what);
    return { principal, machine, group };
  }

  async function sessionFor(request: FastifyRequest<IdParams>) {
    const principal = await access.principal(request);
    const session = await store.desktop.getSession(request.params.id);
    const what = `Flow session '${request.params.id}'`;
    if (!session) throw new DesktopError('NotFound', `${what} does not exist.`, request.params.id);
    access.require(principal, 'runs.operate', session.environmentId, what);
    return { principal, session };
  }

  // ---- desktop flows
  app.post('/api/v1/desktop-flows', async (request, reply) => {
    const principal = await access.principal(request);
    const body = bodyOf(request.body);
    const environmentId = environmentOf(body);
    if (!(await store.getEnvironment(environmentId))) {
      throw new DesktopError('InvalidRequest', `There is no environment '${environmentId}'.`, 'environmentId');
    }
    access.require(principal, 'flows.write', environmentId, `Environment '${environmentId}'`);
    const { flow, version } = await createDesktopFlow(store, body, environmentId, actor(principal));
    await audit(store, principal, 'desktopFlow.create', `desktopFlow:${flow.id}`, { name: flow.name, environmentId });
    return reply.status(201).send(desktopFlowView(flow, version));
  });
  app.get('/api/v1/desktop-flows', async (request) => {
    const principal = await access.principal(request);
    const flows = await store.desktop.listDesktopFlows(access.environments(principal, 'flows.read'));
    return { value: flows.map((f) => desktopFlowView(f)) };
  });
  app.get('/api/v1/desktop-flows/callback-signing-key', async (request) => {
    const principal = await access.principal(request);
    if (!isOrgAdmin(principal)) throw new DesktopError('Forbidden', 'This needs the admin role.');
    return {
      key: deps.callbackSecret,
      header: 'x-flowbridge-signature',
      scheme: 'sha256=HMAC(key, "<x-flowbridge-timestamp>.<body>")',
    };
  });
  app.get<IdParams>('/api/v1/desktop-flows/:id', async (request) => {
    const { flow } = await flowFor(request, 'flows.read');
    return desktopFlowView(flow, await store.desktop.getDesktopFlowVersion(flow.id));
  });
  app.put<IdParams>('/api/v1/desktop-flows/:id', async (request) => {
    const { principal, flow } = await flowFor(request, 'flows.write');
    const saved = await saveDesktopFlow(store, flow, bodyOf(request.body), actor(principal));
    await audit(store, principal, 'desktopFlow.update', `desktopFlow:${flow.id}`, { version: saved.version.version });
    return desktopFlowView(saved.flow, saved.version);
  });
  app.delete<IdParams>('/api/v1/desktop-flows/:id', async (request, reply) => {
    const { principal, flow } = await flowFor(request, 'flows.write');
    await store.desktop.deleteDesktopFlow(flow.id);
    await audit(store, principal, 'desktopFlow.delete', `desktopFlow:${flow.id}`);
    return reply.status(204).send();
  });
  app.get<IdParams>('/api/v1/desktop-flows/:id/versions', async (request) => {
    const { flow } = await flowFor(request, 'flows.read');
    return { value: (await store.desktop.listDesktopFlowVersions(flow.id)).map(versionView) };
  });
  app.post<IdParams>('/api/v1/desktop-flows/:id/run', async (request, reply) => {
    const { principal, flow } = await flowFor(request, 'runs.operate');
    const body = bodyOf(request.body);
    const machineGroupId = optionalString(body.machineGroupId, 'machineGroupId');
    const machineId = optionalString(body.machineId, 'machineId');
    const session = await sessions.start({
      flow,
      runMode: runModeOf(body.runMode ?? 'unattended'),
      priority: priorityOf(body.runPriority),
      connectionName: optionalString(body.connectionName, 'connectionName') ?? null,
      ...(machineGroupId ? { machineGroupId } : {}),
      ...(machineId ? { machineId } : {}),
      timeoutSeconds: timeoutOf(body.timeout),
      inputs: inputsOf(body.inputs),
      callbackUrl: callbackUrlOf(body.callbackUrl),
      triggerType: TRIGGER_TYPES.RunDesktopFlowDataverseApi,
      runId: null,
      createdBy: actor(principal),
    });
    return reply
      .status(202)
      .header('location', `${deps.baseUrl()}/api/v1/desktop-flow-sessions/${session.id}`)
      .send(sessionView(session));
  });

  // ---- sessions
  app.get<{ Querystring: { flowId?: string; limit?: string } }>('/api/v1/desktop-flow-sessions', async (request) => {
    const principal = await access.principal(request);
    const limit = numberOf(request.query.limit, 'limit') ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new DesktopError('InvalidRequest', "'limit' must be 1 to 1000.", 'limit');
    }
    const environmentIds = access.environments(principal, 'runs.operate');
    const list = await store.desktop.listSessions({
      ...(environmentIds ? { environmentIds } : {}),
      ...(request.query.flowId ? { flowId: request.query.flowId } : {}),
      limit,
    });
    return { value: list.map(sessionView) };
  });
  app.get<IdParams>('/api/v1/desktop-flow-sessions/:id', async (request) =>
    sessionView((await sessionFor(request)).session),
  );
  app.get<IdParams>('/api/v1/desktop-flow-sessions/:id/log', async (request, reply) => {
    const { session } = await sessionFor(request);
    const lines = await store.desktop.readSessionLog(session.id);
    return reply.header('content-type', 'text/plain; charset=utf-8').send(lines.map((l) => l.text).join(''));
  });
  app.post<IdParams>('/api/v1/desktop-flow-sessions/:id/cancel', async (request) => {
    const { principal, session } = await sessionFor(request);
    await audit(store, principal, 'desktopSession.cancel', `desktopSession:${session.id}`);
    return sessionView(await sessions.cancel(session.id));
  });

  // ---- machine groups and machines
  app.post('/api/v1/machine-groups', async (request, reply) => {
    const principal = await access.principal(request);
    const body = bodyOf(request.body);
    const environmentId = environmentOf(body);
    const name = optionalString(body.name, 'name')?.trim();
    if (!name || name.length > 200) throw new DesktopError('InvalidRequest', "'name' is required.", 'name');
    if (!(await store.getEnvironment(environmentId))) {
      throw new DesktopError('InvalidRequest', `There is no environment '${environmentId}'.`, 'environmentId');
    }
    access.require(principal, 'flows.write', environmentId, `Environment '${environmentId}'`);
    if (await store.desktop.findMachineGroup({ environmentId, name })) {
      throw new DesktopError('Conflict', `A machine group named '${name}' exists in this environment.`, 'name');
    }
    const { group, registrationKey } = await machines.createGroup(environmentId, name);
    await audit(store, principal, 'machineGroup.create', `machineGroup:${group.id}`, { name, environmentId });
    return reply.status(201).send(groupView(group, registrationKey));
  });
  app.get('/api/v1/machine-groups', async (request) => {
    const principal = await access.principal(request);
    const groups = await store.desktop.listMachineGroups(access.environments(principal, 'flows.read'));
    return { value: groups.map((g) => groupView(g)) };
  });
  app.post<IdParams>('/api/v1/machine-groups/:id/rotateKey', async (request) => {
    const principal = await access.principal(request);
    const group = await store.desktop.getMachineGroup(request.params.id);
    const what = `Machine group '${request.params.id}'`;
    if (!group) throw new DesktopError('NotFound', `${what} does not exist.`, request.params.id);
    access.require(principal, 'flows.write', group.environmentId, what);
    const key = await machines.rotateKey(group.id);
    await audit(store, principal, 'machineGroup.rotateKey', `machineGroup:${group.id}`);
    return groupView(group, key);
  });
  app.get<{ Querystring: { machineGroupId?: string } }>('/api/v1/machines', async (request) => {
    const principal = await access.principal(request);
    const groups = await store.desktop.listMachineGroups(access.environments(principal, 'flows.read'));
    const wanted = groups.filter((g) => !request.query.machineGroupId || g.id === request.query.machineGroupId);
    const list = await store.desktop.listMachines({ groupIds: wanted.map((g) => g.id) });
    const byId = new Map(wanted.map((g) => [g.id, g]));
    return { value: await Promise.all(list.map((m) => machines.view(m, byId.get(m.groupId)))) };
  });
  app.get<IdParams>('/api/v1/machines/:id', async (request) => {
    const { machine, group } = await machineFor(request, 'flows.read');
    return machines.view(machine, group);
  });
  app.delete<IdParams>('/api/v1/machines/:id', async (request, reply) => {
    const { principal, machine } = await machineFor(request, 'flows.write');
    await dispatch.remove(machine);
    await audit(store, principal, 'machine.remove', `machine:${machine.id}`, { name: machine.name });
    return reply.status(204).send();
  });
}
