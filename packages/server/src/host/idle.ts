/** Waiting helpers of the host's loops. */

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Sleeps `ms`, or less when the function handed to `register` is called (a wake-up). */
export function idle(register: (wake: () => void) => void, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      resolve();
    }
    register(done);
  });
}
