// OAuth 2.0 (authorization code) through the server against a local token endpoint, with the
// Formstack Forms corpus connector pointed at a fake service: consent link, redirect with the
// code, tokens kept sealed, a token about to expire refreshed before the subscribe request.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  connectorServer,
  fakeService,
  filesUnder,
  fixture,
  tempDir,
  until,
  type ConnectorServer,
  type FakeService,
} from './test-support.js';

const CLIENT_SECRET = 'oauth-client-secret-77ab';

describe('OAuth 2.0 connections through the server', () => {
  let service: FakeService;
  let fb: ConnectorServer;
  const temp = tempDir();
  before(async () => {
    service = await fakeService((r, base) => {
      if (r.method === 'POST' && r.path === '/oauth/token') {
        const form = new URLSearchParams(String(r.body));
        if (form.get('grant_type') === 'authorization_code' && form.get('code') === 'the-code')
          // Expires within the refresh margin: the first use renews it.
          return { status: 200, body: { access_token: 'at-1', refresh_token: 'rt-1', expires_in: 30 } };
        if (form.get('grant_type') === 'refresh_token' && form.get('refresh_token') === 'rt-1')
          return { status: 200, body: { access_token: 'at-2', refresh_token: 'rt-2', expires_in: 3600 } };
        return { status: 400, body: { error: 'invalid_grant' } };
      }
      if (r.method === 'POST' && r.path === '/api/v2/form/9/webhook/')
        return { status: 201, headers: { location: `${base}/api/v2/webhook/77` } };
      return undefined;
    });
    fb = await connectorServer(temp.dir);
  });
  after(async () => {
    await fb.stop();
    await fb.store.close();
    await service.close();
    temp.remove();
  });

  it('consents, exchanges the code, refreshes before use, and keeps the secrets sealed', async () => {
    const files = fixture('formstack-forms');
    files.apiDefinition.host = new URL(service.url).host;
    files.apiDefinition.schemes = ['http'];
    for (const d of Object.values(files.apiDefinition.securityDefinitions) as Array<Record<string, string>>) {
      d.authorizationUrl = `${service.url}/oauth/authorize`;
      d.tokenUrl = `${service.url}/oauth/token`;
    }
    const imported = await fb.call('POST', '/api/v1/connectors', { ...files, name: 'shared_formstack' });
    assert.equal(imported.status, 201, JSON.stringify(imported.body));
    const made = await fb.call('POST', '/api/v1/connections', {
      name: 'forms',
      connectorName: 'shared_formstack',
      parameters: { token: { clientId: 'cid', clientSecret: CLIENT_SECRET } },
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.equal(made.body.status, 'NeedsConsent');

    const link = await fb.call('POST', '/api/v1/connections/forms/consentLink');
    assert.equal(link.status, 200, JSON.stringify(link.body));
    const consent = new URL(link.body.value as string);
    assert.equal(`${consent.origin}${consent.pathname}`, `${service.url}/oauth/authorize`);
    assert.equal(consent.searchParams.get('client_id'), 'cid');
    assert.equal(consent.searchParams.get('redirect_uri'), `${fb.url}/connections/oauth/redirect`);
    // The provider sends the browser back with the code.
    const back = new URL(consent.searchParams.get('redirect_uri')!);
    back.searchParams.set('code', 'the-code');
    back.searchParams.set('state', consent.searchParams.get('state')!);
    const redirected = await fetch(back);
    assert.equal(redirected.status, 200, await redirected.clone().text());
    const exchange = new URLSearchParams(String(service.requests.find((r) => r.path === '/oauth/token')!.body));
    assert.equal(exchange.get('client_secret'), CLIENT_SECRET);
    assert.equal(exchange.get('redirect_uri'), `${fb.url}/connections/oauth/redirect`);
    assert.equal((await fb.call('GET', '/api/v1/connections/forms')).body.status, 'Connected');

    const bad = await fetch(`${fb.url}/connections/oauth/redirect?code=x&state=forged`);
    assert.equal(bad.status, 400, 'a forged state is refused');

    const created = await fb.call('POST', '/api/v1/flows', {
      name: 'form submitted',
      connectionReferences: { shared_formstack: { connectionName: 'forms' } },
      definition: {
        triggers: {
          Submitted: {
            type: 'OpenApiConnectionWebhook',
            inputs: {
              host: { connectionName: 'shared_formstack', operationId: 'FormstackFormSubmitted' },
              parameters: { form_id: '9' },
            },
          },
        },
        actions: {},
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.state, 'Enabled', JSON.stringify(created.body.stateError));
    const subscribe = await until('the subscription', () =>
      service.requests.find((r) => r.path === '/api/v2/form/9/webhook/'),
    );
    assert.equal(subscribe.headers.authorization, 'Bearer at-2', 'the renewed token');
    const grants = service.requests
      .filter((r) => r.path === '/oauth/token')
      .map((r) => new URLSearchParams(String(r.body)).get('grant_type'));
    assert.deepEqual(grants, ['authorization_code', 'refresh_token']);

    await fb.stop();
    for (const file of filesUnder(temp.dir))
      for (const secret of [CLIENT_SECRET, 'rt-2', 'at-2'])
        assert.ok(!file.bytes.includes(secret), `${file.path} holds ${secret} in clear`);
    fb = { ...fb, stop: async () => {} };
  });
});
