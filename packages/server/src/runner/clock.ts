/**
 * Time for the local host. The real clock sleeps with setTimeout; the virtual clock jumps
 * forward instead, so a `Wait PT1H` completes at once in tests. Virtual time only advances
 * while nothing real (an HTTP call, a script) is in flight, so timers never overtake work
 * that takes real time.
 */
export interface Clock {
  now(): number;
  /** Resolves after `ms` (or at once when the signal aborts). */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  readonly virtual: boolean;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    }),
  virtual: false,
};

export class VirtualClock implements Clock {
  readonly virtual = true;
  constructor(private current: number = Date.parse('2026-01-01T00:00:00Z')) {}
  now(): number {
    return this.current;
  }
  async sleep(ms: number): Promise<void> {
    this.current += Math.max(0, ms);
  }
  advance(ms: number): void {
    this.current += ms;
  }
}
