// Save-time checks of expressions, names and sizes (spec §10): each case is a definition and the
// errors it must give (code and pointer), or none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateDefinition } from '../index.js';
import { LIMITS } from './limits.js';

const trig = { manual: { type: 'Request', kind: 'Http' } };
const def = (actions: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  triggers: trig,
  actions,
  ...extra,
});
const compose = (inputs: unknown): Record<string, unknown> => ({ type: 'Compose', inputs });
const declared = { parameters: { Region: { type: 'String', defaultValue: 'eu' } } };
const ifWith = (expression: unknown) => ({ C: { type: 'If', expression, actions: {} } });
const longName = 'N'.repeat(LIMITS.nameLength + 1);
const longExpression = `@concat('${'x'.repeat(LIMITS.expressionLength)}')`;

const cases: Array<[string, unknown, Array<[string, string]>]> = [
  ['unknown function', def({ A: compose('@nope(1)') }), [['UnknownFunction', '/actions/A/inputs']]],
  [
    'unknown function inside an interpolation, nested',
    def({ A: compose({ x: ['a', "a @{toUpperCase('b')} c"] }) }),
    [['UnknownFunction', '/actions/A/inputs/x/1']],
  ],
  ['function names are case-insensitive', def({ A: compose("@toUpper(CONCAT('a'))") }), []],
  [
    'unknown function in a designer condition object',
    def(ifWith({ and: [{ equalz: [1, 1] }, { not: { equals: [1, 2] } }] })),
    [['UnknownFunction', '/actions/C/expression/and/0/equalz']],
  ],
  [
    'unknown function in a trigger condition',
    { triggers: { manual: { type: 'Request', conditions: [{ expression: '@isTrue(1)' }] } }, actions: {} },
    [['UnknownFunction', '/triggers/manual/conditions/0/expression']],
  ],
  [
    'unknown function in an output',
    def({}, { outputs: { o: { type: 'String', value: '@frobnicate()' } } }),
    [['UnknownFunction', '/outputs/o/value']],
  ],
  [
    'undeclared parameter',
    def({ A: compose("@parameters('Zone')") }, declared),
    [['UndeclaredParameter', '/actions/A/inputs']],
  ],
  ['declared parameter, any case', def({ A: compose("@parameters('REGION')") }, declared), []],
  ['no declarations: parameters come from outside (LA Standard)', def({ A: compose("@parameters('Zone')") }), []],
  [
    'LA Standard workflow.json: parameters.json declares them',
    { definition: def({ A: compose("@parameters('Zone')") }, declared), kind: 'Stateful' },
    [],
  ],
  [
    'a Power Automate export points into its wrapper',
    { properties: { definition: def({ A: compose("@parameters('Zone')") }, declared), connectionReferences: {} } },
    [['UndeclaredParameter', '/properties/definition/actions/A/inputs']],
  ],
  [
    'values supplied with the definition count as declared',
    { file: def({ A: compose("@parameters('Zone')") }, declared), parameters: { Zone: 'z' } },
    [],
  ],
  ['template placeholders are not checked', def({ A: compose("@parameters('Zone_#workflowname#')") }, declared), []],
  ['expression too long', def({ A: compose(longExpression) }), [['ExpressionTooLong', '/actions/A/inputs']]],
  [
    'long literal text around a short expression is fine',
    def({ A: compose(`${'x'.repeat(LIMITS.expressionLength * 2)} @{utcNow()}`) }),
    [],
  ],
  ['a long literal is no expression', def({ A: compose('y'.repeat(LIMITS.expressionLength * 2)) }), []],
  ['action name too long', def({ [longName]: compose(1) }), [['ActionNameTooLong', `/actions/${longName}`]]],
  [
    'trigger name too long',
    { triggers: { [longName]: { type: 'Request', kind: 'Http' } }, actions: {} },
    [['TriggerNameTooLong', `/triggers/${longName}`]],
  ],
  ['platform parameters need no declaration', def({ A: compose("@parameters('$authentication')") }, declared), []],
  ['definition too large', def({ A: compose('z'.repeat(LIMITS.definitionBytes)) }), [['DefinitionTooLarge', '']]],
];

for (const [name, input, expected] of cases) {
  test(`save-time limits: ${name}`, () => {
    const withValues = input as { file?: unknown; parameters?: Record<string, unknown> };
    const errors = (
      withValues.file
        ? validateDefinition(withValues.file, { parameters: withValues.parameters ?? {} })
        : validateDefinition(input)
    ).map((e) => [e.code, e.pointer]);
    assert.deepEqual(errors, expected);
  });
}
