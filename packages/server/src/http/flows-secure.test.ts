// Secure parameter values through the flows API: never shown, and a flow saved back as it was read
// keeps them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SECURED_VALUE } from '@flowbridge/engine';
import { testServer } from './test-support.js';

const definition = {
  parameters: { token: { type: 'securestring' }, region: { type: 'string' } },
  triggers: { manual: { type: 'Request', kind: 'Http' } },
  actions: {},
};

test('the flows API masks secure parameter values; saving the mask back keeps the value', async () => {
  const t = await testServer();
  try {
    const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => {
      const res = await t.server.app.inject({ method, url, headers: t.auth, ...(payload ? { payload } : {}) });
      return { status: res.statusCode, json: res.json() as Record<string, any> };
    };
    const created = await call('POST', '/api/v1/flows', {
      name: 'f',
      definition,
      parameters: { token: 's3cret-token', region: 'eu' },
    });
    assert.equal(created.status, 201);
    assert.deepEqual(created.json.parameters, { token: SECURED_VALUE, region: 'eu' });
    const id = String(created.json.id);
    const read = await call('GET', `/api/v1/flows/${id}`);
    assert.ok(!JSON.stringify(read.json).includes('s3cret-token'));
    const versions = await call('GET', `/api/v1/flows/${id}/versions`);
    assert.ok(!JSON.stringify(versions.json).includes('s3cret-token'));
    const first = await call('GET', `/api/v1/flows/${id}/versions/1`);
    assert.equal(first.status, 200);
    assert.deepEqual(first.json.parameters, { token: SECURED_VALUE, region: 'eu' });

    const saved = await call('PUT', `/api/v1/flows/${id}`, {
      definition: read.json.definition,
      parameters: { ...read.json.parameters, region: 'us' },
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.json));
    const current = await t.store.getFlowVersion(id);
    assert.deepEqual(current?.parameters, { token: 's3cret-token', region: 'us' });
  } finally {
    await t.dispose();
  }
});
