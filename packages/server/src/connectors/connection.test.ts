import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectionValue, splitSecrets, validateConnection, type ConnectionValues } from './connection.js';
import { credentialParameterNames } from './credential-params.js';
import { applyCredentials } from './credentials.js';
import type { RequestDraft } from './draft.js';
import { importConnector } from './import.js';
import type { Connector } from './model.js';
import { loadFixture, type FixtureName } from './test-support.js';

/** A connector from inline swagger parts, for shapes the fixtures lack. */
function connector(securityDefinitions: Record<string, unknown>, properties: Record<string, unknown>): Connector {
  const result = importConnector({
    apiDefinition: { swagger: '2.0', info: { title: 'T' }, host: 'api.example.com', paths: {}, securityDefinitions },
    apiProperties: { properties },
  });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

const secure = (required = true) => ({
  type: 'securestring',
  uiDefinition: { constraints: { required: String(required) } },
});
const text = (required = true, extra: Record<string, unknown> = {}) => ({
  type: 'string',
  uiDefinition: { constraints: { required: String(required), ...extra } },
});

// Two ways in, as AvePoint Cloud Governance and Scrive eSign offer them.
const multiAuth = connector(
  { oauth: { type: 'oauth2', flow: 'accessCode' }, basic: { type: 'basic' } },
  {
    connectionParameterSets: {
      values: [
        { name: 'oauth', parameters: { token: { type: 'oauthSetting', oAuthSettings: { identityProvider: 'aad' } } } },
        { name: 'basic', parameters: { username: secure(), password: secure() } },
      ],
    },
  },
);

const typed = connector(
  {},
  {
    connectionParameters: {
      region: text(true, {
        allowedValues: [
          { text: 'EU', value: 'eu' },
          { text: 'US', value: 'us' },
        ],
      }),
      verbose: { type: 'bool' },
      port: { type: 'int' },
      'token:customHost': {
        type: 'string',
        defaultValue: 'api.elite.com',
        uiDefinition: { constraints: { required: 'true' } },
      },
      gateway: { type: 'gatewaySetting' },
    },
  },
);

describe('validateConnection', () => {
  const cases: {
    name: string;
    connector: Connector | FixtureName;
    connection: ConnectionValues;
    problems?: [string, string][];
    secrets?: string[];
    needsConsent?: string[];
    parameterSet?: string;
  }[] = [
    {
      name: 'WPForms: the masked key and the API key parameter are secret, the rest is not',
      connector: 'wpforms',
      connection: { parameters: { licenseKey: 'L', secretKey: 'S', wpSiteUrl: 'https://x' } },
      secrets: ['secretKey'],
      needsConsent: [],
    },
    {
      name: 'WPForms: missing and unknown parameters, all reported',
      connector: 'wpforms',
      connection: { parameters: { licenseKey: 'L', secretKey: 'S', color: 'red' } },
      problems: [
        ['UnknownConnectionParameter', 'color'],
        ['MissingConnectionParameter', 'wpSiteUrl'],
      ],
    },
    {
      name: 'Formstack before consent',
      connector: 'formstack-forms',
      connection: { parameters: {} },
      secrets: ['token'],
      needsConsent: ['token'],
    },
    {
      name: 'Formstack with tokens',
      connector: 'formstack-forms',
      connection: { parameters: { token: { accessToken: 'a', refreshToken: 'r', expiresAt: 1_700_000_000_000 } } },
      needsConsent: [],
    },
    {
      name: 'Formstack with a token of the wrong shape',
      connector: 'formstack-forms',
      connection: { parameters: { token: { accessToken: 5 } } },
      problems: [['InvalidConnectionParameterType', 'token']],
    },
    {
      name: 'Pure Leads: the API key must be text',
      connector: 'pure-leads',
      connection: { parameters: { api_key: 12 } },
      problems: [['InvalidConnectionParameterType', 'api_key']],
    },
    {
      name: 'Pure Leads without its key',
      connector: 'pure-leads',
      connection: { parameters: {} },
      problems: [['MissingConnectionParameter', 'api_key']],
    },
    {
      name: 'BulkSMS: both basic values are secure',
      connector: 'bulksms',
      connection: { parameters: { username: 'u', password: 'p' } },
      secrets: ['username', 'password'],
    },
    {
      name: 'parameter sets: one must be named',
      connector: multiAuth,
      connection: { parameters: { username: 'u', password: 'p' } },
      problems: [
        ['ParameterSetRequired', 'parameterSet'],
        ['UnknownConnectionParameter', 'username'],
        ['UnknownConnectionParameter', 'password'],
      ],
    },
    {
      name: 'parameter sets: an unknown one',
      connector: multiAuth,
      connection: { parameterSet: 'apikey', parameters: {} },
      problems: [['UnknownParameterSet', 'parameterSet']],
    },
    {
      name: 'parameter sets: the basic one',
      connector: multiAuth,
      connection: { parameterSet: 'basic', parameters: { username: 'u', password: 'p' } },
      parameterSet: 'basic',
      secrets: ['username', 'password'],
      needsConsent: [],
    },
    {
      name: 'parameter sets: the OAuth one needs consent',
      connector: multiAuth,
      connection: { parameterSet: 'oauth', parameters: {} },
      parameterSet: 'oauth',
      secrets: ['token'],
      needsConsent: ['token'],
    },
    {
      name: 'types, allowed values, defaults',
      connector: typed,
      connection: { parameters: { region: 'eu', verbose: 'True', port: '8080' } },
      secrets: [],
    },
    {
      name: 'types and allowed values refused',
      connector: typed,
      connection: { parameters: { region: 'asia', verbose: 'maybe', port: 1.5, gateway: { id: 'g' } } },
      problems: [
        ['NotAllowedValue', 'region'],
        ['InvalidConnectionParameterType', 'verbose'],
        ['InvalidConnectionParameterType', 'port'],
        ['UnsupportedConnectionParameter', 'gateway'],
      ],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const result = validateConnection(
        typeof c.connector === 'string' ? loadFixture(c.connector) : c.connector,
        c.connection,
      );
      if (c.problems) {
        assert.equal(result.ok, false);
        if (result.ok) return;
        assert.equal(result.error.code, 'InvalidConnectionParameters');
        assert.deepEqual(
          result.error.problems?.map((p) => [p.code, p.parameter]),
          c.problems,
        );
        return;
      }
      assert.ok(result.ok, JSON.stringify(result));
      if (c.secrets) assert.deepEqual(result.value.secrets, c.secrets);
      if (c.needsConsent) assert.deepEqual(result.value.needsConsent, c.needsConsent);
      assert.equal(result.value.parameterSet, c.parameterSet);
    });

  it('reads a default where the connection has no value', () => {
    assert.equal(connectionValue(typed, { parameters: {} }, 'token:customHost'), 'api.elite.com');
    assert.equal(connectionValue(typed, { parameters: { 'token:customHost': 'x' } }, 'token:customHost'), 'x');
  });

  it('splits values into plain and secret', () => {
    assert.deepEqual(
      splitSecrets({ licenseKey: 'L', SecretKey: 'S', token: { accessToken: 'a' } }, ['secretKey', 'token']),
      {
        plain: { licenseKey: 'L' },
        secret: { SecretKey: 'S', token: { accessToken: 'a' } },
      },
    );
  });
});

describe('credentials', () => {
  // Which parameter carries an API key, by the corpus' naming habits.
  const keyCases: {
    name: string;
    security: Record<string, unknown>;
    parameters: Record<string, unknown>;
    expected: string[];
  }[] = [
    {
      name: 'api_key, the convention',
      security: { k: { type: 'apiKey', in: 'header', name: 'X-Key' } },
      parameters: { api_key: secure() },
      expected: ['api_key'],
    },
    {
      name: 'named after the definition (GlobalGiving "API Key")',
      security: { 'API Key': { type: 'apiKey', in: 'query', name: 'api_key_q' } },
      parameters: { 'API Key': secure(), other: text() },
      expected: ['API Key'],
    },
    {
      name: 'two keys named after their definitions (Fleetio)',
      security: {
        'API Key': { type: 'apiKey', in: 'header', name: 'Authorization' },
        'Account Token': { type: 'apiKey', in: 'header', name: 'Account-Token' },
      },
      parameters: { apiKey: secure(), accountToken: secure() },
      expected: ['apiKey', 'accountToken'],
    },
    {
      name: 'named after the header (mondaycom)',
      security: { 'API Key': { type: 'apiKey', in: 'header', name: 'Authorization' } },
      parameters: { Authorization: secure() },
      expected: ['Authorization'],
    },
    {
      name: 'the only secure string',
      security: { k: { type: 'apiKey', in: 'query', name: 'appid' } },
      parameters: { key: secure(), region: text() },
      expected: ['key'],
    },
    {
      name: 'nothing that fits',
      security: { k: { type: 'apiKey', in: 'query', name: 'appid' } },
      parameters: { region: text() },
      expected: [],
    },
    {
      name: 'basic: the password',
      security: { b: { type: 'basic' } },
      parameters: { UserName: text(), Password: secure() },
      expected: ['Password'],
    },
  ];
  for (const c of keyCases)
    it(`finds the key parameter: ${c.name}`, () => {
      const x = connector(c.security, { connectionParameters: c.parameters });
      assert.deepEqual(credentialParameterNames(x, x.connectionParameters), c.expected);
    });

  const applyCases: {
    name: string;
    connector: Connector;
    connection: ConnectionValues;
    headers: [string, string][];
    query?: [string, string][];
  }[] = [
    {
      name: 'two API keys in two headers',
      connector: connector(
        { a: { type: 'apiKey', in: 'header', name: 'X-A' }, b: { type: 'apiKey', in: 'query', name: 'b' } },
        { connectionParameters: { a: secure(), b: secure() } },
      ),
      connection: { parameters: { a: '1', b: '2' } },
      headers: [['X-A', '1']],
      query: [['b', '2']],
    },
    {
      name: 'API key or OAuth: only what the connection holds applies',
      connector: connector(
        { key: { type: 'apiKey', in: 'header', name: 'X-Key' }, oauth: { type: 'oauth2', flow: 'accessCode' } },
        { connectionParameters: { api_key: secure(false), token: { type: 'oauthSetting' } } },
      ),
      connection: { parameters: { token: { accessToken: 'AT' } } },
      headers: [['Authorization', 'Bearer AT']],
    },
    {
      name: 'an aad token on a connector without securityDefinitions',
      connector: connector(
        {},
        { connectionParameters: { token: { type: 'oauthSetting', oAuthSettings: { identityProvider: 'aad' } } } },
      ),
      connection: { parameters: { token: 'RAW' } },
      headers: [['Authorization', 'Bearer RAW']],
    },
    {
      name: 'basic from a parameter set',
      connector: multiAuth,
      connection: { parameterSet: 'basic', parameters: { username: 'u', password: 'p:w' } },
      headers: [['Authorization', `Basic ${Buffer.from('u:p:w').toString('base64')}`]],
    },
    {
      name: 'nothing to send',
      connector: multiAuth,
      connection: { parameterSet: 'oauth', parameters: {} },
      headers: [],
    },
  ];
  for (const c of applyCases)
    it(`applies ${c.name}`, () => {
      const draft: RequestDraft = {
        method: 'GET',
        baseUrl: 'https://x',
        path: '',
        query: [],
        headers: [],
        pathValues: {},
      };
      applyCredentials(draft, c.connector, c.connection);
      assert.deepEqual(draft.headers, c.headers);
      assert.deepEqual(draft.query, c.query ?? []);
    });
});
