// Property-based fuzzing (fast-check, fixed seed, bounded runs) of what callers send: workflow
// definitions (validate and compile give coded errors only), trigger bodies and API query strings
// against the in-process server (no 500, no crash, every error body coded).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileWorkflow, DefinitionErrors, listActionTypes, validateDefinition } from '@flowbridge/engine';
import { testServer, type TestServer } from './test-support.js';

const SEED = 20261206;

const jsonValue = fc.jsonValue({ maxDepth: 4 });
const name = fc.oneof(fc.constantFrom('manual', 'A', 'B', 'Scope', ''), fc.string({ maxLength: 8 }));
const expression = fc.oneof(
  fc.constantFrom("@triggerBody()?['x']", "@outputs('A')", "@{variables('v')}", '@concat(', "@body('nope')", '@@x'),
  fc.string({ maxLength: 20 }).map((s) => `@${s}`),
);
const inputs = fc.oneof(
  jsonValue,
  expression,
  fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(jsonValue, expression)),
);
const runAfter = fc.dictionary(name, fc.array(fc.constantFrom('Succeeded', 'Failed', 'Skipped', 'TimedOut', 'x')));
const action = fc.record(
  {
    type: fc.oneof(fc.constantFrom(...listActionTypes()), fc.string({ maxLength: 8 })),
    inputs,
    runAfter,
    actions: fc.dictionary(name, fc.record({ type: fc.constantFrom('Compose', 'Wait', 'If'), inputs })),
    expression: fc.oneof(expression, jsonValue),
    foreach: expression,
  },
  { requiredKeys: ['type'] },
);
const trigger = fc.record(
  {
    type: fc.oneof(fc.constantFrom('Request', 'Recurrence', 'Http', 'manual'), fc.string({ maxLength: 8 })),
    kind: fc.constantFrom('Http', 'Button', 'x'),
    inputs,
    recurrence: fc.record({ frequency: fc.constantFrom('Minute', 'Day', 'x'), interval: jsonValue }),
    conditions: fc.array(fc.record({ expression })),
    splitOn: expression,
  },
  { requiredKeys: ['type'] },
);
const definition = fc.oneof(
  fc.record(
    {
      $schema: fc.string({ maxLength: 10 }),
      triggers: fc.dictionary(name, trigger, { maxKeys: 2 }),
      actions: fc.dictionary(name, action, { maxKeys: 4 }),
      parameters: fc.dictionary(
        name,
        fc.record({ type: fc.constantFrom('String', 'Int', 'Object', 'x'), defaultValue: jsonValue }),
      ),
      outputs: fc.dictionary(
        name,
        fc.record({ type: fc.constantFrom('String', 'x'), value: fc.oneof(jsonValue, expression) }),
      ),
    },
    { requiredKeys: [] },
  ),
  jsonValue,
);

describe('fuzz: definitions', () => {
  it('validateDefinition and compileWorkflow answer with coded errors only', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          definition,
          definition.map((d) => ({ definition: d })),
        ),
        (file) => {
          const errors = validateDefinition(file);
          for (const e of errors) assert.equal(typeof e.code, 'string', JSON.stringify(e));
          try {
            compileWorkflow(file);
          } catch (error) {
            assert.ok(error instanceof DefinitionErrors, `threw ${String(error)}`);
            assert.ok(error.errors.length > 0);
          }
        },
      ),
      { seed: SEED, numRuns: 1500 },
    );
  });
});

describe('fuzz: the server (in process)', () => {
  let t: TestServer;
  let flowId: string;
  let runId: string;
  let invoke: URL;
  before(async () => {
    t = await testServer();
    const flow = {
      name: 'fuzzed',
      definition: {
        triggers: { manual: { type: 'Request', kind: 'Http' } },
        actions: {
          Compose: { type: 'Compose', inputs: "@triggerBody()?['x']" },
          Text: { type: 'Compose', inputs: '@{triggerBody()}', runAfter: { Compose: ['Succeeded', 'Failed'] } },
        },
      },
    };
    const created = await t.server.app.inject({ method: 'POST', url: '/api/v1/flows', headers: t.auth, payload: flow });
    flowId = String(created.json().id);
    const listed = await t.server.app.inject({
      method: 'POST',
      url: `/api/v1/flows/${flowId}/triggers/manual/listCallbackUrl`,
      headers: t.auth,
    });
    invoke = new URL(String(listed.json().value));
    const fired = await t.server.app.inject({ method: 'POST', url: invoke.pathname + invoke.search });
    runId = String(fired.headers['x-ms-workflow-run-id']);
  });
  after(async () => {
    await t.dispose();
  });

  /** The answer is not a server error, and an error answer carries a code. */
  function assertCoded(
    res: { statusCode: number; body: string; headers: Record<string, unknown> },
    what: string,
  ): void {
    assert.ok(res.statusCode < 500, `${what}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    if (res.statusCode >= 400) {
      const body = JSON.parse(res.body) as { error?: { code?: unknown } };
      assert.equal(typeof body.error?.code, 'string', `${what}: ${res.body.slice(0, 300)}`);
    }
  }

  it('trigger bodies: any JSON, bytes or content type starts a run or is refused with a code', async () => {
    const body = fc.oneof(
      jsonValue.map((v) => ({ payload: JSON.stringify(v), type: 'application/json' })),
      fc.string({ maxLength: 60 }).map((s) => ({ payload: s, type: 'application/json' })),
      fc
        .tuple(
          fc.uint8Array({ maxLength: 60 }),
          fc.constantFrom(
            'application/octet-stream',
            'text/plain',
            'application/xml',
            'application/x-www-form-urlencoded',
            'application/vnd.x+json',
            'multipart/form-data; boundary=x',
            '',
          ),
        )
        .map(([bytes, type]) => ({ payload: Buffer.from(bytes), type })),
      fc.nat({ max: 3000 }).map((n) => ({ payload: '['.repeat(n) + ']'.repeat(n), type: 'application/json' })),
    );
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom('POST', 'PUT', 'GET'), async ({ payload, type }, method) => {
        const res = await t.server.app.inject({
          method: method as 'POST',
          url: invoke.pathname + invoke.search,
          ...(method === 'GET' ? {} : { payload }),
          headers: type ? { 'content-type': type } : {},
        });
        assertCoded(res, `${method} ${type}`);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('query strings: any parameters, repeated or not, on the routes that read them', async () => {
    const key = fc.oneof(
      fc.constantFrom(
        'status',
        'expand',
        'limit',
        'cursor',
        'flowId',
        'from',
        'to',
        'environmentId',
        'api-version',
        'sig',
        'sp',
        'sv',
      ),
      fc.string({ maxLength: 6 }),
    );
    const value = fc.oneof(
      fc.constantFrom(
        'Succeeded',
        'Running,Failed',
        'actions',
        '0',
        '-1',
        '1001',
        '10',
        'x',
        '',
        '2026-01-01T00:00:00Z',
        'eyJhIjoxfQ',
        '%',
        '%E0%A4%A',
      ),
      fc.string({ maxLength: 10 }),
    );
    const query = fc.array(fc.tuple(key, value), { maxLength: 5 });
    const route = fc.constantFrom(
      () => '/api/v1/runs',
      () => `/api/v1/runs/${runId}`,
      () => '/api/v1/flows',
      () => `/api/v1/flows/${flowId}`,
      () => `/api/v1/flows/${flowId}/triggers/manual/histories`,
      () => invoke.pathname,
    );
    await fc.assert(
      fc.asyncProperty(route, query, fc.boolean(), async (path, pairs, signed) => {
        const search = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${/%/.test(v) ? v : encodeURIComponent(v)}`);
        const base = path();
        const prefix = base === invoke.pathname && signed ? `${invoke.search.slice(1)}&` : '';
        const url = `${base}?${prefix}${search.join('&')}`;
        const res = await t.server.app.inject({
          method: base === invoke.pathname ? 'POST' : 'GET',
          url,
          headers: t.auth,
        });
        assertCoded(res, url);
      }),
      { seed: SEED, numRuns: 400 },
    );
  });
});
