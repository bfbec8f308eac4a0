/**
 * The machine agent's loop: report what it holds, poll (the poll is the heartbeat), kill what the
 * server says to stop, start what it offers. One session at a time. A session's result is written
 * to the state folder the moment its script ends and removed only once the server acknowledged it,
 * so network loss, a server restart or an agent restart loses nothing: it is reported when the
 * server answers again. A 401 means this machine was removed (or its key was never valid): the
 * agent stops, as the credential will not work again.
 */
import { userInfo } from 'node:os';
import { version } from '../version.js';
import { AgentClient, CallError } from './client.js';
import { decideRunAs, lookupOsUser } from './run-as.js';
import { runScript, type RunningScript } from './runner.js';
import { killOrphan } from './orphan.js';
import { AgentState, type HeldResult } from './state.js';

export interface AgentOptions {
  server: string | undefined;
  registrationKey: string | undefined;
  name: string;
  attended: boolean;
  stateDir: string;
  log: (message: string) => void;
  /** Longest wait between attempts while the server does not answer (default 5 s). */
  retryMaxMs?: number;
  killGraceMs?: number;
}

interface PollAnswer {
  cancel: string[];
  offer: { sessionId: string } | null;
  pollMs: number;
}

interface SessionPayload {
  id: string;
  language: string;
  script: string;
  inputs: Record<string, unknown>;
  runMode: 'attended' | 'unattended';
  remainingMs: number;
  runAs: { username?: string; password?: string } | null;
}

interface Current {
  id: string;
  script: RunningScript;
  /** Output not sent yet. */
  buffer: { text: string };
}

const MAX_LOG_BUFFER = 1_000_000;
const LOG_FLUSH_MS = 300;

export class Agent {
  private readonly state: AgentState;
  private client: AgentClient | undefined;
  private current: Current | undefined;
  private readonly pending = new Map<string, string>(); // logs of ended sessions not yet sent
  private stopping = false;
  private pollAbort: AbortController | undefined;
  private pollMs = 20_000;
  private failures = 0;
  private wake: (() => void) | undefined;
  private flushing: Promise<void> | undefined;
  private logTimer: NodeJS.Timeout | undefined;
  private readonly user = userInfo().username;
  private readonly isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

  constructor(private readonly options: AgentOptions) {
    this.state = new AgentState(options.stateDir);
  }

  private get info() {
    return { version, osUser: this.user, isRoot: this.isRoot, platform: `${process.platform}-${process.arch}` };
  }

  /** Stops taking sessions; the one running finishes and is reported. Twice: it is killed. */
  stop(): void {
    if (this.stopping) this.current?.script.kill('Cancelled');
    this.stopping = true;
    this.pollAbort?.abort();
    this.wake?.();
  }

  async run(): Promise<number> {
    await this.state.init();
    const registered = await this.register();
    if (registered !== 0) return registered;
    await killOrphan(this.state);
    this.logTimer = setInterval(() => void this.flushLogs(), LOG_FLUSH_MS);
    try {
      while (!this.stopping || this.current) {
        try {
          await this.report();
          if (this.stopping && !this.current) break;
          const answer = await this.poll();
          this.failures = 0;
          for (const id of answer.cancel) if (this.current?.id === id) this.current.script.kill('Cancelled');
          if (answer.offer && !this.current && !this.stopping) await this.take(answer.offer.sessionId);
        } catch (error) {
          if (error instanceof CallError && error.code === 'Unauthorized') {
            this.options.log(
              `the server refused this machine's credential (${error.message}): was it removed? stopping`,
            );
            this.current?.script.kill('Cancelled');
            return 1;
          }
          this.failures++;
          if (this.failures === 1 || this.failures % 20 === 0)
            this.options.log(`server not reachable, retrying: ${(error as Error).message}`);
          await this.pause(Math.min(this.options.retryMaxMs ?? 5_000, 100 * 2 ** Math.min(this.failures, 10)));
        }
      }
      return 0;
    } finally {
      clearInterval(this.logTimer);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms * (0.75 + Math.random() / 2));
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  /** First start: registers with the key and keeps the credential; later starts reuse it. */
  private async register(): Promise<number> {
    const saved = await this.state.readRegistration();
    const server = (this.options.server ?? saved?.server)?.replace(/\/+$/, '');
    if (!server) {
      this.options.log('name the server: --server <url>');
      return 2;
    }
    this.client = new AgentClient(server);
    if (saved) {
      this.client.credential = saved.credential;
      this.options.log(`machine '${saved.name}' (${saved.machineId}) connecting to ${server}`);
      return 0;
    }
    if (!this.options.registrationKey) {
      this.options.log(
        'this machine is not registered yet: pass --registration-key <key> (from POST /api/v1/machine-groups)',
      );
      return 2;
    }
    for (;;) {
      try {
        const r = await this.client.call<{
          machineId: string;
          machineGroupId: string;
          name: string;
          credential: string;
        }>('/api/agent/v1/register', {
          registrationKey: this.options.registrationKey,
          name: this.options.name,
          attended: this.options.attended,
          agent: this.info,
        });
        await this.state.writeRegistration({ server, ...r });
        this.client.credential = r.credential;
        this.options.log(`registered machine '${r.name}' (${r.machineId}) in group ${r.machineGroupId}`);
        return 0;
      } catch (error) {
        if (!(error instanceof CallError) || error.code !== 'Unreachable') {
          this.options.log(`registration refused: ${(error as Error).message}`);
          return 1;
        }
        if (this.stopping) return 1;
        this.failures++;
        await this.pause(Math.min(this.options.retryMaxMs ?? 5_000, 100 * 2 ** Math.min(this.failures, 10)));
      }
    }
  }

  private async poll(): Promise<PollAnswer> {
    const held = (await this.state.heldResults()).map((r) => r.sessionId);
    const running = [...(this.current ? [this.current.id] : []), ...held];
    this.pollAbort = new AbortController();
    try {
      const answer = await this.client!.call<PollAnswer>(
        '/api/agent/v1/poll',
        { running, attended: this.options.attended, agent: this.info },
        { timeoutMs: this.pollMs + 15_000, signal: this.pollAbort.signal },
      );
      this.pollMs = answer.pollMs;
      return answer;
    } catch (error) {
      // Aborted here on purpose (a session ended, or stopping): look again at once.
      if (this.pollAbort.signal.aborted) return { cancel: [], offer: null, pollMs: this.pollMs };
      throw error;
    } finally {
      this.pollAbort = undefined;
    }
  }

  private async take(sessionId: string): Promise<void> {
    let payload: SessionPayload;
    try {
      payload = await this.client!.call<SessionPayload>(
        `/api/agent/v1/sessions/${encodeURIComponent(sessionId)}/start`,
        {},
      );
    } catch (error) {
      if (error instanceof CallError && error.code === 'Rejected') return; // cancelled or taken back meanwhile
      throw error;
    }
    const decision = decideRunAs({
      username: payload.runAs?.username,
      runMode: payload.runMode,
      agentUser: this.user,
      isRoot: this.isRoot,
      lookup: lookupOsUser,
    });
    if (!decision.ok) {
      await this.state.saveResult({
        sessionId,
        status: 'Failed',
        errorCode: decision.code,
        errorMessage: decision.message,
        endedAt: Date.now(),
      });
      return;
    }
    this.options.log(
      `session ${sessionId}: starting (${payload.language}${decision.switchTo ? `, as ${decision.switchTo.name}` : ''})`,
    );
    const workDir = this.state.workDir(sessionId);
    // Marked before the script can start, so that a crash at any instant from here leaves the mark.
    await this.state.markRunning({ sessionId, workDir });
    const buffer = { text: '' };
    const script = runScript({
      sessionId,
      language: payload.language,
      script: payload.script,
      inputs: payload.inputs,
      workDir,
      timeoutMs: payload.remainingMs,
      ...(decision.switchTo ? { runAs: decision.switchTo } : {}),
      ...(this.options.killGraceMs !== undefined ? { killGraceMs: this.options.killGraceMs } : {}),
      onLog: (text) => {
        buffer.text = (buffer.text + text).slice(-MAX_LOG_BUFFER);
      },
      onSpawn: (pid) => void this.state.markRunning({ sessionId, pid, workDir }).catch(() => {}),
    });
    const current: Current = { id: sessionId, script, buffer };
    this.current = current;
    void script.done.then(
      (outcome) => this.ended(current, outcome),
      (error: unknown) =>
        this.ended(current, {
          status: 'Failed',
          errorCode: 'ScriptFailed',
          errorMessage: `The agent could not run the script: ${String(error)}`,
        }),
    );
  }

  private async ended(current: Current, outcome: Omit<HeldResult, 'sessionId' | 'endedAt'>): Promise<void> {
    // Held before it stops counting as running: the server always hears of it as one or the other.
    await this.state.saveResult({ ...outcome, sessionId: current.id, endedAt: Date.now() });
    await this.flushing;
    if (current.buffer.text) this.pending.set(current.id, current.buffer.text);
    this.current = undefined;
    await this.state.clearRunning().catch(() => {});
    await this.state.dropWorkDir(current.id).catch(() => {});
    this.options.log(`session ${current.id}: ${outcome.status}${outcome.errorCode ? ` (${outcome.errorCode})` : ''}`);
    this.pollAbort?.abort();
    this.wake?.();
  }

  /** Sends the log written so far (best effort: kept for the next try while the server is away). */
  private flushLogs(): Promise<void> {
    this.flushing ??= (async () => {
      const batches: Array<[string, string, (sent: number) => void]> = [];
      const c = this.current;
      if (c?.buffer.text) batches.push([c.id, c.buffer.text, (n) => (c.buffer.text = c.buffer.text.slice(n))]);
      for (const [id, text] of this.pending) batches.push([id, text, (n) => this.trimPending(id, n)]);
      for (const [id, text, sent] of batches) {
        try {
          await this.client!.call(`/api/agent/v1/sessions/${encodeURIComponent(id)}/log`, { text });
          sent(text.length);
        } catch (error) {
          if (error instanceof CallError && error.code !== 'Unreachable') sent(text.length); // never to be accepted
        }
      }
    })().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private trimPending(id: string, n: number): void {
    const rest = (this.pending.get(id) ?? '').slice(n);
    if (rest) this.pending.set(id, rest);
    else this.pending.delete(id);
  }

  /** Reports every held result (its log first); each is dropped once the server acknowledged it. */
  private async report(): Promise<void> {
    for (const result of await this.state.heldResults()) {
      if (this.pending.has(result.sessionId)) await this.flushLogs();
      const { sessionId, endedAt, ...outcome } = result;
      try {
        const answer = await this.client!.call<{ accepted: boolean; statuscode: number }>(
          `/api/agent/v1/sessions/${encodeURIComponent(sessionId)}/result`,
          { ...outcome, endedAgoMs: Math.max(0, Date.now() - endedAt) },
        );
        if (!answer.accepted)
          this.options.log(`session ${sessionId}: the server had already ended it (status ${answer.statuscode})`);
      } catch (error) {
        if (!(error instanceof CallError) || error.code !== 'Rejected') throw error;
        this.options.log(`session ${sessionId}: the server does not take this result (${error.message})`);
      }
      this.pending.delete(sessionId);
      await this.state.dropResult(sessionId);
    }
  }
}
