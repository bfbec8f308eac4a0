// Connection references as flows write them: tables of inputs and what they resolve to.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connectionNameOf } from './flow-connections.js';
import { isBuiltIn, referencedNames, referencesFromBody, referencesFromParameters } from './references.js';

const API_ID = '/providers/Microsoft.PowerApps/apis/shared_x';

describe('referencesFromBody', () => {
  const cases: Array<[string, unknown, unknown]> = [
    ['none given', { name: 'f', definition: { triggers: {} } }, undefined],
    [
      'beside the definition',
      { connectionReferences: { shared_x: { connectionName: 'c1', id: API_ID } } },
      { shared_x: { connectionName: 'c1', apiId: API_ID } },
    ],
    [
      'inside a Power Automate export wrapper',
      { definition: { properties: { connectionReferences: { r: { connection: { id: '/x/connections/c2' } } } } } },
      { r: { connectionName: 'c2' } },
    ],
    ['a bare connection name', { connectionReferences: { r: 'c3' } }, { r: { connectionName: 'c3' } }],
  ];
  for (const [name, body, expected] of cases) it(name, () => assert.deepEqual(referencesFromBody(body), expected));
});

describe('referencesFromParameters ($connections)', () => {
  const cases: Array<[string, unknown, unknown]> = [
    ['no $connections', { other: 1 }, {}],
    [
      'connectionId',
      { $connections: { x: { connectionId: '/subscriptions/s/providers/Microsoft.Web/connections/c4' } } },
      { x: { connectionName: 'c4' } },
    ],
    [
      'connectionName wins, ARM {value} form',
      { $Connections: { value: { x: { connectionName: 'c5', connectionId: '/a/c6', id: API_ID } } } },
      { x: { connectionName: 'c5', apiId: API_ID } },
    ],
  ];
  for (const [name, parameters, expected] of cases)
    it(name, () => assert.deepEqual(referencesFromParameters(parameters), expected));
});

describe('connectionNameOf', () => {
  const refs = { shared_x: 'c1', wp: 'c7' };
  const cases: Array<[string, unknown, string | undefined]> = [
    ['OpenApiConnection reference', { host: { connectionName: 'shared_x', operationId: 'Op' } }, 'c1'],
    ['a reference that is a connection name', { host: { connectionName: 'direct' } }, 'direct'],
    ['ApiConnection connectionId', { host: { connection: { name: '/subs/connections/c9' } } }, 'c9'],
    ['ApiConnection $connections key', { host: { connection: { name: 'wp' } } }, 'c7'],
    ['nothing', { host: {} }, undefined],
  ];
  for (const [name, inputs, expected] of cases) it(name, () => assert.equal(connectionNameOf(inputs, refs), expected));
});

describe('built-in connectors need no connection', () => {
  it('approvals and Office 365 are built in; others are not', () => {
    assert.equal(isBuiltIn('shared_approvals', {}), true);
    assert.equal(isBuiltIn('ref', { apiId: '/providers/Microsoft.PowerApps/apis/shared_office365' }), true);
    assert.equal(isBuiltIn('shared_x', { apiId: API_ID }), false);
  });
  it('referencedNames skips them and expression-valued names', () => {
    const definition = {
      triggers: { t: { type: 'OpenApiConnectionWebhook', inputs: { host: { connectionName: 'shared_x' } } } },
      actions: {
        a: { type: 'OpenApiConnection', inputs: { host: { connectionName: 'shared_approvals', operationId: 'X' } } },
        b: { type: 'OpenApiConnection', inputs: { host: { connectionName: "@parameters('p')" } } },
        s: { type: 'Scope', actions: { c: { type: 'OpenApiConnection', inputs: { host: { connectionName: 'y' } } } } },
      },
    };
    assert.deepEqual(referencedNames(definition).sort(), ['shared_x', 'y']);
  });
});
