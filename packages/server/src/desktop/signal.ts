/**
 * Wakes the agents' held polls in this process when something they may care about happened (a
 * session queued or cancelled). Other processes sharing PostgreSQL notice by looking again a
 * little later (dispatch.ts), so a missed wake-up only costs latency.
 */
export class Signal {
  private readonly waiters = new Set<() => void>();

  /** Resolves at the next fire(), after `ms`, or when `abort` is aborted, whichever comes first. */
  wait(ms: number, abort?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        abort?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.waiters.add(done);
      if (abort?.aborted) done();
      else abort?.addEventListener('abort', done, { once: true });
    });
  }

  fire(): void {
    for (const w of [...this.waiters]) w();
  }
}
