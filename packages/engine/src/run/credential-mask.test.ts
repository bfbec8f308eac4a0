import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SECURED_VALUE } from '../secured.js';
import { maskCredentials } from './credential-mask.js';

const M = SECURED_VALUE;

test('credentials in recorded inputs are masked per action type', () => {
  const cases: Array<{ type: string; inputs: unknown; expected: unknown }> = [
    {
      type: 'Http',
      inputs: {
        method: 'GET',
        uri: 'https://x',
        headers: { Authorization: 'Bearer t', 'proxy-authorization': 'p', COOKIE: 'c', Accept: 'a' },
      },
      expected: {
        method: 'GET',
        uri: 'https://x',
        headers: { Authorization: M, 'proxy-authorization': M, COOKIE: M, Accept: 'a' },
      },
    },
    {
      type: 'Http',
      inputs: { authentication: { type: 'Basic', username: 'u', password: 'p' } },
      expected: { authentication: { type: 'Basic', username: 'u', password: M } },
    },
    {
      type: 'Http',
      inputs: { authentication: { type: 'ClientCertificate', pfx: 'b64', password: 'p' } },
      expected: { authentication: { type: 'ClientCertificate', pfx: M, password: M } },
    },
    {
      type: 'http',
      inputs: { authentication: { type: 'ActiveDirectoryOAuth', tenant: 't', clientId: 'c', secret: 's' } },
      expected: { authentication: { type: 'ActiveDirectoryOAuth', tenant: 't', clientId: 'c', secret: M } },
    },
    {
      type: 'Http',
      inputs: { authentication: { type: 'Raw', value: 'Bearer x' } },
      expected: { authentication: { type: 'Raw', value: M } },
    },
    {
      type: 'ApiConnection',
      inputs: {
        host: {},
        path: '/p',
        headers: { cookie: 'c' },
        authentication: { type: 'ApiKey', key: 'k', value: 'v' },
      },
      expected: { host: {}, path: '/p', headers: { cookie: M }, authentication: { type: 'ApiKey', key: M, value: M } },
    },
    {
      type: 'OpenApiConnection',
      inputs: { authentication: { type: 'ActiveDirectoryOAuth', clientSecret: 's' } },
      expected: { authentication: { type: 'ActiveDirectoryOAuth', clientSecret: M } },
    },
    {
      type: 'HttpWebhook',
      inputs: {
        subscribe: { uri: 'u', headers: { Authorization: 'a' } },
        unsubscribe: { uri: 'u', authentication: { type: 'Basic', password: 'p' } },
      },
      expected: {
        subscribe: { uri: 'u', headers: { Authorization: M } },
        unsubscribe: { uri: 'u', authentication: { type: 'Basic', password: M } },
      },
    },
    // Not a request: left as is.
    {
      type: 'Compose',
      inputs: { headers: { Authorization: 'kept' } },
      expected: { headers: { Authorization: 'kept' } },
    },
    { type: 'Http', inputs: 'not an object', expected: 'not an object' },
  ];
  for (const c of cases) assert.deepEqual(maskCredentials(c.type, c.inputs), c.expected, JSON.stringify(c));
});

test("a run's records and result mask the credentials an Http action sent; the request still carried them", async () => {
  const { runDefinition } = await import('../test-support/harness.js');
  const { result, records, commands } = runDefinition(
    {
      triggers: { manual: { type: 'Request', kind: 'Http' } },
      actions: {
        Call: {
          type: 'Http',
          inputs: {
            method: 'GET',
            uri: 'https://example.com',
            headers: { Authorization: "Bearer @{triggerBody()?['t']}" },
            authentication: { type: 'Basic', username: 'u', password: 'pw-secret' },
          },
        },
      },
    },
    { triggerBody: { t: 'tok-secret' }, mocks: { Call: { status: 'Succeeded', outputs: { statusCode: 200 } } } },
  );
  const sent = JSON.stringify(commands.filter((c) => c.kind === 'effect'));
  assert.ok(sent.includes('tok-secret') && sent.includes('pw-secret'), sent);
  const recorded = JSON.stringify([records, result.actions]);
  assert.ok(!recorded.includes('tok-secret') && !recorded.includes('pw-secret'), recorded);
  assert.equal(result.actions?.Call?.status, 'Succeeded');
});
