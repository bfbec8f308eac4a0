/**
 * The cloud-flow action "Run a flow built with Power Automate for desktop": `OpenApiConnection`
 * on `shared_uiflow`, operation `RunUIFlow_V2`. It queues a session and answers 202 with a Location
 * (the asynchronous pattern the engine already follows durably: the run sleeps on a timer, in the
 * store, until its Retry-After). Each poll of that Location comes back here; while the session is
 * open the answer is 202 again, when it ended the action ends with it: Succeeded with the desktop
 * flow's outputs as its body, or Failed with the session's error. A session that ends wakes the
 * sleeping run at once (Sessions.wakeRun fires the timer the run sleeps on), so the Retry-After is
 * only the fallback. The session id derives from the action's idempotency key: an attempt the host
 * issues again after a crash finds the session it queued instead of queueing a second one.
 */
import { createHash } from 'node:crypto';
import type { ConnectorHandler } from '../effects/index.js';
import { isRecord, prop, type EffectCommand, type EffectContext, type EffectResult } from '../effects/types.js';
import type { DesktopSession, Store } from '../store/index.js';
import { DesktopError } from './errors.js';
import { priorityOf, runModeOf, timeoutOf } from './requests.js';
import type { Sessions } from './sessions.js';
import { isOpen, STATUS, statusLabel, TRIGGER_TYPES } from './status.js';
import type { DesktopTiming } from './types.js';

const SESSION_PATH = /\/api\/v1\/desktop-flow-sessions\/([0-9a-f-]{36})\/?$/i;

export type UiFlowErrorCode = 'InvalidDesktopFlowInputs' | 'DesktopFlowNotFound' | 'DesktopFlowFailed';

export function sessionIdFor(idempotencyKey: string): string {
  const h = createHash('sha256').update(`uiflow:${idempotencyKey}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The API name of a connector action: 'uiflow' for shared_uiflow, /apis/shared_uiflow, shared_uiflow_1. */
function apiName(inputs: unknown): string | undefined {
  const host = prop(inputs, 'host');
  for (const c of [prop(host, 'apiId'), prop(host, 'connectionName'), prop(prop(host, 'connection'), 'name')]) {
    if (typeof c !== 'string' || c === '') continue;
    const last = c.replace(/\/+$/, '').split('/').pop() ?? '';
    const name = last
      .toLowerCase()
      .replace(/^shared_/, '')
      .replace(/[-_]\d+$/, '');
    if (name === 'uiflow') return name;
  }
  return undefined;
}

function isRunUiFlow(command: EffectCommand): boolean {
  if (command.actionType.toLowerCase() !== 'openapiconnection') return false;
  const operationId = prop(prop(command.inputs, 'host'), 'operationId');
  return (
    apiName(command.inputs) === 'uiflow' && typeof operationId === 'string' && /^RunUIFlow(_V\d+)?$/i.test(operationId)
  );
}

/** The connection the action uses: host.connection.name, else the connection reference's name. */
function connectionNameOf(inputs: unknown): string | null {
  const host = prop(inputs, 'host');
  const c =
    prop(prop(host, 'connection'), 'name') ?? prop(host, 'connectionReferenceName') ?? prop(host, 'connectionName');
  return typeof c === 'string' && c !== '' ? c.replace(/^.*\//, '') : null;
}

/** Inputs named `item/<name>` (or an `item` object). */
function inputsOf(parameters: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = isRecord(parameters.item) ? { ...parameters.item } : {};
  for (const [key, value] of Object.entries(parameters)) if (key.startsWith('item/')) out[key.slice(5)] = value;
  return out;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function failed(code: string, message: string): EffectResult {
  return { status: 'Failed', error: { code, message }, retryable: false };
}

export function createUiFlowHandler(deps: {
  store: Store;
  sessions: Sessions;
  timing: DesktopTiming;
  baseUrl: () => string;
}): ConnectorHandler {
  const { store, sessions, timing } = deps;

  const accepted = (session: DesktopSession): EffectResult => ({
    status: 'Succeeded',
    outputs: {
      statusCode: 202,
      headers: {
        Location: `${deps.baseUrl()}/api/v1/desktop-flow-sessions/${session.id}`,
        'Retry-After': String(timing.actionPollSeconds),
      },
      body: { flowsessionId: session.id, status: statusLabel(session.status) },
    },
  });

  function ended(session: DesktopSession): EffectResult {
    if (session.status === STATUS.Succeeded) {
      return { status: 'Succeeded', outputs: { statusCode: 200, headers: {}, body: session.outputs ?? {} } };
    }
    return failed(
      session.errorCode ?? statusLabel(session.status),
      session.errorMessage ?? `The desktop flow session ended ${statusLabel(session.status)}.`,
    );
  }

  /** The timer key the engine sleeps on after poll n (spec: `${runId}:${path}#pollwait${n}`). */
  const waitKey = (command: EffectCommand, context: EffectContext, n: number): string =>
    `${context.runId}:${command.path}#pollwait${n}`;

  async function start(command: EffectCommand, context: EffectContext): Promise<EffectResult> {
    const parameters = prop(command.inputs, 'parameters');
    const p = isRecord(parameters) ? parameters : {};
    const flowId = text(p.uiFlowId) ?? text(p.workflowId);
    if (!flowId)
      return failed('InvalidDesktopFlowInputs', `Action '${command.actionName}' names no desktop flow (uiFlowId).`);
    const flow = await store.desktop.getDesktopFlow(flowId);
    const cloud = await store.getFlow(context.workflow.id, { includeDeleted: true });
    if (!flow || (cloud && cloud.environmentId !== flow.environmentId)) {
      return failed('DesktopFlowNotFound', `There is no desktop flow '${flowId}' in this flow's environment.`);
    }
    const machineGroupId = text(p.machineGroupId);
    const machineId = text(p.machineId);
    let session: DesktopSession;
    try {
      session = await sessions.start({
        id: sessionIdFor(command.idempotencyKey),
        flow,
        runMode: runModeOf(p.runMode ?? 'unattended'),
        priority: priorityOf(p.runPriority),
        connectionName: connectionNameOf(command.inputs),
        ...(machineGroupId ? { machineGroupId } : {}),
        ...(machineId ? { machineId } : {}),
        timeoutSeconds: timeoutOf(p.timeout),
        inputs: inputsOf(p),
        callbackUrl: null,
        triggerType: TRIGGER_TYPES.ApiFlow,
        runId: context.runId,
        createdBy: `run:${context.runId}`,
      });
    } catch (error) {
      if (error instanceof DesktopError && error.code === 'TooManyRequests') {
        return {
          status: 'Failed',
          error: { code: error.code, message: error.message },
          retryable: true,
          retryAfterMs: 10_000,
        };
      }
      if (error instanceof DesktopError && error.status < 500) return failed('InvalidDesktopFlowInputs', error.message);
      throw error;
    }
    await store.desktop.setSessionWaiter(session.id, context.runId, waitKey(command, context, 1));
    return accepted(session);
  }

  async function poll(command: EffectCommand, context: EffectContext, id: string): Promise<EffectResult | null> {
    const session = await store.desktop.getSession(id);
    if (!session || session.runId !== context.runId) return null;
    if (!isOpen(session.status)) return ended(session);
    // Record the next wait before looking again: an end in between then wakes the right timer.
    const n = Number(/#poll(\d+)$/.exec(command.id)?.[1] ?? 0) + 1;
    await store.desktop.setSessionWaiter(id, context.runId, waitKey(command, context, n));
    const again = (await store.desktop.getSession(id)) ?? session;
    return isOpen(again.status) ? accepted(again) : ended(again);
  }

  return (command, context) => {
    if (command.operation === 'poll') {
      const uri = prop(command.inputs, 'uri');
      const id = typeof uri === 'string' ? SESSION_PATH.exec(uri.split('?')[0] ?? '')?.[1] : undefined;
      if (!id || command.actionType.toLowerCase() !== 'openapiconnection') return null;
      return poll(command, context, id).then(
        (r) => r ?? failed('DesktopFlowNotFound', `Flow session '${id}' does not exist.`),
      );
    }
    if (command.operation !== undefined || !isRunUiFlow(command)) return null;
    return start(command, context);
  };
}
