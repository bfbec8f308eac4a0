// "Work was enqueued": the wake-up for idle workers. This process emits after its own commits on
// SQLite; on PostgreSQL every process (this one too) hears NOTIFY through a listener started on the
// first subscription, and the workers of `flowbridge start --workers` on one SQLite database hear
// each other through their primary, which relays WORK_MESSAGE.
import type { Driver } from './driver.js';

/** What a worker process sends its primary (and the primary the other workers) after enqueueing. */
export const WORK_MESSAGE = { flowbridge: 'work' } as const;

export function isWorkMessage(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { flowbridge?: unknown }).flowbridge === 'work';
}

export class WorkSignal {
  private readonly callbacks = new Set<() => void>();
  private listenStart: Promise<() => Promise<void>> | null = null;

  constructor(private readonly driver: Driver) {}

  emit(): void {
    for (const cb of this.callbacks) {
      try {
        cb();
      } catch {
        // a subscriber's failure is its own
      }
    }
  }

  subscribe(callback: () => void): () => void {
    this.callbacks.add(callback);
    if (this.driver.shared && !this.listenStart) {
      const start = this.driver.listenWork(() => this.emit());
      this.listenStart = start;
      start.catch(() => {
        // The listener could not start: workers still poll; the next subscription tries again.
        if (this.listenStart === start) this.listenStart = null;
      });
    }
    return () => {
      this.callbacks.delete(callback);
    };
  }

  /** Resolves once this process receives other processes' notifications (PostgreSQL; tests). */
  async whenListening(): Promise<void> {
    await this.listenStart;
  }

  async close(): Promise<void> {
    this.callbacks.clear();
    if (this.listenStart) await this.listenStart.then((stop) => stop()).catch(() => {});
  }
}
