/**
 * The agent protocol's rules. An agent polls (long poll) with the sessions it holds; the answer
 * tells it which of them to kill (cancelled, timed out, ended elsewhere) and offers it the next
 * session of its group when it is idle. A session is offered first and Running only once the agent
 * has started it (startSession), so an offer lost on the way is offered again, while a Running
 * session its agent no longer holds is Faulted, never run again: a desktop flow is not assumed
 * idempotent.
 */
import type { AgentInfo, DesktopSession, Machine, Store } from '../store/index.js';
import { DesktopError } from './errors.js';
import type { Machines } from './machines.js';
import { schemaErrors } from './requests.js';
import type { Sessions } from './sessions.js';
import type { Signal } from './signal.js';
import { isOpen, REPORTED, STATUS, type ReportedStatus } from './status.js';
import type { DesktopLogger, DesktopTiming, UiFlowConnectionResolver } from './types.js';

/** Other processes sharing the database queue sessions too: a held poll looks again this often. */
const RECHECK_MS = 1_000;

export interface PollAnswer {
  /** Sessions the agent holds that must stop now (kill the process tree). */
  cancel: string[];
  /** A session to start (POST .../sessions/{id}/start). */
  offer: { sessionId: string } | null;
  pollMs: number;
}

export interface SessionPayload {
  id: string;
  flowId: string;
  flowVersion: number;
  language: string;
  script: string;
  inputs: Record<string, unknown>;
  runMode: 'attended' | 'unattended';
  /** Time left before the session times out (the agent's clock may differ from ours). */
  remainingMs: number;
  /** Whom to run as: the connection's user (and, for unattended sessions only, its password). */
  runAs: { username?: string; password?: string } | null;
}

export interface ResultReport {
  status: ReportedStatus;
  outputs?: Record<string, unknown>;
  errorCode?: string;
  errorMessage?: string;
  /** How long ago the script ended, by the agent's clock: a result held while we were down keeps its time. */
  endedAgoMs?: number;
}

/** Whether the session was started (Running) after `at`: a poll sent then could not list it. */
const startedAfter = (s: DesktopSession, at: number): boolean =>
  s.status === STATUS.Running && s.startedAt !== null && s.startedAt > at;

export class Dispatch {
  constructor(
    private readonly deps: {
      store: Store;
      machines: Machines;
      sessions: Sessions;
      resolver: UiFlowConnectionResolver;
      signal: Signal;
      timing: DesktopTiming;
      now: () => number;
      log?: DesktopLogger;
    },
  ) {}

  async register(
    key: string,
    input: { name: string; attended: boolean; agent: AgentInfo },
  ): Promise<Record<string, unknown>> {
    const { machine, group, credential, replaced } = await this.deps.machines.register(key, input);
    if (replaced) {
      // The agent registered again under the same name: it lost its state, and what it ran with it.
      await this.reconcile(machine, [], 'The machine registered again while running this session.', false);
    }
    this.deps.log?.info(
      { machineId: machine.id, name: machine.name, groupId: group.id, replaced },
      'machine registered',
    );
    await this.deps.store.appendAudit({
      actor: `machine:${machine.id}`,
      action: 'machine.register',
      target: `machineGroup:${group.id}`,
      details: { name: machine.name, attended: machine.attended, replaced },
    });
    return {
      machineId: machine.id,
      machineGroupId: group.id,
      name: machine.name,
      credential,
      pollMs: this.deps.timing.pollHoldMs,
    };
  }

  /** Held until there is something for the agent, `pollHoldMs` passed, or the agent went away. */
  async poll(
    machine: Machine,
    running: string[],
    agent: { attended?: boolean; info?: AgentInfo },
    abort: AbortSignal,
  ): Promise<PollAnswer> {
    const { store, timing, now, signal } = this.deps;
    const until = now() + timing.pollHoldMs;
    const update = {
      ...(agent.attended !== undefined ? { attended: agent.attended } : {}),
      ...(agent.info ? { agent: agent.info } : {}),
    };
    const current = { ...machine, ...(agent.attended !== undefined ? { attended: agent.attended } : {}) };
    // `running` is what the agent held when it sent this poll: a session started since (on an offer
    // from another poll of the same agent, one it abandoned) is not missing from it.
    const sent = now();
    for (;;) {
      // An abandoned poll says nothing more: the agent has polled again with what it holds now.
      if (abort.aborted) return { cancel: [], offer: null, pollMs: timing.pollHoldMs };
      await store.desktop.touchMachine(machine.id, now(), update);
      const answer = await this.look(current, running, sent);
      const left = until - now();
      if (answer.cancel.length || answer.offer || left <= 0 || abort.aborted) return answer;
      await signal.wait(Math.min(RECHECK_MS, left), abort);
    }
  }

  private async look(machine: Machine, running: readonly string[], sent: number): Promise<PollAnswer> {
    const { store, timing } = this.deps;
    const held = await store.desktop.machineSessions(machine.id);
    const cancel = running.filter((id) => {
      const s = held.find((h) => h.id === id);
      return !s || s.cancelRequested;
    });
    let offer = await this.reconcile(
      machine,
      running,
      "The machine's agent no longer runs this session (it restarted).",
      true,
      sent,
    );
    // Nothing new for a machine that started a session since this poll was sent.
    if (!offer && running.length === 0 && !held.some((h) => startedAfter(h, sent)))
      offer = await store.desktop.claimSession(machine, this.deps.now());
    return { cancel, offer: offer ? { sessionId: offer.id } : null, pollMs: timing.pollHoldMs };
  }

  /**
   * The sessions the store says the machine holds, against those the agent says it holds: a Running
   * one it does not hold is Faulted; an offered one is offered again (when it is idle) or released.
   */
  private async reconcile(
    machine: Machine,
    running: readonly string[],
    lost: string,
    mayOffer = true,
    sent = Infinity,
  ): Promise<DesktopSession | undefined> {
    let offer: DesktopSession | undefined;
    for (const s of await this.deps.store.desktop.machineSessions(machine.id)) {
      if (running.includes(s.id)) continue;
      // Started after the agent sent `running` (`sent`): its list could not name it yet.
      if (startedAfter(s, sent)) continue;
      if (s.status === STATUS.Running) {
        await this.deps.sessions.end(s.id, [STATUS.Running], {
          status: STATUS.Faulted,
          errorCode: 'AgentRestarted',
          errorMessage: lost,
        });
      } else if (mayOffer && !offer && running.length === 0) {
        offer = s;
      } else {
        await this.deps.store.desktop.releaseSession(s.id, machine.id);
      }
    }
    return offer;
  }

  /** A machine removed: its credential stops working at once, and what it held ends or goes back to the queue. */
  async remove(machine: Machine): Promise<boolean> {
    if (!(await this.deps.store.desktop.removeMachine(machine.id))) return false;
    await this.reconcile(machine, [], 'The machine was removed while running this session.', false);
    this.deps.signal.fire();
    return true;
  }

  /** The agent starts an offered session: it is Running from now, and the agent gets what it needs. */
  async start(machine: Machine, id: string): Promise<SessionPayload> {
    const { store, now } = this.deps;
    const session = await store.desktop.startSession(id, machine.id, now());
    if (!session)
      throw new DesktopError(
        'Conflict',
        `Session '${id}' is not waiting for this machine (cancelled or taken back).`,
        id,
      );
    const version = await store.desktop.getDesktopFlowVersion(session.flowId, session.flowVersion);
    if (!version) {
      await this.fail(session, 'DesktopFlowNotFound', 'The desktop flow version of this session no longer exists.');
      throw new DesktopError('Conflict', `Session '${id}' cannot start: its desktop flow is gone.`, id);
    }
    let runAs: SessionPayload['runAs'] = null;
    if (session.connectionName) {
      const connection = await this.deps.resolver.resolve(session.connectionName, {
        environmentId: session.environmentId,
      });
      if (!connection) {
        await this.fail(session, 'ConnectionNotFound', `The connection '${session.connectionName}' no longer exists.`);
        throw new DesktopError('Conflict', `Session '${id}' cannot start: its connection is gone.`, id);
      }
      // A password goes only to the machine that runs an unattended session, and only now.
      runAs = {
        ...(connection.username ? { username: connection.username } : {}),
        ...(connection.password && session.runMode === 2 ? { password: connection.password } : {}),
      };
    }
    this.deps.log?.info({ sessionId: id, machineId: machine.id }, 'desktop session started');
    return {
      id: session.id,
      flowId: session.flowId,
      flowVersion: session.flowVersion,
      language: version.language,
      script: version.script,
      inputs: session.inputs,
      runMode: session.runMode === 1 ? 'attended' : 'unattended',
      remainingMs: Math.max(0, session.deadlineAt - now()),
      runAs,
    };
  }

  private async fail(session: DesktopSession, errorCode: string, errorMessage: string): Promise<void> {
    await this.deps.sessions.end(session.id, [STATUS.Running], { status: STATUS.Failed, errorCode, errorMessage });
  }

  /** The agent reports how a session ended; `accepted` false when it had already ended otherwise. */
  async result(machine: Machine, id: string, report: ResultReport): Promise<{ accepted: boolean; statuscode: number }> {
    const { store, now } = this.deps;
    const session = await store.desktop.getSession(id);
    if (!session || session.machineId !== machine.id)
      throw new DesktopError('NotFound', `Session '${id}' is not this machine's.`, id);
    if (!isOpen(session.status)) return { accepted: false, statuscode: session.status };
    let status = REPORTED[report.status];
    let { errorCode, errorMessage } = report;
    const outputs = report.outputs ?? {};
    if (status === STATUS.Succeeded) {
      const version = await store.desktop.getDesktopFlowVersion(session.flowId, session.flowVersion);
      const errors = schemaErrors(version?.outputs, outputs);
      if (errors.length) {
        status = STATUS.Failed;
        errorCode = 'InvalidOutputs';
        errorMessage = `The script's outputs do not match the desktop flow's output schema: ${errors.join('; ')}`;
      }
    }
    const ago = Math.max(0, Math.min(report.endedAgoMs ?? 0, now() - (session.startedAt ?? now())));
    const ended = await this.deps.sessions.end(id, [STATUS.Running], {
      status,
      outputs: status === STATUS.Succeeded ? outputs : null,
      errorCode: status === STATUS.Succeeded ? null : (errorCode ?? report.status),
      errorMessage: status === STATUS.Succeeded ? null : (errorMessage ?? `The desktop flow ended ${report.status}.`),
      completedAt: now() - ago,
      machineId: machine.id,
    });
    if (ended) return { accepted: true, statuscode: ended.status };
    const after = await store.desktop.getSession(id);
    return { accepted: false, statuscode: after?.status ?? session.status };
  }

  async log(machine: Machine, id: string, text: string): Promise<void> {
    const session = await this.deps.store.desktop.getSession(id);
    if (!session || session.machineId !== machine.id)
      throw new DesktopError('NotFound', `Session '${id}' is not this machine's.`, id);
    await this.deps.store.desktop.appendSessionLog(id, text, this.deps.now(), this.deps.timing.logMaxChars);
  }
}
