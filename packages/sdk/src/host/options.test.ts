import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnectorHost } from './index.js';
import { crmOptions } from './test-support.js';
import { ConnectorHostError, type ConnectorHostOptions } from './types.js';

const handler = () => ({});
const cases: Array<[string, Partial<ConnectorHostOptions>, string]> = [
  ['no title', { title: ' ' }, 'title'],
  ['a relative baseUrl', { baseUrl: '/crm' }, 'baseUrl'],
  ['a baseUrl with a query', { baseUrl: 'https://crm.example.com/?x=1' }, 'baseUrl'],
  ['an ftp baseUrl', { baseUrl: 'ftp://crm.example.com/' }, 'baseUrl'],
  ['auth without verify', { auth: { type: 'apiKey', header: 'x-api-key' } as never }, 'auth'],
  ['a header name with a space', { auth: { type: 'apiKey', header: 'x api', verify: () => true } }, 'auth/header'],
  [
    'an operationId with a space',
    { triggers: { 'On Change': { summary: 's', payload: {} } }, actions: {} },
    'triggers/On Change',
  ],
  [
    'a reserved operationId',
    { triggers: {}, actions: { DeleteSubscription: { summary: 's', method: 'GET', path: '/x', handler } } },
    'actions/DeleteSubscription',
  ],
  [
    'an operationId used by a trigger and an action',
    {
      triggers: { Same: { summary: 's', payload: {} } },
      actions: { Same: { summary: 's', method: 'GET', path: '/x', handler } },
    },
    'actions/Same',
  ],
  [
    'an object trigger parameter',
    { triggers: { T: { summary: 's', payload: {}, parameters: { filter: { type: 'object' as never } } } } },
    'triggers/T/parameters/filter/type',
  ],
  [
    'a trigger parameter named body',
    { triggers: { T: { summary: 's', payload: {}, parameters: { body: {} } } } },
    'triggers/T/parameters/body',
  ],
  ['a trigger without payload', { triggers: { T: { summary: 's' } as never } }, 'triggers/T/payload'],
  [
    'an action on the kit’s paths',
    { triggers: {}, actions: { A: { summary: 's', method: 'GET', path: '/webhooks/x', handler } } },
    'actions/A/path',
  ],
  [
    'two actions on one route',
    {
      triggers: {},
      actions: {
        A: { summary: 's', method: 'GET', path: '/r/{id}', handler },
        B: { summary: 's', method: 'GET', path: '/r/{key}', handler },
      },
    },
    'actions/B/path',
  ],
  [
    'a path parameter the path does not name',
    {
      triggers: {},
      actions: { A: { summary: 's', method: 'GET', path: '/r', parameters: { id: { in: 'path' } }, handler } },
    },
    'actions/A/parameters/id',
  ],
  [
    'an unknown method',
    { triggers: {}, actions: { A: { summary: 's', method: 'TRACE' as never, path: '/r', handler } } },
    'actions/A/method',
  ],
];

for (const [what, change, at] of cases)
  test(`createConnectorHost refuses ${what} (InvalidOptions at ${at})`, () => {
    assert.throws(
      () => createConnectorHost(crmOptions(change)),
      (error: unknown) => error instanceof ConnectorHostError && error.code === 'InvalidOptions' && error.at === at,
    );
  });

test('the sample options are accepted', () => {
  assert.doesNotThrow(() => createConnectorHost(crmOptions()));
});
