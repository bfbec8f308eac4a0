import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConnectionValues } from './connection.js';
import { loadFixture, type FixtureName } from './test-support.js';
import { buildApiConnectionSubscribeRequest, buildSubscribeRequest, buildUnsubscribeRequest } from './webhook.js';

const CALLBACK = 'https://flows.example.net/api/v1/workflows/w1/triggers/t/paths/invoke?sig=abc';

const wp: ConnectionValues = {
  parameters: { licenseKey: 'LIC', secretKey: 'SECRET', wpSiteUrl: 'https://shop.example.org/' },
};
const fs: ConnectionValues = { parameters: { token: { accessToken: 'ACCESS' } } };

describe('buildSubscribeRequest', () => {
  const cases: {
    name: string;
    fixture: FixtureName;
    connection: ConnectionValues;
    inputs: unknown;
    expected?: { method: string; url: string; body: unknown; headers?: Record<string, string> };
    error?: string;
  }[] = [
    {
      name: 'puts the callback URL in a nested body property, with the API key and policies (WPForms)',
      fixture: 'wpforms',
      connection: wp,
      inputs: { host: { operationId: 'CreateFlow' }, parameters: { 'body/form_id': '7' } },
      expected: {
        method: 'POST',
        url: 'https://shop.example.org/wp-json/wpforms-powerautomate/v1/resources/flows',
        body: { form_id: '7', meta: { powerAutomateUrl: CALLBACK } },
        headers: {
          'Content-Type': 'application/json',
          'X-Secret-Key': 'SECRET',
          'X-Reenhanced-Product': 'power-automate-for-wpforms',
          'X-License-Authorization': 'LIC',
        },
      },
    },
    {
      name: 'overrides a callback URL the flow wrote, fills internal defaults, sends the token (Formstack)',
      fixture: 'formstack-forms',
      connection: fs,
      inputs: {
        host: { operationId: 'FormstackFormSubmitted' },
        parameters: { form_id: 42, 'body/url': 'https://elsewhere' },
      },
      expected: {
        method: 'POST',
        url: 'https://www.formstack.com/api/v2/form/42/webhook/',
        body: {
          url: CALLBACK,
          content_type: 'json',
          file_transfer_type: 'base64encode',
          standardize_field_values: true,
        },
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ACCESS' },
      },
    },
    {
      name: 'still names what the flow left out',
      fixture: 'wpforms',
      connection: wp,
      inputs: { host: { operationId: 'CreateFlow' }, parameters: {} },
      error: 'MissingRequiredParameters',
    },
    {
      name: 'refuses a polling trigger',
      fixture: 'feathery-forms',
      connection: { parameters: { api_key: 'k' } },
      inputs: { host: { operationId: 'FormCompletion' }, parameters: {} },
      error: 'NotAWebhookTrigger',
    },
    {
      name: 'refuses an action',
      fixture: 'wpforms',
      connection: wp,
      inputs: { host: { operationId: 'GetForms' } },
      error: 'NotATrigger',
    },
    {
      name: 'refuses inputs without an operation',
      fixture: 'wpforms',
      connection: wp,
      inputs: { host: {} },
      error: 'InvalidInputs',
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const result = buildSubscribeRequest(loadFixture(c.fixture), c.inputs, c.connection, CALLBACK);
      if (c.error) {
        assert.equal(result.ok ? 'ok' : result.error.code, c.error);
        return;
      }
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.value.method, c.expected?.method);
      assert.equal(result.value.url, c.expected?.url);
      assert.deepEqual(JSON.parse(String(result.value.body)), c.expected?.body);
      assert.deepEqual(result.value.headers, c.expected?.headers);
    });

  it('names the missing parameter of the operation (WPForms form_id)', () => {
    const result = buildSubscribeRequest(loadFixture('wpforms'), { host: { operationId: 'CreateFlow' } }, wp, CALLBACK);
    assert.ok(!result.ok);
    assert.deepEqual(result.error.parameters, ['body/form_id']);
  });
});

describe('buildApiConnectionSubscribeRequest', () => {
  it('fills the marked property when the body leaves it out', () => {
    const result = buildApiConnectionSubscribeRequest(
      loadFixture('formstack-forms'),
      { host: { connection: { name: 'c' } }, path: '/api/v2/form/42/webhook/', body: { content_type: 'json' } },
      fs,
      CALLBACK,
    );
    assert.ok(result.ok);
    assert.equal(result.value.method, 'POST');
    assert.equal(result.value.url, 'https://www.formstack.com/api/v2/form/42/webhook/');
    assert.deepEqual(JSON.parse(String(result.value.body)), { content_type: 'json', url: CALLBACK });
  });

  it('keeps a callback URL the definition already wrote (listCallbackUrl())', () => {
    const result = buildApiConnectionSubscribeRequest(
      loadFixture('formstack-forms'),
      { path: '/api/v2/form/42/webhook/', body: { url: 'https://given' } },
      fs,
      CALLBACK,
    );
    assert.ok(result.ok);
    assert.deepEqual(JSON.parse(String(result.value.body)), { url: 'https://given' });
  });
});

describe('buildUnsubscribeRequest', () => {
  const cases: {
    name: string;
    fixture: FixtureName;
    connection: ConnectionValues;
    location: string;
    url: string;
    headers: Record<string, string>;
  }[] = [
    {
      name: 'a Location on the service: DELETE with the token',
      fixture: 'formstack-forms',
      connection: fs,
      location: 'https://www.formstack.com/api/v2/webhook/99',
      url: 'https://www.formstack.com/api/v2/webhook/99',
      headers: { Authorization: 'Bearer ACCESS' },
    },
    {
      name: 'a relative Location resolves against the base URL',
      fixture: 'formstack-forms',
      connection: fs,
      location: '/api/v2/webhook/99',
      url: 'https://www.formstack.com/api/v2/webhook/99',
      headers: { Authorization: 'Bearer ACCESS' },
    },
    {
      name: 'the dynamic host counts as the service (WPForms)',
      fixture: 'wpforms',
      connection: wp,
      location: 'https://shop.example.org/wp-json/wpforms-powerautomate/v1/resources/flows/5',
      url: 'https://shop.example.org/wp-json/wpforms-powerautomate/v1/resources/flows/5',
      headers: {
        'X-Secret-Key': 'SECRET',
        'X-Reenhanced-Product': 'power-automate-for-wpforms',
        'X-License-Authorization': 'LIC',
      },
    },
    {
      name: 'a Location on another host gets no credentials',
      fixture: 'formstack-forms',
      connection: fs,
      location: 'https://collector.example.com/hooks/99',
      url: 'https://collector.example.com/hooks/99',
      headers: {},
    },
    {
      name: 'an API key in the query goes along (Harness PDFx)',
      fixture: 'harness-pdfx',
      connection: { parameters: { api_key: 'HKEY' } },
      location: 'https://api.harnessproperty.com/pdfx/v1/hooks/1?x=1',
      url: 'https://api.harnessproperty.com/pdfx/v1/hooks/1?x=1&Subscription-Key=HKEY',
      headers: {},
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const result = buildUnsubscribeRequest(loadFixture(c.fixture), c.location, c.connection);
      assert.ok(result.ok);
      assert.deepEqual(result.value, { method: 'DELETE', url: c.url, headers: c.headers });
    });

  it('refuses a Location that is not an HTTP URL', () => {
    const result = buildUnsubscribeRequest(loadFixture('formstack-forms'), 'file:///etc/passwd', fs);
    assert.equal(result.ok ? 'ok' : result.error.code, 'InvalidInputs');
  });
});
