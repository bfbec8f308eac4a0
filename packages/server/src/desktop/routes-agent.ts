/**
 * The agent protocol (`flowbridge agent`), under /api/agent/v1: not the user API, so not under
 * /api/v1. Registration takes the group's registration key; everything else the machine credential
 * it got then (`Authorization: Bearer fbm_...`). One connection per agent: a long poll (dispatch.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AgentInfo, Machine } from '../store/index.js';
import type { Dispatch, ResultReport } from './dispatch.js';
import { DesktopError } from './errors.js';
import { bodyOf } from './flows.js';
import type { Machines } from './machines.js';
import { isRecord, optionalString } from './requests.js';
import { REPORTED, type ReportedStatus } from './status.js';

const MAX_LOG_CHUNK = 256 * 1024;

function agentInfoOf(value: unknown): AgentInfo {
  if (!isRecord(value)) return {};
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v.slice(0, 200) : undefined);
  const info: AgentInfo = {};
  const version = text(value.version);
  const osUser = text(value.osUser);
  const platform = text(value.platform);
  if (version) info.version = version;
  if (osUser) info.osUser = osUser;
  if (platform) info.platform = platform;
  if (typeof value.isRoot === 'boolean') info.isRoot = value.isRoot;
  return info;
}

function reportOf(body: Record<string, unknown>): ResultReport {
  const status = body.status;
  if (typeof status !== 'string' || !(status in REPORTED)) {
    throw new DesktopError('InvalidRequest', `'status' must be one of ${Object.keys(REPORTED).join(', ')}.`, 'status');
  }
  if (body.outputs !== undefined && body.outputs !== null && !isRecord(body.outputs)) {
    throw new DesktopError('InvalidRequest', "'outputs' must be a JSON object.", 'outputs');
  }
  const errorCode = optionalString(body.errorCode, 'errorCode');
  const errorMessage = optionalString(body.errorMessage, 'errorMessage');
  const ago = typeof body.endedAgoMs === 'number' && Number.isFinite(body.endedAgoMs) ? body.endedAgoMs : undefined;
  return {
    status: status as ReportedStatus,
    ...(isRecord(body.outputs) ? { outputs: body.outputs } : {}),
    ...(errorCode ? { errorCode: errorCode.slice(0, 200) } : {}),
    ...(errorMessage ? { errorMessage: errorMessage.slice(0, 8000) } : {}),
    ...(ago !== undefined ? { endedAgoMs: ago } : {}),
  };
}

export function agentRoutes(app: FastifyInstance, deps: { machines: Machines; dispatch: Dispatch }): void {
  const { machines, dispatch } = deps;

  async function machineOf(request: FastifyRequest): Promise<Machine> {
    const machine = await machines.authenticate(request.headers.authorization);
    if (!machine)
      throw new DesktopError(
        'Unauthorized',
        'A valid machine credential is required (the machine may have been removed).',
      );
    return machine;
  }

  app.post('/api/agent/v1/register', async (request, reply) => {
    const body = bodyOf(request.body);
    const key = optionalString(body.registrationKey, 'registrationKey');
    const name = optionalString(body.name, 'name')?.trim();
    if (!key) throw new DesktopError('Unauthorized', "'registrationKey' is required.");
    if (!name || name.length > 200) throw new DesktopError('InvalidRequest', "'name' is required.", 'name');
    const registered = await dispatch.register(key, {
      name,
      attended: body.attended === true,
      agent: agentInfoOf(body.agent),
    });
    return reply.status(201).send(registered);
  });

  app.post('/api/agent/v1/poll', async (request, reply) => {
    const machine = await machineOf(request);
    const body = bodyOf(request.body);
    const running = Array.isArray(body.running) ? body.running.filter((x): x is string => typeof x === 'string') : [];
    // The agent went away (killed, network): stop holding its poll.
    const gone = new AbortController();
    reply.raw.once('close', () => gone.abort());
    return dispatch.poll(
      machine,
      running,
      {
        ...(typeof body.attended === 'boolean' ? { attended: body.attended } : {}),
        ...(isRecord(body.agent) ? { info: agentInfoOf(body.agent) } : {}),
      },
      gone.signal,
    );
  });

  app.post<{ Params: { id: string } }>('/api/agent/v1/sessions/:id/start', async (request) => {
    return dispatch.start(await machineOf(request), request.params.id);
  });

  app.post<{ Params: { id: string } }>('/api/agent/v1/sessions/:id/log', async (request, reply) => {
    const machine = await machineOf(request);
    const text = bodyOf(request.body).text;
    if (typeof text !== 'string') throw new DesktopError('InvalidRequest', "'text' must be a string.", 'text');
    await dispatch.log(machine, request.params.id, text.slice(0, MAX_LOG_CHUNK));
    return reply.status(204).send();
  });

  app.post<{ Params: { id: string } }>('/api/agent/v1/sessions/:id/result', async (request) => {
    const machine = await machineOf(request);
    return dispatch.result(machine, request.params.id, reportOf(bodyOf(request.body)));
  });
}
