import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnectorHost } from './index.js';
import { crmOptions } from './test-support.js';

const { apiDefinition: doc, apiProperties: props } = createConnectorHost(crmOptions()).connector() as any;

test('host, basePath and schemes come from baseUrl; the API key is a security definition', () => {
  assert.equal(doc.swagger, '2.0');
  assert.equal(doc.info.title, 'Acme CRM');
  assert.equal(doc.host, 'crm.example.com');
  assert.equal(doc.basePath, '/flowbridge');
  assert.deepEqual(doc.schemes, ['https']);
  assert.deepEqual(doc.securityDefinitions, { api_key: { type: 'apiKey', in: 'header', name: 'x-api-key' } });
  assert.deepEqual(doc.security, [{ api_key: [] }]);
  const key = props.properties.connectionParameters.api_key;
  assert.equal(key.type, 'securestring');
  assert.equal(key.uiDefinition.constraints.required, 'true');
  const root = createConnectorHost(crmOptions({ baseUrl: 'http://127.0.0.1:8080' })).connector().apiDefinition;
  assert.equal(root.host, '127.0.0.1:8080');
  assert.equal(root.basePath, '/');
  assert.deepEqual(root.schemes, ['http']);
});

test('each trigger is a webhook subscribe operation with its parameters and the callback URL place', () => {
  const item = doc.paths['/webhooks/OnRecordChanged'];
  assert.deepEqual(item['x-ms-notification-content'].schema, {
    type: 'object',
    properties: { id: { type: 'string' } },
  });
  const op = item.post;
  assert.equal(op.operationId, 'OnRecordChanged');
  assert.equal(op.summary, 'When a record changes');
  assert.equal(op.description, 'A record of a table is created or updated');
  assert.equal(op['x-ms-trigger'], 'single');
  const table = op.parameters.find((p: any) => p.name === 'table');
  assert.deepEqual(table, {
    name: 'table',
    in: 'query',
    required: true,
    type: 'string',
    enum: ['customer', 'order'],
    'x-ms-summary': 'Table',
  });
  assert.equal(op.parameters.find((p: any) => p.name === 'event').required, false);
  assert.equal(op.parameters.find((p: any) => p.name === 'priority').type, 'integer');
  const body = op.parameters.find((p: any) => p.in === 'body');
  assert.deepEqual(body.schema.required, ['callbackUrl']);
  const callback = body.schema.properties.callbackUrl;
  assert.equal(callback['x-ms-notification-url'], true);
  assert.equal(callback['x-ms-visibility'], 'internal');
  assert.ok(op.responses['201']);
});

test('batch triggers say so and describe an array; instant ones are marked', () => {
  const batch = doc.paths['/webhooks/OnRecordsImported'];
  assert.equal(batch.post['x-ms-trigger'], 'batch');
  assert.equal(batch['x-ms-notification-content'].schema.type, 'array');
  const instant = doc.paths['/webhooks/ForSelectedRecord'].post;
  assert.equal(instant['x-ms-trigger'], 'single');
  assert.equal(instant['x-flowbridge-instant'], true);
  assert.match(instant['x-ms-trigger-hint'], /record you choose/);
  assert.match(instant.description, /instant/);
  assert.equal(doc.paths['/webhooks/OnRecordChanged'].post['x-flowbridge-instant'], undefined);
});

test('unsubscribing is an internal DELETE operation', () => {
  const op = doc.paths['/webhooks/{operationId}/{subscriptionId}'].delete;
  assert.equal(op.operationId, 'DeleteSubscription');
  assert.equal(op['x-ms-visibility'], 'internal');
  assert.deepEqual(
    op.parameters.map((p: any) => [p.name, p.in, p.required]),
    [
      ['operationId', 'path', true],
      ['subscriptionId', 'path', true],
    ],
  );
});

test('each action is an operation with its path, query, header and body parameters', () => {
  const get = doc.paths['/records/{table}/{id}'].get;
  assert.equal(get.operationId, 'GetRecord');
  assert.equal(get.summary, 'Get a record');
  assert.equal(get['x-ms-summary'], 'Get a record');
  assert.deepEqual(
    get.parameters.map((p: any) => [p.name, p.in, p.required, p.type]),
    [
      ['table', 'path', true, 'string'],
      ['id', 'path', true, 'integer'],
      ['fields', 'query', false, 'string'],
      ['x-tenant', 'header', true, 'string'],
    ],
  );
  assert.equal(get.responses['200'].schema.properties.id.type, 'integer');
  const post = doc.paths['/records/{table}'].post;
  assert.deepEqual(post.parameters.at(-1), {
    name: 'body',
    in: 'body',
    required: true,
    schema: crmOptions().actions!.CreateRecord!.requestBody,
  });
});

test('connector() hands out copies: changing one does not change the next', () => {
  const host = createConnectorHost(crmOptions());
  (host.connector().apiDefinition as any).host = 'elsewhere';
  assert.equal(host.connector().apiDefinition.host, 'crm.example.com');
});
