/**
 * The sweep: every few seconds, sessions of machines not heard from for `offlineAfterMs` (or
 * removed) end Faulted (9) when they were Running and go back to the queue when only offered;
 * sessions past their deadline end TimedOut (10): Waiting ones at once, Running ones after a grace
 * that lets their agent (which kills them at the deadline) report first. Nothing is judged lost
 * before this process has been up for `offlineAfterMs`: while the server was down no agent could
 * reach it, and a session that finished meanwhile is reported when its agent reconnects.
 */
import type { Store } from '../store/index.js';
import type { Sessions } from './sessions.js';
import { OPEN, STATUS } from './status.js';
import type { DesktopLogger, DesktopTiming } from './types.js';

export class Monitor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly startedAt: number;

  constructor(
    private readonly deps: {
      store: Store;
      sessions: Sessions;
      timing: DesktopTiming;
      now: () => number;
      log?: DesktopLogger;
    },
  ) {
    this.startedAt = deps.now();
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sweep()
        .catch((err: unknown) => this.deps.log?.error({ err }, 'desktop sweep failed'))
        .finally(() => (this.running = undefined));
    }, this.deps.timing.sweepMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  async sweep(): Promise<void> {
    const { store, sessions, timing, now } = this.deps;
    const t = now();
    if (t - this.startedAt >= timing.offlineAfterMs) {
      for (const s of await store.desktop.sessionsOfLostMachines(t - timing.offlineAfterMs)) {
        if (s.status === STATUS.Running) {
          await sessions.end(s.id, [STATUS.Running], {
            status: STATUS.Faulted,
            errorCode: 'MachineUnreachable',
            errorMessage: 'The machine running this session stopped answering; the session was not run again.',
          });
        } else if (s.machineId) {
          await store.desktop.releaseSession(s.id, s.machineId);
        }
      }
    }
    const runningBefore = t - this.startedAt >= timing.offlineAfterMs ? t - timing.offlineAfterMs : 0;
    for (const s of await store.desktop.expiredSessions(t, runningBefore)) {
      await sessions.end(s.id, OPEN, {
        status: STATUS.TimedOut,
        errorCode: 'TimedOut',
        errorMessage: `The desktop flow did not finish within its timeout of ${s.timeoutSeconds} s${
          s.status === STATUS.Waiting ? ' (it was still waiting for a machine)' : ''
        }.`,
      });
    }
  }
}
