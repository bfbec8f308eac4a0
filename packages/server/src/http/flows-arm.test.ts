// The flows API takes a definition packaged as an ARM deployment template, with an optional ARM
// parameters file next to it: the template's expressions are evaluated once, at import.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testServer, type TestServer } from './test-support.js';

const template = {
  $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
  contentVersion: '1.0.0.0',
  parameters: { team: { type: 'string', defaultValue: 'ops' } },
  variables: { prefix: "[concat('[', toUpper(parameters('team')), ']')]" },
  resources: [
    {
      type: 'Microsoft.Logic/workflows',
      name: "[concat('flow-', parameters('team'))]",
      properties: {
        definition: {
          parameters: { owner: { type: 'String' } },
          triggers: { manual: { type: 'Request', kind: 'Http' } },
          actions: {
            Label: { type: 'Compose', inputs: "[concat(variables('prefix'), ' @{parameters(''owner'')}')]" },
            Escaped: { type: 'Compose', runAfter: { Label: ['Succeeded'] }, inputs: '[[kept]' },
            Response: {
              type: 'Response',
              runAfter: { Escaped: ['Succeeded'] },
              inputs: { statusCode: 200, body: { label: "@outputs('Label')", escaped: "@outputs('Escaped')" } },
            },
          },
        },
        parameters: { owner: { value: "[concat(parameters('team'), '@example.com')]" } },
      },
    },
  ],
};

describe('flows API: ARM deployment templates', () => {
  let t: TestServer;
  before(async () => {
    t = await testServer({ responseTimeoutMs: 5000 });
  });
  after(() => t.dispose());

  const api = async (method: 'POST' | 'PUT' | 'GET', url: string, payload?: object) => {
    const res = await t.server.app.inject({ method, url, headers: t.auth, ...(payload ? { payload } : {}) });
    return { status: res.statusCode, body: JSON.parse(res.body || '{}') as Record<string, any> };
  };
  const call = async (id: string) => {
    const callback = await api('POST', `/api/v1/flows/${id}/triggers/manual/listCallbackUrl`);
    const url = new URL(callback.body.value as string);
    const res = await t.server.app.inject({ method: 'POST', url: url.pathname + url.search, payload: {} });
    return JSON.parse(res.body) as Record<string, unknown>;
  };

  it('evaluates the template with armParameters at import and stores the result', async () => {
    const created = await api('POST', '/api/v1/flows', {
      name: 'arm',
      definition: template,
      armParameters: { parameters: { team: { value: 'billing' } } },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.definition.actions.Label.inputs, "[BILLING] @{parameters('owner')}");
    assert.deepEqual(created.body.parameters, { owner: 'billing@example.com' });
    // Stored once evaluated: the escaped '[kept]' is not read as an expression again at run time.
    assert.deepEqual(await call(created.body.id as string), {
      label: '[BILLING] billing@example.com',
      escaped: '[kept]',
    });

    const updated = await api('PUT', `/api/v1/flows/${created.body.id}`, { definition: template });
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    assert.deepEqual(await call(created.body.id as string), { label: '[OPS] ops@example.com', escaped: '[kept]' });
  });

  it('answers 400 with the pointer and code of an expression it cannot evaluate', async () => {
    const broken = structuredClone(template);
    broken.resources[0]!.properties.definition.actions.Label.inputs = "[reference('x').outputs]";
    const res = await api('POST', '/api/v1/flows', { name: 'broken', definition: broken });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'InvalidDefinition');
    assert.equal(res.body.error.target, 'definition/resources/0/properties/definition/actions/Label/inputs');
    assert.equal(res.body.error.details[0].code, 'ArmUnsupportedFunction');
    const bad = await api('POST', '/api/v1/flows', { name: 'bad', definition: template, armParameters: [] });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.details[0].code, 'InvalidArmParameters');
  });
});
