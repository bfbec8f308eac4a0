// A first-come, first-served lock for async code on one thread: what keeps other callers'
// statements out of a transaction that spans awaits (sqlite-driver.ts).

export class Lock {
  private held = false;
  private readonly waiters: Array<() => void> = [];

  get locked(): boolean {
    return this.held;
  }

  /** Someone waits for the lock. */
  get waiting(): boolean {
    return this.waiters.length > 0;
  }

  async acquire(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return;
    }
    await new Promise<void>((r) => this.waiters.push(r));
  }

  /** Hands the lock to the longest waiter, if any. */
  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.held = false;
  }
}
