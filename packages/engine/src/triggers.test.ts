import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileWorkflow, evaluateTriggerConditions, splitTrigger, TriggerError } from './index.js';

const wf = compileWorkflow({
  triggers: {
    manual: {
      type: 'Request',
      conditions: [
        { expression: "@equals(triggerBody()?['kind'], 'order')" },
        { expression: "@greater(length(triggerBody()?['items']), 0)" },
      ],
      splitOn: "@triggerBody()?['items']",
    },
  },
  actions: { A: { type: 'Compose', inputs: '@triggerBody()' } },
});

test('trigger conditions: all must hold', () => {
  const cases: Array<[unknown, boolean]> = [
    [{ body: { kind: 'order', items: [1] } }, true],
    [{ body: { kind: 'refund', items: [1] } }, false],
    [{ body: { kind: 'order', items: [] } }, false],
  ];
  for (const [outputs, expected] of cases) assert.equal(evaluateTriggerConditions(wf, outputs), expected);
});

test('splitOn: one trigger-outputs object per element', () => {
  assert.deepEqual(splitTrigger(wf, { headers: { a: '1' }, body: { items: [{ n: 1 }, { n: 2 }] } }), [
    { headers: { a: '1' }, body: { n: 1 } },
    { headers: { a: '1' }, body: { n: 2 } },
  ]);
  assert.throws(
    () => splitTrigger(wf, { body: { items: 'x' } }),
    (e: unknown) => e instanceof TriggerError && e.code === 'InvalidSplitOn',
  );
});
