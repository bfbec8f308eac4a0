/**
 * The cluster leadership: every process (api, worker, scheduler) competes for one lock (a
 * PostgreSQL advisory lock; on SQLite a lock file when `start --workers` shares the database, else
 * its one process holds it), and the holder runs the one-per-cluster duties: Recurrence triggers,
 * retention, the queue sweeps. Timers are not among them: every
 * worker fires due timers (store.fireDueTimers), so a cluster without a leader still runs its flows.
 *
 * The holder checks now and then that it still holds the lock (its session may have died): a
 * process that lost it stops its duties and competes again, so at most one runs them for long.
 */
import type { QueueStore } from '../store/index.js';
import type { HostLogger } from './types.js';

/** The advisory lock the processes compete for (the name the scheduler role always used). */
export const CLUSTER_LEADERSHIP = 'flowbridge-scheduler';

/** Something only the leader does: started when this process becomes the leader, stopped when it stops being it. */
export interface LeaderDuty {
  start(): void;
  stop(): void | Promise<void>;
}

export interface ClusterLeaderOptions {
  store: Pick<QueueStore, 'tryAcquireLeadership' | 'releaseLeadership'>;
  duties: LeaderDuty[];
  /** How often a process asks for the leadership, and the leader checks it still holds it (ms). */
  checkMs?: number;
  log?: HostLogger;
}

export class ClusterLeader {
  private leader = false;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: ClusterLeaderOptions) {}

  /** Whether this process holds the leadership (as of its last check). */
  get leading(): boolean {
    return this.leader;
  }

  start(): void {
    if (this.loop || this.stopped) return;
    this.loop = this.run();
  }

  /** Stops the duties and gives the leadership up at once, so another process takes it over now. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    await this.resign();
    await this.options.store.releaseLeadership(CLUSTER_LEADERSHIP).catch(() => {});
  }

  private async run(): Promise<void> {
    const checkMs = this.options.checkMs ?? 2000;
    while (!this.stopped) {
      const held = await this.options.store.tryAcquireLeadership(CLUSTER_LEADERSHIP).catch(() => false);
      if (this.stopped) break;
      if (held && !this.leader) {
        this.leader = true;
        this.options.log?.info({}, 'this process leads the cluster');
        for (const duty of this.options.duties) duty.start();
      } else if (!held && this.leader) {
        this.options.log?.warn({}, 'lost the cluster leadership');
        await this.resign();
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, checkMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private async resign(): Promise<void> {
    if (!this.leader) return;
    this.leader = false;
    await Promise.allSettled(this.options.duties.map((duty) => duty.stop()));
  }
}

/** A duty that calls `fn` at once and then every `intervalMs` while it runs. */
export function intervalDuty(intervalMs: number, fn: () => Promise<unknown>, log?: HostLogger): LeaderDuty {
  let handle: NodeJS.Timeout | undefined;
  const tick = (): void => {
    fn().catch((error: unknown) => log?.error({ err: error }, 'leader duty failed'));
  };
  return {
    start() {
      if (handle) return;
      tick();
      handle = setInterval(tick, intervalMs);
      handle.unref();
    },
    stop() {
      if (handle) clearInterval(handle);
      handle = undefined;
    },
  };
}
