import { test } from 'node:test';
import assert from 'node:assert/strict';
import { includesAuthorizationHeaders, requestOutputs } from './request-outputs.js';

const request = {
  headers: { authorization: 'Bearer caller-secret', 'content-type': 'application/json', 'x-other': 'kept' },
  query: {},
  body: { a: 1 },
};

test("the caller's Authorization header is in trigger outputs only when the trigger asks for it", () => {
  const cases: Array<{ def: Record<string, unknown>; kept: boolean }> = [
    { def: { type: 'Request' }, kept: false },
    { def: { type: 'Request', operationOptions: 'EnableSchemaValidation' }, kept: false },
    { def: { type: 'Request', operationOptions: 'IncludeAuthorizationHeadersInOutputs' }, kept: true },
    {
      def: { type: 'Request', OperationOptions: 'enableschemavalidation, includeauthorizationheadersinoutputs' },
      kept: true,
    },
  ];
  for (const c of cases) {
    const includeAuthorization = includesAuthorizationHeaders(c.def);
    assert.equal(includeAuthorization, c.kept, JSON.stringify(c.def));
    const outputs = requestOutputs(request, undefined, { includeAuthorization });
    const headers = outputs.headers as Record<string, string>;
    assert.equal(headers.Authorization, c.kept ? 'Bearer caller-secret' : undefined);
    assert.equal(headers['X-Other'], 'kept');
  }
});

test('a frozen query (the fast path shares one per query text) gives each call queries of its own', () => {
  const query = Object.freeze({ __proto__: null, 'api-version': '2016-06-01', sig: 's', a: '1', b: ['2', '3'] });
  const first = requestOutputs({ headers: {}, query, body: undefined });
  assert.deepEqual(first.queries, { a: '1', b: '3' });
  (first.queries as Record<string, string>).a = 'changed';
  const second = requestOutputs({ headers: {}, query, body: undefined });
  assert.deepEqual(second.queries, { a: '1', b: '3' });
  assert.notEqual(second.queries, first.queries);
  const signed = Object.freeze({ __proto__: null, 'API-Version': '2016-06-01', SP: 'x', sv: '1.0', sig: 's' });
  assert.equal(requestOutputs({ headers: {}, query: signed, body: undefined }).queries, undefined);
  assert.equal(requestOutputs({ headers: {}, query: signed, body: undefined }).queries, undefined);
});
