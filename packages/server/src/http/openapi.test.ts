import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testServer } from './test-support.js';

test('every registered /api/v1 route is in the OpenAPI document', async () => {
  const t = await testServer();
  try {
    await t.server.app.ready();
    const res = await t.server.app.inject({ url: '/api/v1/openapi.json' });
    assert.equal(res.statusCode, 200);
    const doc = JSON.parse(res.body) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    assert.equal(doc.openapi, '3.1.0');
    const routes = t.server.routes.filter((r) => r.url.startsWith('/api/v1/') && r.method !== 'HEAD');
    assert.ok(routes.length > 15, `only ${routes.length} routes seen`);
    for (const { method, url } of routes) {
      const path = url.replace(/:(\w+)/g, '{$1}').replace(/\/\*$/, '/{relativePath}');
      const item = doc.paths[path];
      assert.ok(item, `${url} is missing from openapi.json`);
      assert.ok(item[method.toLowerCase()], `${method} ${url} is missing from openapi.json`);
    }
  } finally {
    await t.dispose();
  }
});
