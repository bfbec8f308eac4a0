import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDefinition } from '../load.js';
import { validateDefinition } from '../../index.js';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';

function template(overrides: { definition?: object; variables?: object; parameters?: object } = {}): object {
  return {
    $schema: SCHEMA,
    contentVersion: '1.0.0.0',
    parameters: {
      workflowName: { type: 'string', defaultValue: 'orders' },
      location: { type: 'string', defaultValue: '[resourceGroup().location]' },
      greeting: { type: 'string', defaultValue: "[concat('Hello from ', parameters('workflowName'))]" },
      apiKey: { type: 'securestring' },
      ...overrides.parameters,
    },
    variables: {
      connectionName: "[concat('conn-', toLower(parameters('workflowName')))]",
      tableName: "[concat(variables('connectionName'), '-table')]",
      ...overrides.variables,
    },
    resources: [
      { type: 'Microsoft.Web/connections', name: "[variables('connectionName')]", properties: {} },
      {
        type: 'Microsoft.Logic/workflows',
        apiVersion: '2019-05-01',
        name: "[parameters('workflowName')]",
        location: "[parameters('location')]",
        properties: {
          state: 'Enabled',
          definition: overrides.definition ?? {
            $schema:
              'https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#',
            contentVersion: '1.0.0.0',
            parameters: { $connections: { type: 'Object', defaultValue: {} } },
            triggers: { manual: { type: 'Request', kind: 'Http' } },
            actions: {
              Greet: { type: 'Compose', inputs: "[parameters('greeting')]" },
              Path: {
                type: 'Compose',
                runAfter: { Greet: ['Succeeded'] },
                inputs:
                  "[concat('/Tables/@{encodeURIComponent(''', variables('tableName'), ''')}/rows?x=@{triggerBody()?[''id'']}')]",
              },
              Literal: { type: 'Compose', runAfter: { Path: ['Succeeded'] }, inputs: '[[1,2,3]' },
            },
          },
          parameters: {
            $connections: {
              value: {
                azuretables: {
                  connectionId: "[resourceId('Microsoft.Web/connections', variables('connectionName'))]",
                  id: "[concat(subscription().id, '/providers/Microsoft.Web/locations/', parameters('location'), '/managedApis/azuretables')]",
                },
              },
            },
          },
        },
      },
    ],
  };
}

const SUB = '/subscriptions/00000000-0000-0000-0000-000000000000';

describe('ARM deployment template import', () => {
  test('evaluates parameters (file over defaultValue), variables and escapes in the workflow resource', () => {
    const { loaded, errors } = loadDefinition(template(), {
      armParameters: { $schema: 'x', contentVersion: '1.0.0.0', parameters: { workflowName: { value: 'Billing' } } },
    });
    assert.deepEqual(errors, []);
    assert.equal(loaded?.wrapper, 'arm');
    assert.equal(loaded?.pointerPrefix, '/resources/1/properties/definition');
    assert.equal(loaded?.armEvaluated, true);
    const actions = loaded?.definition.actions as Record<string, { inputs: unknown }>;
    assert.equal(actions.Greet?.inputs, 'Hello from Billing');
    assert.equal(
      actions.Path?.inputs,
      "/Tables/@{encodeURIComponent('conn-billing-table')}/rows?x=@{triggerBody()?['id']}",
    );
    assert.equal(actions.Literal?.inputs, '[1,2,3]');
    assert.deepEqual(loaded?.parameterValues, {
      $connections: {
        azuretables: {
          connectionId: `${SUB}/resourceGroups/flowbridge/providers/Microsoft.Web/connections/conn-billing`,
          id: `${SUB}/providers/Microsoft.Web/locations/local/managedApis/azuretables`,
        },
      },
    });
  });

  test('without a parameters file the defaults apply, and the template validates', () => {
    const { loaded } = loadDefinition(template());
    const actions = loaded?.definition.actions as Record<string, { inputs: unknown }>;
    assert.equal(actions.Greet?.inputs, 'Hello from orders');
    assert.deepEqual(validateDefinition(template()), []);
  });

  test('the deployment context can be chosen', () => {
    const { loaded } = loadDefinition(template(), { armDeployment: { location: 'westeurope' } });
    const conn = (loaded?.parameterValues?.$connections as Record<string, { id: string }>).azuretables;
    assert.match(conn?.id ?? '', /locations\/westeurope\//);
  });

  const failures: Array<[string, object, unknown, string, string]> = [
    [
      'an unsupported function, named with the pointer of its string',
      template({
        definition: {
          parameters: {
            Key: { type: 'String', defaultValue: "[listKeys(variables('tableName'), '2019-04-01').keys[0].value]" },
          },
          triggers: { manual: { type: 'Request', kind: 'Http' } },
          actions: {},
        },
      }),
      undefined,
      'ArmUnsupportedFunction',
      '/resources/1/properties/definition/parameters/Key/defaultValue',
    ],
    [
      'a parameter without value or default',
      template({
        definition: { triggers: {}, actions: { A: { type: 'Compose', inputs: "[parameters('apiKey')]" } } },
      }),
      undefined,
      'ArmParameterMissing',
      '/resources/1/properties/definition/actions/A/inputs',
    ],
    [
      'a failing variable, at the variable',
      template({
        variables: { broken: "[substring('abc', 5)]" },
        definition: { triggers: {}, actions: { A: { type: 'Compose', inputs: "[variables('broken')]" } } },
      }),
      undefined,
      'InvalidArmExpression',
      '/variables/broken',
    ],
    [
      'variables that refer to each other in a cycle',
      template({
        variables: { a: "[variables('b')]", b: "[concat(variables('a'), 'x')]" },
        definition: { triggers: {}, actions: { A: { type: 'Compose', inputs: "[variables('a')]" } } },
      }),
      undefined,
      'InvalidArmExpression',
      '/variables/b',
    ],
    [
      'a malformed parameters file',
      template(),
      { parameters: { workflowName: 'no value wrapper' } },
      'InvalidArmParameters',
      '',
    ],
    [
      'a Key Vault reference in the parameters file',
      template(),
      { parameters: { apiKey: { reference: { keyVault: { id: 'x' }, secretName: 's' } } } },
      'InvalidArmParameters',
      '',
    ],
    [
      'ARM parameters for a file that is no ARM template',
      { triggers: {}, actions: {} },
      { parameters: {} },
      'InvalidArmParameters',
      '',
    ],
  ];
  for (const [name, file, armParameters, code, pointer] of failures) {
    test(`fails with ${code}: ${name}`, () => {
      const errors = validateDefinition(file, armParameters !== undefined ? { armParameters } : undefined);
      assert.equal(errors[0]?.code, code, JSON.stringify(errors));
      assert.equal(errors[0]?.pointer, pointer);
      assert.equal(errors.length, 1, JSON.stringify(errors));
    });
  }

  test('the unsupported function is named in the message', () => {
    const errors = validateDefinition(failures[0]![1]);
    assert.match(errors[0]?.message ?? '', /'listKeys'/);
  });

  test('a template is recognised by its workflow resource even without $schema; strings outside it stay', () => {
    const file = {
      resources: [
        {
          type: 'microsoft.logic/WORKFLOWS',
          properties: {
            definition: { triggers: {}, actions: { A: { type: 'Compose', inputs: "[concat('a', 'b')]" } } },
          },
        },
      ],
      outputs: { x: { value: "[reference('nope')]" } },
    };
    const { loaded, errors } = loadDefinition(file);
    assert.deepEqual(errors, []);
    assert.equal((loaded?.definition.actions as Record<string, { inputs: unknown }>).A?.inputs, 'ab');
  });

  test('a template without expressions is loaded as before (not marked evaluated)', () => {
    const file = {
      $schema: SCHEMA,
      resources: [{ type: 'Microsoft.Logic/workflows', properties: { definition: { triggers: {}, actions: {} } } }],
    };
    const { loaded } = loadDefinition(file);
    assert.equal(loaded?.wrapper, 'arm');
    assert.equal(loaded?.armEvaluated, undefined);
  });
});
