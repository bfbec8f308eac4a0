import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importConnector } from './import.js';

const swagger = (extra: Record<string, unknown> = {}) => ({
  swagger: '2.0',
  info: { title: 'Test API', version: '1.0' },
  host: 'api.example.com',
  paths: {},
  ...extra,
});

describe('importConnector: custom code', () => {
  const paths = { '/a': { get: { operationId: 'A' } }, '/b': { get: { operationId: 'B' } } };
  const cases: { name: string; apiProperties: unknown; customCode?: boolean; marked: string[] }[] = [
    { name: 'scriptOperations', apiProperties: { properties: { scriptOperations: ['B'] } }, marked: ['B'] },
    {
      name: 'script.operationIds (Airmeet)',
      apiProperties: { properties: { script: { language: 'CSharpScript', operationIds: ['A'] } } },
      marked: ['A'],
    },
    {
      name: 'a script with no list covers everything',
      apiProperties: { properties: {} },
      customCode: true,
      marked: ['A', 'B'],
    },
    {
      name: 'an empty list and a script',
      apiProperties: { properties: { scriptOperations: [] } },
      customCode: true,
      marked: ['A', 'B'],
    },
    { name: 'no script and no list', apiProperties: { properties: { scriptOperations: [] } }, marked: [] },
  ];
  for (const c of cases)
    it(c.name, () => {
      const result = importConnector({
        apiDefinition: swagger({ paths }),
        apiProperties: c.apiProperties,
        ...(c.customCode ? { customCode: true } : {}),
      });
      assert.ok(result.ok);
      assert.deepEqual(
        result.value.operations.filter((o) => o.customCode).map((o) => o.operationId),
        c.marked,
      );
      const warning = result.value.warnings.find((w) => w.code === 'CustomCodeNotSupported');
      assert.deepEqual(warning?.operations, c.marked.length ? c.marked : undefined);
    });
});

describe('importConnector: apiProperties', () => {
  it('folds policy template ids and reads sections and operation lists', () => {
    const result = importConnector({
      apiDefinition: swagger(),
      apiProperties: {
        properties: {
          policyTemplateInstances: [
            {
              templateId: 'SetHeader',
              parameters: {
                'x-ms-apimTemplateParameter.name': 'A',
                'x-ms-apimTemplate-policySection': 'Response',
                'x-ms-apimTemplate-operationName': ['Op'],
              },
            },
            { templateId: 'dynamicHostUrl', parameters: { 'x-ms-apimTemplate-operationName': [] } },
            { templateId: 'somethingNew', parameters: {} },
          ],
        },
      },
    });
    assert.ok(result.ok);
    assert.deepEqual(
      result.value.policies.map((p) => [p.templateId, p.section, p.operations, p.support, p.parameters]),
      [
        ['setheader', 'response', ['Op'], 'implemented', { name: 'A' }],
        ['dynamichosturl', 'request', 'all', 'implemented', {}],
        ['somethingnew', 'request', 'all', 'unknown', {}],
      ],
    );
    assert.deepEqual(
      result.value.warnings.map((w) => w.code),
      ['UnknownPolicyTemplate'],
    );
  });

  it('reads parameter types in any case, constraints, allowed values and parameter sets', () => {
    const result = importConnector({
      apiDefinition: swagger(),
      apiProperties: {
        properties: {
          connectionParameters: {
            token: { type: 'oAuthSetting', oAuthSettings: { identityProvider: 'aad', scopes: ['a'] } },
            region: {
              type: 'string',
              defaultValue: 'eu',
              uiDefinition: {
                constraints: { required: 'true', hidden: 'false', allowedValues: [{ text: 'EU', value: 'eu' }] },
              },
            },
            gw: { type: 'gatewaySetting' },
          },
          connectionParameterSets: {
            uiDefinition: { displayName: 'Auth' },
            values: [{ name: 'key', parameters: { api_key: { type: 'securestring' } } }],
          },
        },
      },
    });
    assert.ok(result.ok);
    const { token, region } = result.value.connectionParameters;
    assert.equal(token?.type, 'oauthSetting');
    assert.equal(token?.declaredType, 'oAuthSetting');
    assert.deepEqual(token?.oAuthSettings, { identityProvider: 'aad', scopes: ['a'], customParameters: {} });
    assert.deepEqual(
      [region?.required, region?.hidden, region?.defaultValue, region?.allowedValues],
      [true, false, 'eu', ['eu']],
    );
    assert.equal(result.value.connectionParameterSets?.displayName, 'Auth');
    assert.equal(result.value.connectionParameterSets?.values[0]?.parameters.api_key?.type, 'securestring');
    assert.deepEqual(
      result.value.warnings.map((w) => w.code),
      ['GatewayNotSupported'],
    );
  });
});
