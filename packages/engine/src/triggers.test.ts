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

test('trigger conditions in the designer object form evaluate like the expression form', () => {
  const objectForm = compileWorkflow({
    triggers: {
      manual: {
        type: 'Request',
        conditions: [
          {
            expression: {
              and: [
                { equals: ["@triggerBody()?['kind']", 'order'] },
                { not: { equals: ["@triggerBody()?['state']", 'Stopped'] } },
                { or: [{ greater: ["@triggerBody()?['n']", 10] }, { endsWith: ["@triggerBody()?['name']", '!'] }] },
              ],
            },
          },
        ],
      },
    },
    actions: { A: { type: 'Compose', inputs: 1 } },
  });
  const cases: Array<[unknown, boolean]> = [
    [{ body: { kind: 'order', state: 'Running', n: 11, name: 'a' } }, true],
    [{ body: { kind: 'order', state: 'Running', n: 1, name: 'a!' } }, true],
    [{ body: { kind: 'order', state: 'Stopped', n: 11, name: 'a' } }, false],
    [{ body: { kind: 'order', state: 'Running', n: 1, name: 'a' } }, false],
  ];
  for (const [outputs, expected] of cases) assert.equal(evaluateTriggerConditions(objectForm, outputs), expected);
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
