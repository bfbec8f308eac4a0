import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ArmError } from './errors.js';
import { classifyArmString, evaluateArmExpression } from './evaluate.js';
import type { ArmScope } from './functions.js';
import { defaultArmDeployment } from './template.js';

const parameters: Record<string, unknown> = {
  name: 'Flow-One',
  count: 3,
  flag: true,
  tags: { env: 'prod', Owner: 'ada' },
  list: ['a', 'b', 'c'],
  empty: '',
  nothing: null,
};
const variables: Record<string, unknown> = { table: 'subs', nested: { inner: [10, 20] } };

const scope: ArmScope = {
  deployment: defaultArmDeployment,
  parameter: (name) => {
    if (!(name in parameters)) throw new ArmError('ArmParameterMissing', `no ${name}`);
    return parameters[name];
  },
  variable: (name) => {
    if (!(name in variables)) throw new ArmError('InvalidArmExpression', `no ${name}`);
    return variables[name];
  },
};

const SUB = defaultArmDeployment.subscriptionId;
const RG = `/subscriptions/${SUB}/resourceGroups/flowbridge`;

/** [expression inside the brackets, expected value]. */
const cases: Array<[string, unknown]> = [
  // Literals, strings with the '' escape, property access and indexing.
  ["'text'", 'text'],
  ["'it''s'", "it's"],
  ["''", ''],
  ['42', 42],
  ['-7', -7],
  ['true', true],
  ['FALSE', false],
  ["parameters('name')", 'Flow-One'],
  ["PARAMETERS('name')", 'Flow-One'],
  ["parameters('tags').env", 'prod'],
  ["parameters('tags').owner", 'ada'],
  ["parameters('tags')['Env']", 'prod'],
  ["parameters('list')[1]", 'b'],
  ["variables('nested').inner[1]", 20],
  ["  concat( 'a' , 'b' )  ", 'ab'],
  // Deployment functions.
  ['resourceGroup().location', 'local'],
  ['resourceGroup().name', 'flowbridge'],
  ['resourceGroup().id', RG],
  ['subscription().subscriptionId', SUB],
  ['subscription().tenantId', defaultArmDeployment.tenantId],
  ["resourceId('Microsoft.Web/connections', 'arm')", `${RG}/providers/Microsoft.Web/connections/arm`],
  [
    "resourceId('other-rg', 'Microsoft.Web/connections', 'x')",
    `/subscriptions/${SUB}/resourceGroups/other-rg/providers/Microsoft.Web/connections/x`,
  ],
  [
    "resourceId('sub-2', 'rg-2', 'Microsoft.Web/connections', 'x')",
    '/subscriptions/sub-2/resourceGroups/rg-2/providers/Microsoft.Web/connections/x',
  ],
  [
    "resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'default')",
    `${RG}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default`,
  ],
  [
    "subscriptionResourceId('Microsoft.Web/locations/managedApis', 'westeurope', 'arm')",
    `/subscriptions/${SUB}/providers/Microsoft.Web/locations/westeurope/managedApis/arm`,
  ],
  ["uniqueString('hello', 'world')", 'a7wkljktk6wne'],
  ["uniqueString('tyeth')", 'zcztcwvu6iyg6'],
  ["guid('a', 'b')", '2d796349-8c7e-55ec-9624-54ece82ed031'],
  ['guid(resourceGroup().id)', 'd736040c-73eb-5fab-bd0b-996e95357240'],
  // Strings.
  ["concat('/Tables/', variables('table'), '/x')", '/Tables/subs/x'],
  ["concat('n', parameters('count'), parameters('flag'))", 'n3true'],
  ["concat(parameters('list'), createArray('d'))", ['a', 'b', 'c', 'd']],
  ["format('{0}-{1}', 'a', parameters('count'))", 'a-3'],
  ["format('{{{0}}} {1:D3} {2:N1}', 'x', 7, 1234.56)", '{x} 007 1,234.6'],
  ["toLower(parameters('name'))", 'flow-one'],
  ["toUpper('abc')", 'ABC'],
  ["replace('a-b-c', '-', '/')", 'a/b/c'],
  ["string(parameters('tags'))", '{"env":"prod","Owner":"ada"}'],
  ['string(5)', '5'],
  ["substring('abcdef', 2, 3)", 'cde'],
  ["substring('abcdef', 4)", 'ef'],
  ["split('a,b;c', createArray(',', ';'))", ['a', 'b', 'c']],
  ["startsWith('Hello', 'he')", true],
  ["indexOf('abcd', 'CD')", 2],
  // Conversion.
  ["int('42')", 42],
  ['int(4)', 4],
  ["bool('True')", true],
  ['bool(0)', false],
  ['json(\'{"a": [1, 2]}\')', { a: [1, 2] }],
  ["json('null')", null],
  // Logic.
  ["if(equals(parameters('count'), 3), 'three', 'other')", 'three'],
  ["if(parameters('flag'), 'yes', parameters('missing'))", 'yes'],
  ["equals(parameters('tags'), createObject('env', 'prod', 'owner', 'ada'))", true],
  ["equals('a', 'A')", false],
  ["empty(parameters('empty'))", true],
  ["empty(parameters('nothing'))", true],
  ['empty(createObject())', true],
  ["empty(parameters('list'))", false],
  ["coalesce(parameters('nothing'), null(), 'fallback')", 'fallback'],
  ["not(and(true, or(false, parameters('flag'))))", false],
  ['greater(2, 1)', true],
  ['add(mul(2, 3), div(7, 2))', 9],
  // Collections.
  ["length(parameters('list'))", 3],
  ["length(parameters('name'))", 8],
  ["length(parameters('tags'))", 2],
  ["first(parameters('list'))", 'a'],
  ["last(parameters('list'))", 'c'],
  ["first('xyz')", 'x'],
  ["createObject('a', 1, 'b', createArray(1, 'two'))", { a: 1, b: [1, 'two'] }],
  ['createArray()', []],
  [
    "union(createObject('a', 1, 'n', createObject('x', 1)), createObject('b', 2, 'n', createObject('y', 2)))",
    { a: 1, b: 2, n: { x: 1, y: 2 } },
  ],
  ['union(createArray(1, 2), createArray(2, 3))', [1, 2, 3]],
  ["contains(parameters('list'), 'b')", true],
  ["contains(parameters('tags'), 'OWNER')", true],
  ["contains(parameters('name'), 'one')", false],
  ["join(parameters('list'), '+')", 'a+b+c'],
  ["skip(parameters('list'), 1)", ['b', 'c']],
];

/** [expression, error code]. */
const errors: Array<[string, string]> = [
  ["listKeys(variables('table'), '2019-04-01').keys[0].value", 'ArmUnsupportedFunction'],
  ["reference('x')", 'ArmUnsupportedFunction'],
  ['noSuchFunction()', 'ArmUnsupportedFunction'],
  ["parameters('missing')", 'ArmParameterMissing'],
  ["concat('a'", 'InvalidArmExpression'],
  ["'unterminated", 'InvalidArmExpression'],
  ['parameters', 'InvalidArmExpression'],
  ['toLower(1)', 'InvalidArmExpression'],
  ["toLower('a', 'b')", 'InvalidArmExpression'],
  ["parameters('tags').missing", 'InvalidArmExpression'],
  ["parameters('list')[5]", 'InvalidArmExpression'],
  ["substring('abc', 2, 5)", 'InvalidArmExpression'],
  ["json('{nope')", 'InvalidArmExpression'],
  ["createObject('a')", 'InvalidArmExpression'],
  ["format('{1}', 'a')", 'InvalidArmExpression'],
  ["resourceId('no-type', 'x')", 'InvalidArmExpression'],
  ['union(createArray(1), createObject())', 'InvalidArmExpression'],
  ['div(1, 0)', 'InvalidArmExpression'],
  ["concat('a') 'b'", 'InvalidArmExpression'],
];

describe('ARM expressions', () => {
  for (const [expression, expected] of cases) {
    test(`[${expression}] = ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(evaluateArmExpression(expression, scope), expected);
    });
  }
  for (const [expression, code] of errors) {
    test(`[${expression}] fails with ${code}`, () => {
      assert.throws(
        () => evaluateArmExpression(expression, scope),
        (e: unknown) => e instanceof ArmError && e.code === code,
      );
    });
  }

  test('an unsupported function is named in the error', () => {
    assert.throws(() => evaluateArmExpression("listKeys('id', '2019')", scope), /'listKeys'.*live Azure deployment/);
  });

  const strings: Array<[string, unknown]> = [
    ["[parameters('name')]", { expression: "parameters('name')" }],
    ['[[literal]', { literal: '[literal]' }],
    ['[[', undefined],
    ['[]', { expression: '' }],
    ['plain [text]', undefined],
    ["@{concat('[', 'x')}", undefined],
    ['[not closed', undefined],
  ];
  for (const [text, expected] of strings) {
    test(`the string ${JSON.stringify(text)} is ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(classifyArmString(text), expected);
    });
  }
});
