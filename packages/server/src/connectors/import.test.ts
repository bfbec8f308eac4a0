import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiIdOf, connectorName, importConnector, importConnectorFiles } from './import.js';
import type { Connector } from './model.js';
import { summarizeConnector } from './summary.js';
import { fixtureFiles, loadFixture, type FixtureName } from './test-support.js';

const byId = (c: Connector, id: string) => c.operations.find((o) => o.operationId === id);

// What each real connector must come out as.
const fixtures: { name: FixtureName; check: (c: Connector) => void }[] = [
  {
    name: 'wpforms',
    check(c) {
      assert.equal(c.name, 'shared_wpformsbyreenhancedllc');
      assert.equal(c.apiId, '/providers/Microsoft.PowerApps/apis/shared_wpformsbyreenhancedllc');
      assert.equal(c.host, 'we.buildbettersoftware.com');
      assert.equal(c.basePath, '/wpforms');
      assert.deepEqual(c.securityDefinitions, { secretKey: { type: 'apiKey', in: 'header', name: 'X-Secret-Key' } });
      const trigger = byId(c, 'CreateFlow')?.trigger;
      assert.equal(trigger?.kind, 'webhook');
      assert.equal(trigger?.cardinality, 'single');
      assert.deepEqual(trigger?.notificationUrl, { in: 'body', name: 'body', path: ['meta', 'powerAutomateUrl'] });
      assert.ok(trigger?.notificationContent?.schema?.['x-ms-dynamic-properties']);
      assert.equal(byId(c, 'DeleteFlow')?.method, 'delete');
      assert.equal(byId(c, 'GetEntrySchema')?.method, 'options');
      assert.deepEqual(
        c.policies.map((p) => [p.templateId, p.support, p.operations]),
        [
          ['dynamichosturl', 'implemented', 'all'],
          ['setheader', 'implemented', 'all'],
          ['setheader', 'implemented', 'all'],
          ['setheader', 'implemented', 'all'],
        ],
      );
      assert.equal(c.policies[2]?.parameters.value, "@connectionParameters('secretKey', '')");
      assert.deepEqual(c.warnings, []);
    },
  },
  {
    name: 'formstack-forms',
    check(c) {
      assert.equal(c.securityDefinitions.oauth2_auth?.type, 'oauth2');
      const token = c.connectionParameters.token;
      assert.equal(token?.type, 'oauthSetting');
      assert.equal(token?.oAuthSettings?.identityProvider, 'oauth2');
      assert.equal(token?.oAuthSettings?.customParameters.tokenUrl, 'https://www.formstack.com/api/v2/oauth2/token');
      const trigger = byId(c, 'FormstackFormSubmitted');
      assert.deepEqual(trigger?.trigger?.notificationUrl, { in: 'body', name: 'body', path: ['url'] });
      assert.deepEqual(
        trigger?.parameters.map((p) => [p.name, p.in, p.required]),
        [
          ['form_id', 'path', true],
          ['body', 'body', true],
        ],
      );
      assert.equal(byId(c, 'DeleteWebhook')?.visibility, 'internal');
    },
  },
  {
    name: 'feathery-forms',
    check(c) {
      for (const id of ['FormCompletion', 'DataReceived']) {
        const trigger = byId(c, id)?.trigger;
        assert.equal(trigger?.kind, 'polling');
        assert.equal(trigger?.cardinality, 'batch');
        assert.deepEqual(trigger?.pollingPolicy, {
          triggerConfig: { last_requested_at: '@{triggerBody().requested_at}' },
          triggerDataPath: '@triggerBody().results',
        });
      }
    },
  },
  {
    name: 'pure-leads',
    check(c) {
      const trigger = byId(c, 'Created-Lead-Submission');
      assert.equal(trigger?.method, 'get');
      assert.equal(trigger?.trigger?.kind, 'polling');
      assert.equal(trigger?.trigger?.pollingPolicy, undefined);
      assert.equal(byId(c, 'New-Lead-Submission')?.trigger, undefined);
      assert.equal(c.connectionParameters.api_key?.type, 'securestring');
      assert.equal(c.connectionParameters.api_key?.required, true);
      assert.equal(c.connectionParameters.api_key?.masked, true);
    },
  },
  {
    name: 'co2-signal',
    check(c) {
      assert.deepEqual(
        c.warnings.map((w) => [w.code, w.operations, w.pointer]),
        [['UnsupportedPolicyTemplate', ['GetZones'], '/properties/policyTemplateInstances/4']],
      );
      assert.equal(c.policies[4]?.section, 'response');
      assert.deepEqual(c.policies[4]?.parameters.keyName, 'Name');
    },
  },
  {
    name: 'harness-pdfx',
    check(c) {
      assert.deepEqual(byId(c, 'post-pdf')?.consumes, ['multipart/form-data']);
      assert.deepEqual(byId(c, 'get-pdf')?.consumes, ['application/json']);
      assert.equal(byId(c, 'get-pdf')?.parameters[0]?.urlEncoding, 'single');
      assert.deepEqual(c.securityDefinitions['API Key'], { type: 'apiKey', in: 'query', name: 'Subscription-Key' });
    },
  },
  {
    name: 'bulksms',
    check(c) {
      assert.deepEqual(c.securityDefinitions, { BasicAuth: { type: 'basic' } });
      const query = byId(c, 'SendSmsMessage')?.parameters[0];
      assert.deepEqual(
        [query?.name, query?.in, query?.type, query?.default],
        ['auto-unicode', 'query', 'boolean', true],
      );
    },
  },
];

const swagger = (extra: Record<string, unknown> = {}) => ({
  swagger: '2.0',
  info: { title: 'Test API', version: '1.0' },
  host: 'api.example.com',
  paths: {},
  ...extra,
});

const refused: { name: string; input: Parameters<typeof importConnector>[0]; code: string; pointer?: string }[] = [
  { name: 'a document that is not an object', input: { apiDefinition: [] }, code: 'InvalidDocument', pointer: '' },
  {
    name: 'OpenAPI 3',
    input: { apiDefinition: { openapi: '3.0.1', info: { title: 'x' }, paths: {} } },
    code: 'UnsupportedVersion',
    pointer: '/openapi',
  },
  {
    name: 'no swagger version',
    input: { apiDefinition: { info: { title: 'x' } } },
    code: 'UnsupportedVersion',
    pointer: '/swagger',
  },
  {
    name: 'paths that are not an object',
    input: { apiDefinition: swagger({ paths: [] }) },
    code: 'InvalidDocument',
    pointer: '/paths',
  },
  {
    name: 'a title with nothing usable and no name',
    input: { apiDefinition: swagger({ info: { title: '日本語' } }) },
    code: 'InvalidName',
    pointer: '/info/title',
  },
  { name: 'a name with spaces', input: { apiDefinition: swagger(), name: 'my api' }, code: 'InvalidName' },
  {
    name: 'a broken $ref',
    input: {
      apiDefinition: swagger({
        paths: { '/x': { get: { operationId: 'X', responses: { 200: { schema: { $ref: '#/definitions/Gone' } } } } } },
      }),
    },
    code: 'UnresolvedReference',
    pointer: '/paths/~1x/get/responses/200/schema/$ref',
  },
  {
    name: 'apiProperties that are not an object',
    input: { apiDefinition: swagger(), apiProperties: 'x' },
    code: 'InvalidDocument',
    pointer: '',
  },
  {
    name: 'connectionParameters that are not an object',
    input: { apiDefinition: swagger(), apiProperties: { properties: { connectionParameters: [] } } },
    code: 'InvalidDocument',
    pointer: '/properties/connectionParameters',
  },
  {
    name: 'a policy without templateId',
    input: { apiDefinition: swagger(), apiProperties: { properties: { policyTemplateInstances: [{ title: 'x' }] } } },
    code: 'InvalidDocument',
    pointer: '/properties/policyTemplateInstances/0',
  },
  {
    name: 'a parameter set without a name',
    input: { apiDefinition: swagger(), apiProperties: { properties: { connectionParameterSets: { values: [{}] } } } },
    code: 'InvalidDocument',
    pointer: '/properties/connectionParameterSets/values/0',
  },
];

describe('importConnector: corpus fixtures', () => {
  for (const f of fixtures) it(f.name, () => f.check(loadFixture(f.name)));
});

describe('importConnector: refusals', () => {
  for (const c of refused)
    it(`refuses ${c.name}`, () => {
      const result = importConnector(c.input);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.error.code, c.code);
      if (c.pointer !== undefined) assert.equal(result.error.pointer, c.pointer);
    });
});

describe('importConnector: names', () => {
  const names: [string, string | undefined][] = [
    ['Zoho Mail', 'shared_zohomail'],
    ['WPForms by Reenhanced LLC', 'shared_wpformsbyreenhancedllc'],
    ['Météo-France', 'shared_meteofrance'],
    ['CO2 Signal (Independent Publisher)', 'shared_co2signalindependentpublisher'],
    ['my_api v2.1', 'shared_my_apiv21'],
    ['日本語', undefined],
  ];
  for (const [title, name] of names) it(`${title} → ${name}`, () => assert.equal(connectorName(title), name));

  it('takes a given name and derives the apiId from it', () => {
    const result = importConnector({ apiDefinition: swagger(), name: 'shared_test-api.v2' });
    assert.ok(result.ok);
    assert.equal(result.value.apiId, apiIdOf('shared_test-api.v2'));
  });
});

describe('importConnector: operations', () => {
  it('merges path-item parameters, the operation own ones winning', () => {
    const result = importConnector({
      apiDefinition: swagger({
        parameters: { id: { name: 'id', in: 'path', type: 'string', 'x-ms-url-encoding': 'double' } },
        paths: {
          '/items/{id}': {
            parameters: [{ $ref: '#/parameters/id' }, { name: 'v', in: 'query', type: 'string', default: '1' }],
            get: { operationId: 'Get', parameters: [{ name: 'v', in: 'query', type: 'integer', required: true }] },
          },
        },
      }),
    });
    assert.ok(result.ok);
    assert.deepEqual(result.value.operations[0]?.parameters, [
      { name: 'id', in: 'path', required: true, type: 'string', urlEncoding: 'double' },
      { name: 'v', in: 'query', required: true, type: 'integer' },
    ]);
  });

  it('keeps an operation without operationId under a made-up id, with a warning', () => {
    const result = importConnector({
      apiDefinition: swagger({
        paths: { '/a': { post: {} }, '/b': { get: { operationId: 'A' } }, '/c': { get: { operationId: 'A' } } },
      }),
    });
    assert.ok(result.ok);
    assert.deepEqual(
      result.value.operations.map((o) => o.operationId),
      ['POST /a', 'A'],
    );
    assert.deepEqual(
      result.value.warnings.map((w) => [w.code, w.pointer]),
      [
        ['OperationWithoutId', '/paths/~1a/post'],
        ['DuplicateOperationId', '/paths/~1c/get'],
      ],
    );
  });
});

describe('importConnectorFiles', () => {
  it('reads the files tolerantly and reports how', () => {
    const files = fixtureFiles('pure-leads');
    const text = files.apiDefinition.toString('utf8').replace('"swagger": "2.0",', '"swagger": "2.0", // Latin-1: é\n');
    const result = importConnectorFiles({
      apiDefinition: Buffer.from(text, 'latin1'),
      apiProperties: files.apiProperties,
    });
    assert.ok(result.ok);
    assert.deepEqual(
      result.value.warnings.map((w) => w.code),
      ['Latin1Decoded', 'JsonRepaired'],
    );
  });

  it('gives the JSON error of the file that is broken', () => {
    const result = importConnectorFiles({
      apiDefinition: '{"swagger": "2.0"}',
      apiProperties: '{"properties": {"a": }}',
    });
    assert.equal(result.ok, false);
    if (!result.ok) assert.deepEqual([result.error.code, result.error.document], ['InvalidJson', 'apiProperties']);
  });
});

describe('summarizeConnector', () => {
  it('lists actions and triggers apart, and says which cannot run here', () => {
    const summary = summarizeConnector(loadFixture('co2-signal'));
    assert.deepEqual(
      summary.operations.map((o) => [o.operationId, o.supported]),
      [
        ['GetLatestbyCode', true],
        ['GetLatestbyLatLon', true],
        ['GetZones', false],
      ],
    );
    assert.deepEqual(summary.triggers, []);
    const wp = summarizeConnector(loadFixture('wpforms'));
    assert.deepEqual(wp.triggers, [
      {
        operationId: 'CreateFlow',
        method: 'post',
        path: '/resources/flows',
        summary: 'When a new WPForms entry is submitted',
        deprecated: false,
        supported: true,
        kind: 'webhook',
        cardinality: 'single',
      },
    ]);
    assert.equal(wp.operations.length, 7);
    assert.equal(wp.apiId, '/providers/Microsoft.PowerApps/apis/shared_wpformsbyreenhancedllc');
  });
});
