/**
 * Answers handed over together at the end of the event loop's turn. A stateless run answers inside
 * the turn that read its request: handing each answer over at once interleaves one socket write
 * per call with the reads of the other calls, and each write then wakes its client alone. Handed
 * over together after the turn's I/O (as a group commit does for stateful runs' answers), the
 * writes go out back to back: a stateless call measured about 13% less server CPU under load
 * (README, Performance).
 */
const due: Array<() => void> = [];

function flush(): void {
  for (const resolve of due.splice(0)) resolve();
}

/** Resolves with `value` once this turn's I/O callbacks have run (setImmediate), with the others. */
export function atTurnEnd<T>(value: T): Promise<T> {
  return new Promise((resolve) => {
    if (due.length === 0) setImmediate(flush);
    due.push(() => resolve(value));
  });
}
