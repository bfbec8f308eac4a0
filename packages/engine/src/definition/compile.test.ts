import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileWorkflow, DefinitionErrors, loadDefinition, validateDefinition } from '../index.js';

const trig = { manual: { type: 'Request', kind: 'Http' } };
const def = (actions: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  triggers: trig,
  actions,
  ...extra,
});
const compose = (runAfter?: Record<string, string[]>): Record<string, unknown> => ({
  type: 'Compose',
  inputs: 1,
  ...(runAfter ? { runAfter } : {}),
});

const initVar = (name: string): Record<string, unknown> => ({
  type: 'InitializeVariable',
  inputs: { variables: [{ name, type: 'Integer', value: 0 }] },
});
const loop = (name: string, actions: Record<string, unknown>): Record<string, unknown> => ({
  [name]: { type: 'Foreach', foreach: '@createArray(1)', actions },
});

const invalid: Array<[string, unknown, string, string]> = [
  [
    'an expression names a missing action',
    def({ A: { type: 'Compose', inputs: "@body('Nope')" } }),
    'InvalidReference',
    '/actions/A/inputs',
  ],
  [
    'an interpolation names a missing action, deep in the inputs',
    def({ A: { type: 'Compose', inputs: { x: ["id: @{outputs('Gone')?['id']}"] } } }),
    'InvalidReference',
    '/actions/A/inputs/x/0',
  ],
  [
    'items() outside its loop',
    def({ ...loop('L', {}), A: { type: 'Compose', inputs: "@items('L')" } }),
    'InvalidReference',
    '/actions/A/inputs',
  ],
  [
    'items() naming a loop that is not around it',
    def({ ...loop('L', { In: { type: 'Compose', inputs: "@items('M')" } }), ...loop('M', {}) }),
    'InvalidReference',
    '/actions/L/actions/In/inputs',
  ],
  [
    'a variable never initialised',
    def({ A: { type: 'Compose', inputs: "@variables('ghost')" } }),
    'InvalidReference',
    '/actions/A/inputs',
  ],
  [
    'SetVariable reading its own variable',
    def({
      I: initVar('n'),
      S: {
        type: 'SetVariable',
        inputs: { name: 'n', value: "@add(variables('n'), 1)" },
        runAfter: { I: ['Succeeded'] },
      },
    }),
    'SelfReferencingVariable',
    '/actions/S/inputs/value',
  ],
  ['unknown action type', def({ A: { type: 'Frobnicate' } }), 'UnknownActionType', '/actions/A/type'],
  ['missing type', def({ A: { inputs: 1 } }), 'MissingType', '/actions/A/type'],
  [
    'runAfter names a missing action',
    def({ A: compose({ Nope: ['Succeeded'] }) }),
    'RunAfterUnknownAction',
    '/actions/A/runAfter/Nope',
  ],
  [
    'runAfter names a non-sibling',
    def({ S: { type: 'Scope', actions: { In: compose() } }, B: compose({ In: ['Succeeded'] }) }),
    'RunAfterUnknownAction',
    '/actions/B/runAfter/In',
  ],
  [
    'runAfter cycle',
    def({ A: compose({ B: ['Succeeded'] }), B: compose({ A: ['Succeeded'] }) }),
    'RunAfterCycle',
    '/actions/',
  ],
  [
    'empty runAfter list',
    def({ A: compose(), B: compose({ A: [] }) }),
    'RunAfterEmptyStatuses',
    '/actions/B/runAfter/A',
  ],
  [
    'invalid runAfter status',
    def({ A: compose(), B: compose({ A: ['Cancelled'] }) }),
    'RunAfterInvalidStatus',
    '/actions/B/runAfter/A/0',
  ],
  [
    'duplicate names across scopes',
    def({ A: compose(), S: { type: 'Scope', actions: { a: compose() } } }),
    'DuplicateActionName',
    '/actions/S/actions/a',
  ],
  [
    'InitializeVariable inside a scope',
    def({
      S: {
        type: 'Scope',
        actions: { I: { type: 'InitializeVariable', inputs: { variables: [{ name: 'v', type: 'string' }] } } },
      },
    }),
    'InitializeVariableNotTopLevel',
    '/actions/S/actions/I',
  ],
  [
    'Terminate inside Foreach',
    def({
      L: {
        type: 'Foreach',
        foreach: '@createArray(1)',
        actions: { T: { type: 'Terminate', inputs: { runStatus: 'Failed' } } },
      },
    }),
    'ActionNotAllowedInLoop',
    '/actions/L/actions/T',
  ],
  [
    'Terminate inside Until in a Scope',
    def({
      U: {
        type: 'Until',
        expression: '@true',
        limit: { count: 1 },
        actions: { S: { type: 'Scope', actions: { T: { type: 'Terminate', inputs: { runStatus: 'Failed' } } } } },
      },
    }),
    'ActionNotAllowedInLoop',
    '/actions/U/actions/S/actions/T',
  ],
  [
    'expression syntax error',
    def({ A: { type: 'Compose', inputs: { x: ['ok', "@concat('a',"] } } }),
    'InvalidTemplate',
    '/actions/A/inputs/x/1',
  ],
  [
    'parameter without value or default',
    def({ A: { type: 'Compose', inputs: "@parameters('p')" } }, { parameters: { p: { type: 'String' } } }),
    'ParameterValueMissing',
    '/parameters/p',
  ],
  [
    'Foreach with Sequential and repetitions',
    def({
      L: {
        type: 'Foreach',
        foreach: '@createArray(1)',
        operationOptions: 'Sequential',
        runtimeConfiguration: { concurrency: { repetitions: 5 } },
        actions: {},
      },
    }),
    'InvalidConcurrency',
    '/actions/L/operationOptions',
  ],
  [
    'Foreach repetitions out of range',
    def({
      L: {
        type: 'Foreach',
        foreach: '@createArray(1)',
        runtimeConfiguration: { concurrency: { repetitions: 51 } },
        actions: {},
      },
    }),
    'InvalidConcurrency',
    '/actions/L/runtimeConfiguration/concurrency/repetitions',
  ],
  [
    'trigger concurrency runs out of range',
    {
      triggers: { manual: { type: 'Request', kind: 'Http', runtimeConfiguration: { concurrency: { runs: 101 } } } },
      actions: {},
    },
    'InvalidConcurrency',
    '/triggers/manual/runtimeConfiguration/concurrency/runs',
  ],
  [
    'trigger maximumWaitingRuns out of range',
    {
      triggers: {
        manual: { type: 'Request', kind: 'Http', runtimeConfiguration: { concurrency: { maximumWaitingRuns: 201 } } },
      },
      actions: {},
    },
    'InvalidConcurrency',
    '/triggers/manual/runtimeConfiguration/concurrency/maximumWaitingRuns',
  ],
  [
    'duplicate switch case values',
    def({
      S: { type: 'Switch', expression: '@1', cases: { a: { case: 1, actions: {} }, b: { case: 1, actions: {} } } },
    }),
    'DuplicateSwitchCase',
    '/actions/S/cases/b/case',
  ],
  [
    'relativePath without method',
    { triggers: { manual: { type: 'Request', inputs: { relativePath: '/x' } } }, actions: {} },
    'RelativePathWithoutMethod',
    '/triggers/manual/inputs',
  ],
  [
    'unknown trigger type',
    { triggers: { t: { type: 'Telepathy' } }, actions: {} },
    'UnknownTriggerType',
    '/triggers/t/type',
  ],
  ['not a definition', { hello: 1 }, 'NoDefinition', ''],
];

for (const [name, file, code, pointer] of invalid) {
  test(`invalid: ${name}`, () => {
    const errors = validateDefinition(file);
    const hit = errors.find((e) => e.code === code);
    assert.ok(hit, `expected ${code}, got ${JSON.stringify(errors)}`);
    assert.ok(hit.pointer.startsWith(pointer), `pointer ${hit.pointer} should start with ${pointer}`);
  });
}

test('an expression syntax error message carries the column', () => {
  const [e] = validateDefinition(def({ A: { type: 'Compose', inputs: "@concat('a',,)" } }));
  assert.equal(e?.code, 'InvalidTemplate');
  assert.match(e?.message ?? '', /column \d+/);
});

test('nesting deeper than 8 containers is rejected, 8 is fine', () => {
  const nest = (n: number): Record<string, unknown> => {
    let inner: Record<string, unknown> = { Leaf: compose() };
    for (let i = 0; i < n; i++) inner = { [`S${i}`]: { type: 'Scope', actions: inner } };
    return inner;
  };
  assert.deepEqual(validateDefinition(def(nest(8))), []);
  assert.ok(validateDefinition(def(nest(9))).some((e) => e.code === 'NestingTooDeep'));
});

test('connector actions are valid structure', () => {
  const errors = validateDefinition(
    def({
      A: { type: 'ApiConnection', inputs: { host: { connection: { name: 'x' } }, method: 'get', path: '/' } },
      B: { type: 'OpenApiConnectionWebhook', inputs: { host: { operationId: 'x' } } },
      C: { type: 'ServiceProvider', inputs: {} },
      D: { type: 'Function', inputs: {} },
    }),
  );
  assert.deepEqual(errors, []);
});

const bare = def({ A: compose() });
const wrappers: Array<[string, unknown, string, string]> = [
  ['bare', bare, 'bare', ''],
  [
    'ARM resource',
    { properties: { definition: bare, parameters: { p: { value: 1 } }, state: 'Enabled' } },
    'arm',
    '/properties/definition',
  ],
  ['Standard workflow.json', { definition: bare, kind: 'Stateless' }, 'standard', '/definition'],
  [
    'PA solution export',
    { properties: { connectionReferences: {}, definition: bare }, schemaVersion: '1.0.0.0' },
    'powerautomate',
    '/properties/definition',
  ],
  [
    'Dataverse clientdata string',
    JSON.stringify({ properties: { connectionReferences: {}, definition: bare }, schemaVersion: '1.0.0.0' }),
    'clientdata',
    '/properties/definition',
  ],
  [
    'Dataverse row with clientdata',
    { clientdata: JSON.stringify({ properties: { definition: bare } }) },
    'clientdata',
    '/properties/definition',
  ],
];
for (const [name, file, wrapper, prefix] of wrappers) {
  test(`load: ${name}`, () => {
    const { loaded, errors } = loadDefinition(file);
    assert.deepEqual(errors, []);
    assert.equal(loaded?.wrapper, wrapper);
    assert.equal(loaded?.pointerPrefix, prefix);
  });
}

test('errors point into the file, wrapper included', () => {
  const errors = validateDefinition({ properties: { definition: def({ A: compose({ Nope: ['Succeeded'] }) }) } });
  assert.equal(errors[0]?.pointer, '/properties/definition/actions/A/runAfter/Nope');
});

test('ARM parameter values and Standard kind are read from the wrapper', () => {
  const { loaded } = loadDefinition({ properties: { definition: bare, parameters: { p: { value: 1 } } } });
  assert.deepEqual(loaded?.parameterValues, { p: 1 });
  assert.equal(loadDefinition({ definition: bare, kind: 'Stateful' }).loaded?.kind, 'Stateful');
});

test('compileWorkflow throws DefinitionErrors for an invalid definition', () => {
  assert.throws(
    () => compileWorkflow(def({ A: { type: 'Nope' } })),
    (e: unknown) => e instanceof DefinitionErrors && e.errors[0]?.code === 'UnknownActionType',
  );
  assert.equal(compileWorkflow(def({ R: { type: 'Response', inputs: {} } })).hasResponse, true);
  assert.equal(compileWorkflow(bare).hasResponse, false);
});

const validReferences: Array<[string, unknown]> = [
  ['action names match case-insensitively', def({ Get: compose(), A: { type: 'Compose', inputs: "@outputs('GET')" } })],
  [
    'items() inside nested loops',
    def(loop('Outer', loop('Inner', { X: { type: 'Compose', inputs: "@items('outer')" } }))),
  ],
  [
    'SetVariable reading another variable',
    def({
      I: initVar('a'),
      J: initVar('b'),
      S: {
        type: 'SetVariable',
        inputs: { name: 'a', value: "@variables('B')" },
        runAfter: { I: ['Succeeded'], J: ['Succeeded'] },
      },
    }),
  ],
  [
    'an expression in a description is not evaluated',
    def({ A: { type: 'Compose', inputs: 1, description: "@body('Nope')" } }),
  ],
  [
    "parameters('x') declared outside the definition (Logic Apps Standard parameters.json)",
    def({ A: { type: 'Compose', inputs: "@parameters('fromProject')" } }),
  ],
];
for (const [name, file] of validReferences) {
  test(`valid reference: ${name}`, () => {
    assert.deepEqual(validateDefinition(file), []);
  });
}

const triggerConcurrencyCases: Array<
  [string, Record<string, unknown>, { runs: number; maximumWaitingRuns: number } | undefined]
> = [
  ['none: unlimited', {}, undefined],
  [
    'runs only: waiting defaults to 10 + runs',
    { runtimeConfiguration: { concurrency: { runs: 5 } } },
    { runs: 5, maximumWaitingRuns: 15 },
  ],
  [
    'both',
    { runtimeConfiguration: { concurrency: { runs: 2, maximumWaitingRuns: 0 } } },
    { runs: 2, maximumWaitingRuns: 0 },
  ],
  [
    'waiting only: runs default 25',
    { runtimeConfiguration: { concurrency: { maximumWaitingRuns: 50 } } },
    { runs: 25, maximumWaitingRuns: 50 },
  ],
  ['SingleInstance: one at a time', { operationOptions: 'SingleInstance' }, { runs: 1, maximumWaitingRuns: 11 }],
  [
    'numeric strings as some exports write them',
    { runtimeConfiguration: { concurrency: { runs: '3' } } },
    { runs: 3, maximumWaitingRuns: 13 },
  ],
  [
    '100 runs: waiting capped at 110',
    { runtimeConfiguration: { concurrency: { runs: 100 } } },
    { runs: 100, maximumWaitingRuns: 110 },
  ],
];

for (const [name, extra, expected] of triggerConcurrencyCases) {
  test(`trigger concurrency: ${name}`, () => {
    const wf = compileWorkflow({ triggers: { manual: { type: 'Request', kind: 'Http', ...extra } }, actions: {} });
    assert.deepEqual(wf.triggers[0]?.concurrency, expected);
  });
}

test('loops without concurrency run 20 at a time, or one at a time in a Power Automate export', () => {
  const definition = {
    triggers: { manual: { type: 'Request', kind: 'Button' } },
    actions: { L: { type: 'Foreach', foreach: '@createArray(1)', actions: {} } },
  };
  assert.equal(compileWorkflow(definition).defaultForeachConcurrency, 20);
  const exported = { properties: { definition, connectionReferences: {} } };
  assert.equal(compileWorkflow(exported).loaded.wrapper, 'powerautomate');
  assert.equal(compileWorkflow(exported).defaultForeachConcurrency, 1);
  assert.equal(compileWorkflow(exported, { defaultForeachConcurrency: 5 }).defaultForeachConcurrency, 5);
});
