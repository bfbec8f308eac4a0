// createServer loads fastify's schema compilers only when a route declares a schema (they cost
// start-up time and memory, and our routes declare none): a route that does declare one still has
// its request validated and its response serialized by the schema.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testServer, type TestServer } from './test-support.js';

describe('routes with fastify schemas', () => {
  let t: TestServer;
  before(async () => {
    t = await testServer({
      extraRoutes: [
        async (app) => {
          app.post(
            '/schema-test',
            {
              schema: {
                body: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } },
                response: { 200: { type: 'object', properties: { n: { type: 'integer' } } } },
              },
            },
            async (request) => ({ n: (request.body as { n: number }).n + 1, secret: 'not in the schema' }),
          );
        },
      ],
    });
  });
  after(() => t.dispose());

  const cases = [
    { name: 'a valid body passes and the response keeps only the schema properties', body: { n: 1 }, status: 200 },
    { name: 'a body missing a required property is rejected', body: {}, status: 400 },
    { name: 'a body of the wrong type is rejected', body: { n: 'one' }, status: 400 },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const res = await t.server.app.inject({ method: 'POST', url: '/schema-test', payload: c.body });
      assert.equal(res.statusCode, c.status, res.body);
      if (c.status === 200) assert.deepEqual(res.json(), { n: 2 });
    });
  }

  it('serves the OpenAPI document, built once on first request', async () => {
    const first = await t.server.app.inject({ url: '/api/v1/openapi.json' });
    const second = await t.server.app.inject({ url: '/api/v1/openapi.json' });
    assert.equal(first.statusCode, 200);
    assert.equal(first.json().openapi.startsWith('3.1'), true);
    assert.equal(second.body, first.body);
  });
});
