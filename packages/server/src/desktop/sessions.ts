/**
 * Sessions: queueing a desktop flow for a machine group (or one machine), cancelling, and ending a
 * session once, with what follows an end: the waiting cloud-flow run is woken, the completion
 * callback goes out, and held agent polls look again.
 */
import { randomUUID } from 'node:crypto';
import { isStoreError } from '../store/errors.js';
import type { DesktopFlow, DesktopSession, Store } from '../store/index.js';
import type { CallbackSender } from './callbacks.js';
import { DesktopError } from './errors.js';
import { RateLimiter } from './rate-limit.js';
import { checkedInputs } from './requests.js';
import type { Signal } from './signal.js';
import { OPEN, RUN_MODES, STATUS, type RunModeName } from './status.js';
import type { DesktopLogger, DesktopTiming, UiFlowConnectionResolver } from './types.js';

export interface StartRequest {
  flow: DesktopFlow;
  runMode: RunModeName;
  priority: number;
  connectionName: string | null;
  machineGroupId?: string;
  machineId?: string;
  timeoutSeconds: number;
  inputs: Record<string, unknown>;
  callbackUrl: string | null;
  triggerType: number;
  /** The cloud-flow run that waits for the session (RunUIFlow_V2). */
  runId: string | null;
  createdBy: string | null;
  /** A session id derived from the caller's idempotency key: starting again finds the same session. */
  id?: string;
}

export interface SessionEndInput {
  status: number;
  outputs?: Record<string, unknown> | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  completedAt?: number;
  /** Only when this machine holds the session. */
  machineId?: string;
}

export class Sessions {
  private readonly limiter: RateLimiter;

  constructor(
    private readonly deps: {
      store: Store;
      resolver: UiFlowConnectionResolver;
      callbacks: CallbackSender;
      signal: Signal;
      timing: DesktopTiming;
      now: () => number;
      log?: DesktopLogger;
    },
  ) {
    this.limiter = new RateLimiter(deps.timing.startsPerMinute, deps.now);
  }

  async get(id: string): Promise<DesktopSession | undefined> {
    return this.deps.store.desktop.getSession(id);
  }

  async start(request: StartRequest): Promise<DesktopSession> {
    const { store } = this.deps;
    if (request.id) {
      const existing = await store.desktop.getSession(request.id);
      if (existing) return existing;
    }
    const version = await store.desktop.getDesktopFlowVersion(request.flow.id);
    if (!version)
      throw new DesktopError('NotFound', `Desktop flow '${request.flow.id}' does not exist.`, request.flow.id);
    const inputs = checkedInputs(version.inputs, request.inputs);
    const { connectionName, ...placement } = await this.placement(request);
    const rateKey = connectionName ?? placement.groupId;
    if (!this.limiter.take(rateKey)) {
      throw new DesktopError(
        'TooManyRequests',
        `More than ${this.deps.timing.startsPerMinute} runs per minute for '${rateKey}'.`,
      );
    }
    try {
      const session = await store.desktop.createSession({
        id: request.id ?? randomUUID(),
        environmentId: request.flow.environmentId,
        flowId: request.flow.id,
        flowVersion: version.version,
        groupId: placement.groupId,
        targetMachineId: placement.machineId,
        runMode: RUN_MODES[request.runMode],
        priority: request.priority,
        triggerType: request.triggerType,
        connectionName,
        inputs,
        timeoutSeconds: request.timeoutSeconds,
        callbackUrl: request.callbackUrl,
        runId: request.runId,
        createdBy: request.createdBy,
      });
      this.deps.signal.fire();
      this.deps.log?.info(
        { sessionId: session.id, flowId: session.flowId, groupId: session.groupId },
        'desktop session queued',
      );
      return session;
    } catch (error) {
      // Two attempts of one effect raced: the other created it.
      if (request.id && isStoreError(error, 'Conflict')) {
        const existing = await store.desktop.getSession(request.id);
        if (existing) return existing;
      }
      throw error;
    }
  }

  /**
   * The group (and machine) a session goes to: the machine or group named in the request, else the
   * connection's; always one of the desktop flow's environment. The connection is kept with the
   * session when it exists (its credentials are read when a machine starts it); an action naming
   * its machine group may use a connection reference the resolver does not know: it runs without.
   */
  private async placement(
    request: StartRequest,
  ): Promise<{ groupId: string; machineId: string | null; connectionName: string | null }> {
    const { store, resolver } = this.deps;
    const environmentId = request.flow.environmentId;
    let { machineGroupId, machineId } = request;
    const connection = request.connectionName
      ? await resolver.resolve(request.connectionName, { environmentId })
      : undefined;
    const connectionName = connection ? request.connectionName : null;
    if (!machineGroupId && !machineId) {
      if (request.connectionName && !connection) {
        throw new DesktopError(
          'NoMachineGroup',
          `There is no desktop-flow connection '${request.connectionName}'.`,
          'connectionName',
        );
      }
      ({ machineGroupId, machineId } = connection ?? {});
    }
    if (machineId) {
      const machine = await store.desktop.getMachine(machineId);
      const group = machine && !machine.removedAt ? await store.desktop.getMachineGroup(machine.groupId) : undefined;
      if (!machine || !group || group.environmentId !== environmentId) {
        throw new DesktopError(
          'NoMachineGroup',
          `There is no machine '${machineId}' in this environment.`,
          'machineId',
        );
      }
      return { groupId: group.id, machineId: machine.id, connectionName };
    }
    if (machineGroupId) {
      const group = await store.desktop.getMachineGroup(machineGroupId);
      if (!group || group.environmentId !== environmentId) {
        throw new DesktopError(
          'NoMachineGroup',
          `There is no machine group '${machineGroupId}' in this environment.`,
          'machineGroupId',
        );
      }
      return { groupId: group.id, machineId: null, connectionName };
    }
    throw new DesktopError(
      'NoMachineGroup',
      'Name a machine group, a machine, or a connection that names one.',
      'connectionName',
    );
  }

  /**
   * Cancels: a Waiting session ends Cancelled at once; a Running one is marked and its machine
   * kills the script's process tree and reports Cancelled. An ended session stays as it is.
   */
  async cancel(id: string): Promise<DesktopSession> {
    const session = await this.deps.store.desktop.getSession(id);
    if (!session) throw new DesktopError('NotFound', `Flow session '${id}' does not exist.`, id);
    if (session.status === STATUS.Waiting) {
      const ended = await this.end(id, [STATUS.Waiting], {
        status: STATUS.Cancelled,
        errorCode: 'Cancelled',
        errorMessage: 'The run was cancelled before it started.',
      });
      if (ended) return ended;
    }
    if (await this.deps.store.desktop.requestCancel(id)) this.deps.signal.fire();
    return (await this.deps.store.desktop.getSession(id)) ?? session;
  }

  /** Cancels every open session a cloud-flow run started (the run ended and waits no more). */
  async cancelForRun(runId: string): Promise<void> {
    for (const s of await this.deps.store.desktop.listSessions({ runId, limit: 1000 })) {
      if (OPEN.includes(s.status)) await this.cancel(s.id);
    }
  }

  /** Ends the session once, leaving one of `from`; undefined when it had already left them. */
  async end(id: string, from: readonly number[], input: SessionEndInput): Promise<DesktopSession | undefined> {
    const ended = await this.deps.store.desktop.finishSession(id, {
      status: input.status,
      from,
      outputs: input.outputs ?? null,
      errorCode: input.errorCode ?? null,
      errorMessage: input.errorMessage ?? null,
      completedAt: input.completedAt ?? this.deps.now(),
      ...(input.machineId !== undefined ? { machineId: input.machineId } : {}),
    });
    if (!ended) return undefined;
    this.deps.log?.info({ sessionId: id, status: ended.status, errorCode: ended.errorCode }, 'desktop session ended');
    this.deps.signal.fire();
    this.deps.callbacks.deliver(ended);
    await this.wakeRun(ended);
    return ended;
  }

  /** The waiting RunUIFlow_V2 action polls now instead of at its Retry-After (uiflow.ts). */
  private async wakeRun(session: DesktopSession): Promise<void> {
    if (!session.runId || !session.waiterKey) return;
    try {
      await this.deps.store.enqueue([{ runId: session.runId, kind: 'timer', payload: { key: session.waiterKey } }]);
    } catch (err) {
      // The action polls at its Retry-After anyway.
      this.deps.log?.warn({ err, sessionId: session.id }, 'waking the waiting run failed');
    }
  }
}
