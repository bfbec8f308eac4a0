import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConnectionValues } from './connection.js';
import type { BuiltRequest } from './draft.js';
import type { Connector } from './model.js';
import { buildApiConnectionRequest, buildOpenApiRequest } from './request.js';
import { loadFixture, type FixtureName } from './test-support.js';

const connections: Record<FixtureName, ConnectionValues> = {
  wpforms: { parameters: { licenseKey: 'LIC', secretKey: 'SECRET', wpSiteUrl: 'https://shop.example.org' } },
  'formstack-forms': { parameters: { token: { accessToken: 'ACCESS', refreshToken: 'R' } } },
  'feathery-forms': { parameters: { api_key: 'FKEY' } },
  'pure-leads': { parameters: { api_key: 'PKEY' } },
  'co2-signal': { parameters: { api_key: 'CKEY' } },
  'harness-pdfx': { parameters: { api_key: 'HKEY' } },
  bulksms: { parameters: { username: 'ada', password: 'pw' } },
};

interface Case {
  name: string;
  fixture: FixtureName;
  inputs: unknown;
  connection?: ConnectionValues;
  /** Changes the imported connector first (for shapes the fixtures lack). */
  tweak?: (c: Connector) => void;
  expected?: Partial<BuiltRequest> & { json?: unknown };
  error?: { code: string; parameters?: string[]; pointer?: string };
}

const op = (operationId: string, parameters: Record<string, unknown> = {}) => ({
  host: { connectionName: 'shared_x', operationId, apiId: '/providers/Microsoft.PowerApps/apis/shared_x' },
  parameters,
});

const cases: Case[] = [
  {
    name: 'API key header, dynamichosturl from a connection parameter, setheader policies (WPForms)',
    fixture: 'wpforms',
    inputs: op('GetForm', { id: 'a b/c' }),
    expected: {
      method: 'GET',
      url: 'https://shop.example.org/wp-json/wpforms-powerautomate/v1/resources/forms/a%20b%2Fc',
      headers: {
        'X-Secret-Key': 'SECRET',
        'X-Reenhanced-Product': 'power-automate-for-wpforms',
        'X-License-Authorization': 'LIC',
      },
    },
  },
  {
    name: 'query parameter and whole-body key (WPForms)',
    fixture: 'wpforms',
    inputs: op('GetEntries', { form_id: '7', body: { status: 'new', limit: 5 } }),
    expected: {
      method: 'POST',
      url: 'https://shop.example.org/wp-json/wpforms-powerautomate/v1/resources/entries/query?form_id=7',
      json: { status: 'new', limit: 5 },
    },
  },
  {
    name: 'a connection without the host parameter',
    fixture: 'wpforms',
    connection: { parameters: { licenseKey: 'L', secretKey: 'S' } },
    inputs: op('GetForms'),
    error: { code: 'MissingBaseUrl' },
  },
  {
    name: 'OAuth bearer token (Formstack)',
    fixture: 'formstack-forms',
    inputs: op('GetAvailableForms'),
    expected: {
      method: 'GET',
      url: 'https://www.formstack.com/api/v2/form/',
      headers: { Authorization: 'Bearer ACCESS' },
    },
  },
  {
    name: 'defaults of required query parameters (Formstack, internal)',
    fixture: 'formstack-forms',
    inputs: op('GetFormSchema', { form_id: 12 }),
    expected: { url: 'https://www.formstack.com/api/v2/form/12/webhookopenapi/?file_transfer_type=base64encode' },
  },
  {
    name: 'no token yet: no Authorization',
    fixture: 'formstack-forms',
    connection: { parameters: {} },
    inputs: op('GetAvailableForms'),
    expected: { headers: {} },
  },
  {
    name: 'flattened body paths and a required property missing (Pure Leads)',
    fixture: 'pure-leads',
    inputs: op('New-Lead-Submission', { 'body/email': 'a@example.com', 'body/mobile_no': '1' }),
    error: { code: 'MissingRequiredParameters', parameters: ['body/name'], pointer: '/parameters' },
  },
  {
    name: 'flattened body paths (Pure Leads)',
    fixture: 'pure-leads',
    inputs: op('New-Lead-Submission', { 'body/email': 'a@example.com', 'body/name': 'Ada' }),
    expected: {
      method: 'POST',
      url: 'https://pureleads.co/api/contacts',
      headers: { 'Content-Type': 'application/json', Authorization: 'PKEY' },
      json: { email: 'a@example.com', name: 'Ada' },
    },
  },
  {
    name: 'flattened paths win over the whole body and nest',
    fixture: 'pure-leads',
    inputs: op('New-Lead-Submission', { body: { email: 'x', name: 'y' }, 'body/name': 'Ada', 'body/extra/deep': 1 }),
    expected: { json: { email: 'x', name: 'Ada', extra: { deep: 1 } } },
  },
  {
    name: 'a body parameter named item takes item/x keys (Dataverse style)',
    fixture: 'pure-leads',
    tweak: (c) => {
      c.operations[0]!.parameters[0]!.name = 'item';
    },
    inputs: op('New-Lead-Submission', { 'item/email': 'a@example.com', 'item/name': 'Ada', 'item/x~1y': 1 }),
    expected: { json: { email: 'a@example.com', name: 'Ada', 'x/y': 1 } },
  },
  {
    name: 'basic auth, required defaults in query and body (BulkSMS)',
    fixture: 'bulksms',
    inputs: op('SendSmsMessage', { 'body/to': '+4712345678', 'body/body': 'Hello' }),
    expected: {
      method: 'POST',
      url: 'https://api.bulksms.com/v1/messages?auto-unicode=true',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Basic ${Buffer.from('ada:pw').toString('base64')}`,
      },
      json: { to: '+4712345678', body: 'Hello', userSuppliedId: 'BLKTM.GWPF.01.00.00', longMessageMaxParts: 10 },
    },
  },
  {
    name: 'every missing required parameter named at once (BulkSMS)',
    fixture: 'bulksms',
    inputs: op('SendSmsMessage', {}),
    error: { code: 'MissingRequiredParameters', parameters: ['body/body', 'body/to'] },
  },
  {
    name: 'a given value beats the default',
    fixture: 'bulksms',
    inputs: op('SendSmsMessage', {
      'auto-unicode': false,
      'body/to': '1',
      'body/body': 'x',
      'body/longMessageMaxParts': 2,
    }),
    expected: { url: 'https://api.bulksms.com/v1/messages?auto-unicode=false' },
  },
  {
    name: 'API key in the query, single path encoding (Harness PDFx)',
    fixture: 'harness-pdfx',
    inputs: op('get-pdf', { pdf_id: 'x y/z' }),
    expected: { url: 'https://api.harnessproperty.com/pdfx/v1/pdfs/x%20y%2Fz?Subscription-Key=HKEY', headers: {} },
  },
  {
    name: 'double path encoding',
    fixture: 'harness-pdfx',
    tweak: (c) => {
      c.operations[1]!.parameters[0]!.urlEncoding = 'double';
    },
    inputs: op('get-pdf', { pdf_id: 'x y/z' }),
    expected: { url: 'https://api.harnessproperty.com/pdfx/v1/pdfs/x%2520y%252Fz?Subscription-Key=HKEY' },
  },
  {
    name: 'routerequesttoendpoint for every operation (CO2 Signal)',
    fixture: 'co2-signal',
    inputs: op('GetLatestbyLatLon', { lat: 59.9, lon: 10.7 }),
    expected: { url: 'https://api.co2signal.com/v1/latest?lon=10.7&lat=59.9', headers: { 'auth-token': 'CKEY' } },
  },
  {
    name: 'an operation an unsupported policy applies to (CO2 Signal GetZones)',
    fixture: 'co2-signal',
    inputs: op('GetZones'),
    error: { code: 'UnsupportedPolicy', pointer: '/properties/policyTemplateInstances/4' },
  },
  {
    name: 'per-operation dynamichosturl + routing, and setheader with an empty value removes the key',
    fixture: 'co2-signal',
    tweak: (c) => {
      c.policies.pop();
    },
    inputs: op('GetZones'),
    expected: { method: 'GET', url: 'https://api.electricitymap.org/v3/zones', headers: {} },
  },
  {
    name: 'an operation with custom code',
    fixture: 'pure-leads',
    tweak: (c) => {
      c.operations[0]!.customCode = true;
    },
    inputs: op('New-Lead-Submission', { 'body/email': 'a', 'body/name': 'b' }),
    error: { code: 'CustomCodeNotSupported', pointer: '/host/operationId' },
  },
  {
    name: 'no host',
    fixture: 'pure-leads',
    inputs: { parameters: {} },
    error: { code: 'InvalidInputs', pointer: '/host' },
  },
  {
    name: 'parameters that are not an object',
    fixture: 'pure-leads',
    inputs: { host: { operationId: 'New-Lead-Submission' }, parameters: [] },
    error: { code: 'InvalidInputs', pointer: '/parameters' },
  },
  { name: 'an unknown operation', fixture: 'pure-leads', inputs: op('Nope'), error: { code: 'OperationNotFound' } },
  {
    name: 'a property path into a body that is not an object',
    fixture: 'pure-leads',
    inputs: op('New-Lead-Submission', { body: 'text', 'body/name': 'x' }),
    error: { code: 'InvalidParameterValue', pointer: '/parameters/body~1name' },
  },
];

function check(result: ReturnType<typeof buildOpenApiRequest>, c: Pick<Case, 'expected' | 'error'>) {
  if (c.error) {
    assert.equal(result.ok, false, JSON.stringify(result));
    if (result.ok) return;
    assert.equal(result.error.code, c.error.code, result.error.message);
    if (c.error.parameters) assert.deepEqual(result.error.parameters, c.error.parameters);
    if (c.error.pointer !== undefined) assert.equal(result.error.pointer, c.error.pointer);
    return;
  }
  assert.ok(result.ok, JSON.stringify(result));
  const { json, headers, ...rest } = c.expected ?? {};
  for (const [key, value] of Object.entries(rest))
    assert.deepEqual(result.value[key as keyof BuiltRequest], value, key);
  if (headers) {
    const got = Object.fromEntries(
      Object.entries(result.value.headers).filter(([k]) => k !== 'Content-Type' || 'Content-Type' in headers),
    );
    assert.deepEqual(got, headers);
  }
  if (json !== undefined) assert.deepEqual(JSON.parse(String(result.value.body)), json);
}

describe('buildOpenApiRequest', () => {
  for (const c of cases)
    it(c.name, () => {
      const connector = loadFixture(c.fixture);
      c.tweak?.(connector);
      check(buildOpenApiRequest(connector, c.inputs, c.connection ?? connections[c.fixture]), c);
    });

  it('builds a multipart body for a file parameter (Harness PDFx)', () => {
    const pdf = Buffer.from('%PDF-1.4 test');
    const result = buildOpenApiRequest(
      loadFixture('harness-pdfx'),
      op('post-pdf', { fileToProcess: { '$content-type': 'application/pdf', $content: pdf.toString('base64') } }),
      connections['harness-pdfx'],
    );
    assert.ok(result.ok);
    const type = result.value.headers['Content-Type'] ?? '';
    const boundary = /boundary=(.+)$/.exec(type)?.[1];
    assert.ok(type.startsWith('multipart/form-data; boundary=') && boundary);
    const text = Buffer.from(result.value.body as Uint8Array).toString('latin1');
    assert.equal(
      text,
      `--${boundary}\r\nContent-Disposition: form-data; name="fileToProcess"; filename="fileToProcess"\r\n` +
        `Content-Type: application/pdf\r\n\r\n%PDF-1.4 test\r\n--${boundary}--\r\n`,
    );
    assert.equal(result.value.url, 'https://api.harnessproperty.com/pdfx/v1/pdfs?Subscription-Key=HKEY');
  });
});

describe('buildApiConnectionRequest', () => {
  const apiCases: Case[] = [
    {
      name: 'path, queries and headers relative to the base URL, with the policies of the matched operation',
      fixture: 'wpforms',
      inputs: {
        host: { connection: { name: "@parameters('$connections')['wpforms']['connectionId']" } },
        method: 'get',
        path: '/resources/forms/12',
        queries: { fields: ['a', 'b'], x: 1 },
        headers: { 'X-Trace': 't' },
      },
      expected: {
        method: 'GET',
        url: 'https://shop.example.org/wp-json/wpforms-powerautomate/v1/resources/forms/12?fields=a&fields=b&x=1',
        headers: {
          'X-Trace': 't',
          'X-Secret-Key': 'SECRET',
          'X-Reenhanced-Product': 'power-automate-for-wpforms',
          'X-License-Authorization': 'LIC',
        },
      },
    },
    {
      name: 'a JSON body',
      fixture: 'pure-leads',
      inputs: { host: { connection: { name: 'c' } }, method: 'post', path: 'contacts', body: { email: 'e' } },
      expected: {
        url: 'https://pureleads.co/api/contacts',
        json: { email: 'e' },
        headers: { 'Content-Type': 'application/json', Authorization: 'PKEY' },
      },
    },
    {
      name: 'a path matching an operation an unsupported policy applies to',
      fixture: 'co2-signal',
      inputs: { host: { connection: { name: 'c' } }, method: 'GET', path: '/zones' },
      error: { code: 'UnsupportedPolicy' },
    },
    {
      name: 'a method that is not one',
      fixture: 'pure-leads',
      inputs: { method: 'g t', path: '/' },
      error: { code: 'InvalidInputs', pointer: '/method' },
    },
    {
      name: 'queries that are not an object',
      fixture: 'pure-leads',
      inputs: { method: 'get', path: '/', queries: 'a=1' },
      error: { code: 'InvalidInputs', pointer: '/queries' },
    },
  ];
  for (const c of apiCases)
    it(c.name, () => check(buildApiConnectionRequest(loadFixture(c.fixture), c.inputs, connections[c.fixture]), c));
});
