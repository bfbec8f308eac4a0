/**
 * Run-history retention (DESIGN §3): finished runs older than the retention period are deleted
 * with their events, action records, payloads and queue items, so the database does not grow
 * without bound. The scheduler leader prunes once at start and then on an interval.
 */
import type { Store } from '../store/index.js';

export const DEFAULT_RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;

export interface RetentionOptions {
  store: Pick<Store, 'pruneRunsOlderThan'>;
  retentionDays?: number;
  /** How often to prune (default hourly). */
  intervalMs?: number;
  now?: () => number;
  log?: { info: (obj: object, msg: string) => void; warn: (obj: object, msg: string) => void };
}

export class RetentionPruner {
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly options: RetentionOptions) {}

  /** Deletes the finished runs that ended before now minus the retention period; returns the counts. */
  async pruneOnce(): Promise<unknown> {
    const days = this.options.retentionDays ?? DEFAULT_RETENTION_DAYS;
    const before = (this.options.now ?? Date.now)() - days * DAY_MS;
    const counts = await this.options.store.pruneRunsOlderThan(before);
    this.options.log?.info({ counts, retentionDays: days }, 'pruned run history');
    return counts;
  }

  start(): void {
    if (this.timer) return;
    const tick = (): void => {
      this.pruneOnce().catch((error: unknown) => this.options.log?.warn({ error: String(error) }, 'pruning failed'));
    };
    tick();
    this.timer = setInterval(tick, this.options.intervalMs ?? 3_600_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
