import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RetentionPruner } from './retention.js';

// The deletion itself is the store's (contract.test.ts, pruneRunsOlderThan on both backends);
// here: the cutoff the pruner asks for, and that a failing prune does not stop the interval.
const NOW = Date.UTC(2026, 10, 22);
const DAY = 86_400_000;

const cases: Array<[string, number | undefined, number]> = [
  ['default retention is 30 days', undefined, NOW - 30 * DAY],
  ['a configured retention', 7, NOW - 7 * DAY],
];
for (const [name, days, expected] of cases) {
  test(name, async () => {
    const asked: number[] = [];
    const store = {
      pruneRunsOlderThan: async (before: number | Date) => {
        asked.push(Number(before));
        return { runs: 0, events: 0, records: 0, payloads: 0, workItems: 0 } as never;
      },
    };
    const pruner = new RetentionPruner({
      store,
      now: () => NOW,
      ...(days !== undefined ? { retentionDays: days } : {}),
    });
    await pruner.pruneOnce();
    assert.deepEqual(asked, [expected]);
  });
}

test('start prunes at once and keeps going after a failure', async () => {
  let calls = 0;
  const warnings: string[] = [];
  const store = {
    pruneRunsOlderThan: async () => {
      calls++;
      throw new Error('disk full');
    },
  };
  const pruner = new RetentionPruner({
    store,
    intervalMs: 10,
    now: () => NOW,
    log: { info: () => {}, warn: (_o, msg) => warnings.push(msg) },
  });
  pruner.start();
  await new Promise((r) => setTimeout(r, 60));
  pruner.stop();
  assert.ok(calls >= 2, `pruned ${calls} times`);
  assert.ok(warnings.length >= 2);
});
