// "Work was enqueued": the wake-up for idle workers. SQLite has only this process, which emits
// after its own commits; on PostgreSQL every process (this one too) hears NOTIFY through a
// listener started on the first subscription.
import type { Driver } from './driver.js';

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
    if (this.driver.dialect === 'postgres' && !this.listenStart) {
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
