import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RequestDraft } from './draft.js';
import type { PolicyInstance } from './model.js';
import {
  applyRequestPolicies,
  applyResponsePolicies,
  blockingPolicy,
  policySupport,
  type ConnectorResponse,
} from './policies.js';

const connection: Record<string, string> = {
  host: 'api.acme.io',
  token: 'T',
  workspace: 'ws1',
  site: 'https://shop.example.org/',
};
const scope = { connectionParameter: (name: string) => connection[name] };

const draft = (extra: Partial<RequestDraft> = {}): RequestDraft => ({
  operationId: 'Op',
  method: 'POST',
  baseUrl: 'https://api.example.com/v1',
  path: '/items/42',
  query: [['q', 'x']],
  headers: [['Accept', 'application/json']],
  pathValues: { id: '42' },
  ...extra,
});

const policy = (
  templateId: string,
  parameters: Record<string, unknown>,
  extra: Partial<PolicyInstance> = {},
): PolicyInstance => ({
  templateId,
  operations: 'all',
  section: 'request',
  parameters,
  support: policySupport(templateId),
  pointer: '/properties/policyTemplateInstances/0',
  ...extra,
});

// Parameter shapes as the corpus writes them (see STATS.md, policy templates).
const requestCases: {
  name: string;
  policies: PolicyInstance[];
  start?: Partial<RequestDraft>;
  expected: Partial<RequestDraft>;
}[] = [
  {
    name: 'dynamichosturl replaces scheme, host and base path',
    policies: [policy('dynamichosturl', { urlTemplate: "https://@connectionParameters('host')/api" })],
    expected: { baseUrl: 'https://api.acme.io/api', path: '/items/42' },
  },
  {
    name: 'dynamichosturl without a scheme gets https, and no doubled slash',
    policies: [policy('dynamichosturl', { urlTemplate: "@connectionParameters('site')/wp-json" })],
    expected: { baseUrl: 'https://shop.example.org/wp-json' },
  },
  {
    name: 'dynamichosturl from a host name only',
    policies: [policy('dynamicsubdomain', { urlTemplate: "@connectionParameters('host')" })],
    expected: { baseUrl: 'https://api.acme.io' },
  },
  {
    name: 'setheader overrides by default, ignoring case',
    policies: [policy('setheader', { name: 'accept', value: 'text/plain' })],
    expected: { headers: [['accept', 'text/plain']] },
  },
  {
    name: 'setheader skip keeps an existing header, sets a new one',
    policies: [
      policy('setheader', { name: 'Accept', value: 'x', existsAction: 'skip' }),
      policy('setheader', { name: 'X-New', value: "@connectionParameters('token')", existsAction: 'skip' }),
    ],
    expected: {
      headers: [
        ['Accept', 'application/json'],
        ['X-New', 'T'],
      ],
    },
  },
  {
    name: 'setheader append adds a value',
    policies: [policy('setheader', { name: 'Accept', value: 'text/xml', existsAction: 'append' })],
    expected: {
      headers: [
        ['Accept', 'application/json'],
        ['Accept', 'text/xml'],
      ],
    },
  },
  {
    name: 'setheader reads the headers built so far (D7Messaging: Bearer @headers(...))',
    policies: [policy('setheader', { name: 'Authorization', value: "Bearer @headers('Authorization')" })],
    start: { headers: [['Authorization', 'RAWKEY']] },
    expected: { headers: [['Authorization', 'Bearer RAWKEY']] },
  },
  {
    name: 'setheader with an empty value removes the header (CO2 Signal "Remove Auth Header")',
    policies: [policy('setheader', { name: 'ACCEPT', value: '' })],
    expected: { headers: [] },
  },
  {
    name: 'setqueryparameter override and append',
    policies: [
      policy('setqueryparameter', { name: 'q', value: 'y' }),
      policy('setqueryparameter', { name: 'tag', value: 'a', existsAction: 'append' }),
      policy('setqueryparameter', { name: 'tag', value: 'b', existsAction: 'append' }),
    ],
    expected: {
      query: [
        ['q', 'y'],
        ['tag', 'a'],
        ['tag', 'b'],
      ],
    },
  },
  {
    name: 'routerequesttoendpoint with path values, connection parameters and the original method',
    policies: [
      policy('routerequesttoendpoint', {
        newPath: "/@connectionParameters('workspace')/docs/{id}",
        httpMethod: '@Request.OriginalHTTPMethod',
      }),
    ],
    expected: { path: '/ws1/docs/42', method: 'POST' },
  },
  {
    name: 'routerequesttoendpoint consumes a query value it places, and may change the method',
    policies: [policy('routerequesttoendpoint', { newPath: '/search/{q}?mode=full', httpMethod: 'GET' })],
    expected: { path: '/search/x', method: 'GET', query: [['mode', 'full']] },
  },
  {
    name: 'routerequesttoendpoint with a backendUrl',
    policies: [policy('routerequesttoendpoint', { newPath: 'v3/zones', backendUrl: 'https://other.example.com/' })],
    expected: { path: '/v3/zones', baseUrl: 'https://other.example.com' },
  },
  {
    name: 'policies for other operations do not apply',
    policies: [policy('setheader', { name: 'X', value: '1' }, { operations: ['Other'] })],
    expected: { headers: [['Accept', 'application/json']] },
  },
  {
    name: 'response-section policies do not apply to the request',
    policies: [policy('setheader', { name: 'X', value: '1' }, { section: 'response' })],
    expected: { headers: [['Accept', 'application/json']] },
  },
  {
    name: 'setproperty literals, JSON text, quoted names (Almabase, LawVu, Planner)',
    policies: [
      policy('setproperty', {
        newPropertyParentPathTemplate: '@body()',
        newPropertySubPathTemplate: 'version',
        propertyValuePathTemplate: 'v1',
      }),
      policy('setproperty', {
        newPropertyParentPathTemplate: '@body()',
        newPropertySubPathTemplate: 'topics',
        propertyValuePathTemplate: '["matter.created"]',
      }),
      policy('setproperty', {
        newPropertyParentPathTemplate: '@body().references',
        newPropertySubPathTemplate: "['@odata.type']",
        propertyValuePathTemplate: 'microsoft.graph.plannerExternalReference',
      }),
    ],
    start: { body: { references: { url: 'u' } } },
    expected: {
      body: {
        references: { url: 'u', '@odata.type': 'microsoft.graph.plannerExternalReference' },
        version: 'v1',
        topics: ['matter.created'],
      },
    },
  },
  {
    name: 'setproperty wraps a value in an array (Blackbaud) and fills a text template (SAS)',
    policies: [
      policy('setproperty', {
        newPropertyParentPathTemplate: 'body()',
        newPropertySubPathTemplate: 'gifts',
        propertyValuePathTemplate: '[{@body().gifts}]',
      }),
      policy('setproperty', {
        newPropertyParentPathTemplate: '@body()',
        newPropertySubPathTemplate: 'filter',
        propertyValuePathTemplate: "eq(state, '{@body().state}')",
      }),
    ],
    start: { body: { gifts: { amount: 5 }, state: 'open' } },
    expected: { body: { gifts: [{ amount: 5 }], state: 'open', filter: "eq(state, 'open')" } },
  },
  {
    name: 'setproperty on a missing body creates it',
    policies: [
      policy('setproperty', {
        newPropertyParentPathTemplate: '@body()',
        newPropertySubPathTemplate: 'type',
        propertyValuePathTemplate: 'card',
      }),
    ],
    expected: { body: { type: 'card' } },
  },
];

describe('applyRequestPolicies', () => {
  for (const c of requestCases)
    it(c.name, () => {
      const d = draft(c.start);
      const result = applyRequestPolicies(d, c.policies, scope);
      assert.ok(result.ok, JSON.stringify(result));
      for (const [key, value] of Object.entries(c.expected)) assert.deepEqual(d[key as keyof RequestDraft], value, key);
    });

  const errors: { name: string; policy: PolicyInstance; code: string }[] = [
    {
      name: 'dynamichosturl whose host parameter is missing',
      policy: policy('dynamichosturl', { urlTemplate: "https://@connectionParameters('nope')/x" }),
      code: 'MissingBaseUrl',
    },
    {
      name: 'dynamichosturl of only a path',
      policy: policy('dynamichosturl', { urlTemplate: "@connectionParameters('nope')/api" }),
      code: 'MissingBaseUrl',
    },
    { name: 'setheader without a name', policy: policy('setheader', { value: 'x' }), code: 'InvalidPolicyTemplate' },
    {
      name: 'routerequesttoendpoint without newPath',
      policy: policy('routerequesttoendpoint', {}),
      code: 'InvalidPolicyTemplate',
    },
    {
      name: 'setproperty with a parent that is not a body path',
      policy: policy('setproperty', {
        newPropertyParentPathTemplate: 'x',
        newPropertySubPathTemplate: 'a',
        propertyValuePathTemplate: 'b',
      }),
      code: 'InvalidPolicyTemplate',
    },
  ];
  for (const c of errors)
    it(`refuses ${c.name}, pointing at the instance`, () => {
      const result = applyRequestPolicies(draft(), [c.policy], scope);
      assert.equal(result.ok ? 'ok' : result.error.code, c.code);
      if (!result.ok) assert.equal(result.error.pointer, '/properties/policyTemplateInstances/0');
    });
});

describe('applyResponsePolicies', () => {
  it('sets a response header (Airmeet sets Location for the unsubscribe)', () => {
    const response: ConnectorResponse = { statusCode: 201, headers: { 'content-type': 'application/json' }, body: {} };
    const result = applyResponsePolicies(
      response,
      'Op',
      [
        policy(
          'setheader',
          { name: 'Location', value: "https://@connectionParameters('host')/webhook-deregister" },
          { section: 'response' },
        ),
      ],
      scope,
    );
    assert.ok(result.ok);
    assert.deepEqual(response.headers, {
      'content-type': 'application/json',
      Location: 'https://api.acme.io/webhook-deregister',
    });
  });

  it('sets a property on every item of an array (FreeAgent) and copies a link (iObeya)', () => {
    const response: ConnectorResponse = {
      statusCode: 200,
      headers: {},
      body: {
        invoices: [
          { id: 1, reference: 'A' },
          { id: 2, reference: 'B' },
        ],
        next: 'https://n',
      },
    };
    const result = applyResponsePolicies(
      response,
      'Op',
      [
        policy(
          'setproperty',
          {
            newPropertyParentPathTemplate: '@body().invoices',
            newPropertySubPathTemplate: 'title',
            propertyValuePathTemplate: "'{@item()['id']}-{@item()['reference']}'",
          },
          { section: 'response' },
        ),
        policy(
          'setproperty',
          {
            newPropertyParentPathTemplate: '@body()',
            newPropertySubPathTemplate: 'nextLink',
            propertyValuePathTemplate: '{@body().next}',
          },
          { section: 'response' },
        ),
      ],
      scope,
    );
    assert.ok(result.ok);
    assert.deepEqual(response.body, {
      invoices: [
        { id: 1, reference: 'A', title: '1-A' },
        { id: 2, reference: 'B', title: '2-B' },
      ],
      next: 'https://n',
      nextLink: 'https://n',
    });
  });
});

describe('policy table', () => {
  const support: [string, string][] = [
    ['setheader', 'implemented'],
    ['SetProperty', 'implemented'],
    ['pollingtrigger', 'implemented'],
    ['updatenextlink', 'ignored'],
    ['convertobjecttoarray', 'unsupported'],
    ['brandnew', 'unknown'],
  ];
  for (const [id, expected] of support) it(`${id} is ${expected}`, () => assert.equal(policySupport(id), expected));

  it('names the first policy an operation cannot run with', () => {
    const policies = [
      policy('updatenextlink', {}),
      policy('stringreplace', {}, { operations: ['Other'] }),
      policy('convertobjecttoarray', {}, { operations: ['Op'], pointer: '/p/2' }),
    ];
    assert.equal(blockingPolicy(policies, 'Op')?.pointer, '/p/2');
    assert.equal(blockingPolicy(policies, 'Third'), undefined);
  });
});
