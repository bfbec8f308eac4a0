// Property-based fuzzing of the expression language (fast-check, fixed seed, bounded runs): any
// definition string, well-formed or not, evaluates to a value or throws an ExpressionError with a
// code of the closed union; never a TypeError, a RangeError (stack) or a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ExpressionError, type ExpressionErrorCode } from './errors.js';
import { listFunctions } from './registry.js';
import { compileString } from './template.js';
import type { WorkflowContext } from './context.js';

const CODES: ReadonlySet<ExpressionErrorCode> = new Set<ExpressionErrorCode>([
  'InvalidTemplate',
  'UnknownFunction',
  'InvalidArgumentCount',
  'InvalidArgument',
  'InvalidProperty',
  'ArithmeticError',
  'InvalidReference',
  'NestingTooDeep',
]);

const SEED = 20261206;

const context: WorkflowContext = {
  trigger: () => ({ name: 'manual', outputs: { body: { name: 'x', items: [1, 2, 3] }, headers: {} } }),
  action: (name) => (name === 'A' ? { name: 'A', outputs: { body: 'text' }, status: 'Succeeded' } : undefined),
  variable: (name) => (name === 'v' ? [1, 'two', { three: 3 }] : undefined),
  parameter: (name) => (name === 'p' ? { a: 1 } : undefined),
  item: () => 1,
  workflow: () => ({ name: 'flow', run: { name: 'run' } }),
  now: () => Date.UTC(2026, 0, 1),
  newGuid: () => '00000000-0000-4000-8000-000000000000',
  random: () => 0.5,
};

const quoted = (s: string): string => `'${s.replace(/'/g, "''")}'`;

const literal = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((d) => (Number.isInteger(d) ? `${d}.0` : String(d))),
  fc.string({ maxLength: 12 }).map(quoted),
  fc.constantFrom(
    'null',
    'true',
    'false',
    "''",
    "'2024-01-01T00:00:00Z'",
    "'<a><b>1</b></a>'",
    '\'{"a":[1,2]}\'',
    "'aGVsbG8='",
    '9223372036854775807',
    '-9223372036854775808',
    '0',
    '1e308',
  ),
);

const names = [...listFunctions(), 'notAFunction'];

const { value: expression } = fc.letrec<{ value: string; call: string; access: string }>((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, literal, tie('call'), tie('access')),
  call: fc
    .tuple(fc.constantFrom(...names), fc.array(tie('value'), { maxLength: 4 }))
    .map(([name, args]) => `${name}(${args.join(', ')})`),
  access: fc
    .tuple(tie('value'), fc.constantFrom("?['name']", '[0]', '.name', '?[1]', "['items']", '[-1]'))
    .map(([target, accessor]) => target + accessor),
}));

/** Breaks a well-formed expression: cut, a character dropped or one inserted. */
const mangled = fc
  .tuple(expression, fc.nat(), fc.constantFrom('', '(', ')', ',', "'", '[', ']', '?', '.', '@', '{', '}', ' '))
  .map(([text, at, insert]) => {
    const i = text.length === 0 ? 0 : at % text.length;
    return text.slice(0, i) + insert + text.slice(i + (insert === '' ? 1 : 0));
  });

const definitionString = fc.oneof(
  expression.map((e) => `@${e}`),
  expression.map((e) => `text @{${e}} more`),
  mangled.map((e) => `@${e}`),
  mangled.map((e) => `a@{${e}}b`),
  fc.string({ maxLength: 40 }),
  fc.string({ maxLength: 40 }).map((s) => `@${s}`),
);

function outcome(text: string): void {
  try {
    compileString(text).evaluate(context);
  } catch (error) {
    assert.ok(error instanceof ExpressionError, `${text}: threw ${String(error)}`);
    assert.ok(CODES.has(error.code), `${text}: code ${error.code}`);
  }
}

test('fuzz: any definition string evaluates or throws a coded ExpressionError', () => {
  fc.assert(fc.property(definitionString, outcome), { seed: SEED, numRuns: 20_000 });
});
