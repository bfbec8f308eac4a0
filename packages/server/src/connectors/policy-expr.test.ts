import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateTemplate, interpolate, parsePathTemplate, type PolicyScope } from './policy-expr.js';

const connection: Record<string, string> = {
  instance: 'acme',
  'token:tenantId': 'T1',
  wpSiteUrl: 'https://shop.example.org',
  empty: '',
};
const scope: PolicyScope = {
  connectionParameter: (name) => connection[name],
  header: (name) => ({ authorization: 'KEY', teamid: 'team-7' })[name.toLowerCase()],
  queryParameter: (name) => ({ graphID: 'g1', hosturl: 'h.example.com' })[name],
  body: { state: 'open', gifts: { payments: [{ a: 1 }] }, '@odata.id': 'id-1', list: [{ id: 3 }] },
  item: { id: 5, reference: 'R' },
  triggerBody: { data: [{ created_time: 't0' }], results: [1, 2] },
  method: 'PATCH',
};

// Every template shape below is taken from corpus apiProperties files.
const texts: [string, string][] = [
  ["https://@connectionParameters('instance').vault.azure.net", 'https://acme.vault.azure.net'],
  ["@connectionParameters('wpSiteUrl')/wp-json/wc/v1", 'https://shop.example.org/wp-json/wc/v1'],
  ["@ConnectionParameters('instance')", 'acme'],
  ["@connectionParameters('empty', 'fallback')", 'fallback'],
  ["@connectionParameters('missing','')", ''],
  ["@connectionParameters('missing')", ''],
  [
    "/eventsConnector/@connectionParameters('token:tenantId')/api/webhook/{service}",
    '/eventsConnector/T1/api/webhook/{service}',
  ],
  ["Bearer @headers('Authorization')", 'Bearer KEY'],
  ["/teams/@headers('TeamId')/boards", '/teams/team-7/boards'],
  ["/v1/graphs/@queryParameters('graphID')/pixels", '/v1/graphs/g1/pixels'],
  ["/v1/graphs/@queryParamters('graphID')", '/v1/graphs/g1'],
  ["https://@queryParameters('hosturl')", 'https://h.example.com'],
  ['@Request.OriginalHTTPMethod', 'PATCH'],
  ['support@zohosign.com and @unknown(1)', 'support@zohosign.com and @unknown(1)'],
  ["and(eq(state, '{@body().state}'), x)", "and(eq(state, 'open'), x)"],
  [
    "https://graph.microsoft.com/v1.0/directoryObjects/{@body()['@odata.id']}",
    'https://graph.microsoft.com/v1.0/directoryObjects/id-1',
  ],
  ["'{@item()['id']}-{@item()['reference']}'", "'5-R'"],
  ['[{@body().gifts.payments}]', '[[{"a":1}]]'],
  ['@{triggerBody().data[0].created_time}', 't0'],
  ["a '@' sign", "a '@' sign"],
];

const values: [string, unknown][] = [
  ['@body().gifts', { payments: [{ a: 1 }] }],
  ['{@body().gifts.payments}', [{ a: 1 }]],
  ['@triggerBody().results', [1, 2]],
  ['@triggerBody()?.data[0]', { created_time: 't0' }],
  ['@{triggerBody().data[0].created_time}', 't0'],
  ['@triggerBody().nothing.deeper', undefined],
  ['@body().list[9]', undefined],
  ['plain', 'plain'],
];

describe('policy templates', () => {
  for (const [template, expected] of texts)
    it(`interpolate ${template}`, () => assert.equal(interpolate(template, scope), expected));
  for (const [template, expected] of values)
    it(`evaluateTemplate ${template}`, () => assert.deepEqual(evaluateTemplate(template, scope), expected));

  it('parses body paths', () => {
    assert.deepEqual(parsePathTemplate('@body().gifts'), {
      root: 'body',
      accessors: [{ kind: 'prop', name: 'gifts' }],
    });
    assert.deepEqual(parsePathTemplate('body()'), { root: 'body', accessors: [] });
    assert.deepEqual(parsePathTemplate("@body()['@odata.id']"), {
      root: 'body',
      accessors: [{ kind: 'prop', name: '@odata.id' }],
    });
    assert.equal(parsePathTemplate("@connectionParameters('x')"), undefined);
    assert.equal(parsePathTemplate('@body().a and more'), undefined);
  });
});
