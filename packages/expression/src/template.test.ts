import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCondition, compileString, compileValue } from './template.js';
import { ExpressionError } from './errors.js';
import { stringifyValue, toJson } from './text.js';
import type { WorkflowContext } from './context.js';

const ctx: WorkflowContext = { variable: (n) => (n === 'x' ? 5 : undefined) };

test('compileValue substitutes every string and keeps constant subtrees as they are', () => {
  const constantPart = { a: [1, 'two', { b: true }] };
  const def = { fixed: constantPart, sum: "@add(variables('x'), 1)", text: "n=@{variables('x')}", '@key': '@@raw' };
  const compiled = compileValue(def);
  assert.equal(compiled.constant, false);
  const out = compiled.evaluate(ctx) as Record<string, unknown>;
  assert.equal(out.fixed, constantPart);
  assert.deepEqual(toJson(out as never), { fixed: constantPart, sum: 6, text: 'n=5', '@key': '@raw' });
  const whole = compileValue(constantPart);
  assert.equal(whole.constant, true);
  assert.equal(whole.evaluate({}), constantPart);
});

test('compileValue reports the JSON pointer of a bad string', () => {
  assert.throws(
    () => compileValue({ a: [{ 'b/c': '@concat(' }] }),
    (e: unknown) => e instanceof ExpressionError && e.code === 'InvalidTemplate' && e.pointer === '/a/0/b~1c',
  );
});

test('compileString marks literal-only strings constant', () => {
  assert.equal(compileString('plain').constant, true);
  assert.equal(compileString("@{'a'}b").constant, true);
  assert.equal(compileString("@variables('x')").constant, false);
});

test('compileCondition accepts expression strings and case-insensitive object trees', () => {
  const cases: Array<[unknown, string]> = [
    ["@equals(variables('x'), 5)", 'true'],
    [{ and: [{ equals: [{ lENgth: ['a'] }, 1] }, { equals: [2, 2] }] }, 'true'],
    [{ OR: [{ equals: ["@variables('x')", 4] }, { greater: ["@variables('x')", 4] }] }, 'true'],
    [{ and: [false, { nope: [] }] }, 'false'],
    // The designer writes not's one operand without the array.
    [{ and: [{ equals: [1, 1] }, { not: { equals: ["@variables('x')", 4] } }] }, 'true'],
    [{ NOT: { or: [{ less: [1, 2] }, { equals: [1, 2] }] } }, 'false'],
  ];
  for (const [condition, expected] of cases) {
    assert.equal(stringifyValue(compileCondition(condition).evaluate(ctx)), expected);
  }
  assert.throws(
    () => compileCondition({ nope: [1] }).evaluate(ctx),
    (e: unknown) => e instanceof ExpressionError && e.code === 'UnknownFunction',
  );
});
