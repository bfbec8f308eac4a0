import { runCases, str, err, type Row } from '../test-support/cases.js';
import type { WorkflowContext } from '../context.js';
import type { Value } from '../values.js';

const actions: Record<string, Value> = {
  Compose: { name: 'Compose', status: 'Succeeded', outputs: { x: 1 } },
  HTTP: {
    name: 'HTTP',
    status: 'Succeeded',
    outputs: { statusCode: 200, body: { items: [1, 2], $formdata: [{ key: 'a', value: '1' }] } },
  },
  Form: {
    name: 'Form',
    outputs: {
      body: {
        $formdata: [
          { key: 'a', value: '1' },
          { key: 'b', value: '2' },
          { key: 'b', value: '3' },
        ],
        $multipart: [{ headers: {}, body: 'part zero' }],
      },
    },
  },
};

const ctx: WorkflowContext = {
  trigger: () => ({
    name: 'manual',
    outputs: {
      headers: { 'Content-Type': 'application/json' },
      body: { name: 'Ann', $formdata: [{ key: 'k', value: 'v' }] },
    },
  }),
  action: (name) => actions[name],
  currentAction: () => ({ name: 'Until', status: 'Running' }),
  item: (loop) => (loop === undefined ? 'inner' : loop === 'For_each' ? { id: 7 } : undefined),
  iterationIndex: (loop) => (loop === 'Until' ? 2 : undefined),
  variable: (name) => ({ counter: 3, list: [1, 2] })[name] as Value | undefined,
  parameter: (name) => (name === 'myAge' ? 42 : undefined),
  result: (name) => (name === 'Scope' ? [{ name: 'A', status: 'Failed' }] : undefined),
  workflow: () => ({ name: 'wf', run: { name: 'run1' } }),
  listCallbackUrl: () => 'https://example.test/cb',
  appsetting: (key) => (key === 'X' ? 'y' : undefined),
};

const rows: Row[] = [
  ['@trigger().name', str('manual')],
  ["@triggerOutputs()['headers']['content-type']", str('application/json')],
  ['@triggerBody().name', str('Ann')],
  ['@triggerBody()?.missing', 'null'],
  ["@triggerFormDataValue('k')", str('v')],
  ["@triggerFormDataMultiValues('k')", '["v"]'],
  ["@actions('Compose').status", str('Succeeded')],
  ["@actions('Nope')", err('InvalidReference')],
  ["@outputs('Compose')", '{"x":1}'],
  ["@body('Compose')", 'null'],
  ["@body('HTTP').items[1]", '2'],
  ["@actionBody('HTTP')?['items']?[0]", '1'],
  ["@actionOutputs('HTTP').statusCode", '200'],
  ["@body('Nope')", err('InvalidReference')],
  ["@formDataValue('Form', 'a')", str('1')],
  ["@formDataValue('Form', 'b')", err('InvalidArgument')],
  ["@formDataMultiValues('Form', 'b')", '["2","3"]'],
  ["@multipartBody('Form', 0)", str('part zero')],
  ["@multipartBody('Form', 3)", err('InvalidArgument')],
  ["@items('For_each').id", '7'],
  ["@items('Other')", err('InvalidReference')],
  ['@item()', str('inner')],
  ["@iterationIndexes('Until')", '2'],
  ["@variables('counter')", '3'],
  ["@variables('nope')", err('InvalidReference')],
  ["@parameters('myAge')", '42'],
  ["@{parameters('myAge')}", str('42')],
  ["@parameters('nope')", err('InvalidReference')],
  ["@result('Scope')[0].status", str('Failed')],
  ['@workflow().run.name', str('run1')],
  ['@action().name', str('Until')],
  ['@listCallbackUrl()', str('https://example.test/cb')],
  ["@appsetting('X')", str('y')],
  ["@appsetting('Z')", 'null'],
  ['@variables(1)', err('InvalidArgument')],
];

runCases('workflow functions', rows, ctx);

runCases('workflow functions without a context', [
  ['@trigger()', err('InvalidReference')],
  ['@triggerBody()', err('InvalidReference')],
  ["@variables('x')", err('InvalidReference')],
  ["@parameters('x')", err('InvalidReference')],
  ['@item()', err('InvalidReference')],
  ['@workflow()', err('InvalidReference')],
]);
