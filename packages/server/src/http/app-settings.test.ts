import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_ENVIRONMENT_ID } from '../store/index.js';
import { testServer, type TestServer } from './test-support.js';

const flow = {
  definition: {
    triggers: { manual: { type: 'Request', kind: 'Http' } },
    actions: {
      Reply: {
        type: 'Response',
        inputs: {
          statusCode: 200,
          body: { url: "@appsetting('Api_Url')", region: "@appsetting('Region')", none: "@appsetting('Nope')" },
        },
      },
    },
  },
};

describe('app settings: process defaults, environment overrides, read by appsetting()', () => {
  let t: TestServer;
  before(async () => {
    // As FLOWBRIDGE_APPSETTING_Region / _Api_Url would give them.
    t = await testServer({ appSettings: { Region: 'eu', Api_Url: 'https://default.test' } });
  });
  after(async () => {
    await t.dispose();
  });

  const api = async (method: 'GET' | 'PUT' | 'POST', url: string, payload?: object) => {
    const res = await t.server.app.inject({ method, url, headers: t.auth, ...(payload ? { payload } : {}) });
    return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {} };
  };
  const settingsUrl = `/api/v1/environments/${DEFAULT_ENVIRONMENT_ID}/settings`;

  it('a run reads the defaults, then the environment settings over them', async () => {
    const created = await api('POST', '/api/v1/flows', { name: 'settings-reader', ...flow });
    assert.equal(created.status, 201);
    const cb = await api('POST', `/api/v1/flows/${String(created.body.id)}/triggers/manual/listCallbackUrl`);
    const url = new URL(String(cb.body.value));
    const call = async () => {
      const res = await t.server.app.inject({ method: 'POST', url: url.pathname + url.search, payload: {} });
      assert.equal(res.statusCode, 200, res.body);
      return JSON.parse(res.body) as unknown;
    };
    assert.deepEqual(await call(), { url: 'https://default.test', region: 'eu', none: null });

    assert.deepEqual((await api('GET', settingsUrl)).body, {});
    const put = await api('PUT', settingsUrl, { Api_Url: 'https://env.test' });
    assert.equal(put.status, 200);
    assert.deepEqual((await api('GET', settingsUrl)).body, { Api_Url: 'https://env.test' });
    assert.deepEqual(await call(), { url: 'https://env.test', region: 'eu', none: null });

    // PUT replaces the set: an empty object removes every override.
    assert.equal((await api('PUT', settingsUrl, {})).status, 200);
    assert.deepEqual(await call(), { url: 'https://default.test', region: 'eu', none: null });
  });

  const bad: Array<[string, object, string]> = [
    ['a value that is not a string', { n: 1 }, 'n'],
    ['a name with a space', { 'a b': 'x' }, 'a b'],
  ];
  for (const [name, payload, target] of bad) {
    it(`PUT refuses ${name}: 400 naming it`, async () => {
      const res = await api('PUT', settingsUrl, payload);
      assert.equal(res.status, 400);
      const error = res.body.error as { code: string; target: string };
      assert.equal(error.code, 'InvalidRequest');
      assert.equal(error.target, target);
    });
  }

  it('an unknown environment is 404', async () => {
    assert.equal((await api('GET', '/api/v1/environments/nope/settings')).status, 404);
    assert.equal((await api('PUT', '/api/v1/environments/nope/settings', { a: 'b' })).status, 404);
  });
});
