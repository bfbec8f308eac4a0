// The OpenAPI document against a server wired as `flowbridge start` wires it (real auth, the
// approvals extension): every registered route is documented and every documented operation is
// registered; the document is structurally sound; the security it states is what the server
// enforces; and real answers have documented statuses and match the documented schemas.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateSchema } from '@flowbridge/engine';
import { createAuth } from '../auth/index.js';
import { approvalsExtension, desktopExtension } from '../runtime-config.js';
import { connectorsExtension } from '../connector-host/index.js';
import { createOutboundClient } from '../effects/index.js';
import { secretBox } from '../secrets/index.js';
import { openStore, type SqlStore } from '../store/index.js';
import { createServer, type FlowbridgeServer } from './test-support.js';

const ADMIN = 'openapi-test-admin-token-0123456789';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface OperationObject {
  operationId?: string;
  tags?: string[];
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  security?: Array<Record<string, string[]>>;
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema: unknown }> }>;
}
interface Doc {
  openapi: string;
  info: { title: string; version: string };
  security: Array<Record<string, string[]>>;
  tags: Array<{ name: string }>;
  paths: Record<string, Record<string, OperationObject>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, Record<string, unknown>> };
}

/** The server as cli/start.ts builds it: real auth, the approvals extension. */
async function flowbridgeServer(): Promise<{ server: FlowbridgeServer; store: SqlStore; dispose(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-openapi-'));
  const store = await openStore({ dataDir: dir });
  const auth = await createAuth({ store, adminToken: ADMIN });
  const server = await createServer({
    store,
    auth,
    pollMs: 50,
    extensions: [
      approvalsExtension({ auth, linkSecret: 'openapi-test-link-secret-0123456789' }),
      connectorsExtension({ auth, box: secretBox(Buffer.alloc(32, 7), 'env-key'), outbound: createOutboundClient() }),
      desktopExtension({ auth, callbackSecret: 'openapi-test-callback-secret', timing: { pollHoldMs: 100 } }),
    ],
  });
  await server.startBackground();
  return {
    server,
    store,
    dispose: async () => {
      await server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** fastify's `:param` and trailing `*` in OpenAPI's form. */
const openApiPath = (url: string): string => url.replace(/:(\w+)/g, '{$1}').replace(/\/\*$/, '/{relativePath}');

function operationsOf(doc: Doc): Array<{ method: string; path: string; op: OperationObject }> {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ method, path, op })),
  );
}

function resolvePointer(doc: unknown, ref: string): unknown {
  assert.ok(ref.startsWith('#/'), `only local $refs are expected: ${ref}`);
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/** Every `$ref` in `node` (with where it sits). */
function refsIn(node: unknown, at = '#'): Array<{ ref: string; at: string }> {
  if (Array.isArray(node)) return node.flatMap((x, i) => refsIn(x, `${at}/${i}`));
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([k, v]) =>
    k === '$ref' && typeof v === 'string' ? [{ ref: v, at }] : refsIn(v, `${at}/${k}`),
  );
}

/** The schema with its `$ref`s inlined (our schemas are not recursive), for the validator. */
function deref(doc: Doc, node: unknown): unknown {
  if (Array.isArray(node)) return node.map((x) => deref(doc, x));
  if (typeof node !== 'object' || node === null) return node;
  const { $ref, ...rest } = node as Record<string, unknown>;
  const inlined = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, deref(doc, v)]));
  if (typeof $ref !== 'string') return inlined;
  return { allOf: [deref(doc, resolvePointer(doc, $ref)), inlined] };
}

const schemaErrors = (doc: Doc, schema: unknown, value: unknown): string[] => validateSchema(deref(doc, schema), value);

describe('OpenAPI document of a server wired as flowbridge start', () => {
  let t: Awaited<ReturnType<typeof flowbridgeServer>>;
  let doc: Doc;
  before(async () => {
    t = await flowbridgeServer();
    await t.server.app.ready();
    const res = await t.server.app.inject({ url: '/api/v1/openapi.json' });
    assert.equal(res.statusCode, 200);
    doc = res.json();
  });
  after(async () => {
    await t.dispose();
  });

  /** `METHOD /path` of every registered route; the HEAD fastify adds to each GET is implied by it. */
  const registered = (withImpliedHead: boolean): Set<string> => {
    const routes = t.server.routes.map((r) => ({ method: r.method.toUpperCase(), path: openApiPath(r.url) }));
    const gets = new Set(routes.filter((r) => r.method === 'GET').map((r) => r.path));
    return new Set(
      routes
        .filter((r) => withImpliedHead || r.method !== 'HEAD' || !gets.has(r.path))
        .map((r) => `${r.method} ${r.path}`),
    );
  };
  const documented = (): Set<string> =>
    new Set(operationsOf(doc).map(({ method, path }) => `${method.toUpperCase()} ${path}`));

  it('documents every registered route with its method', () => {
    const routes = registered(false);
    // The wiring under test: core, auth (including the token endpoint) and approvals (API and pages).
    for (const expected of [
      'GET /healthz',
      'POST /api/v1/flows',
      'POST /oauth2/v2.0/token',
      'POST /api/v1/users',
      'PUT /api/v1/settings/automation',
      'POST /api/v1/approvals/{id}/respond',
      'GET /approvals/respond',
      'POST /api/v1/connectors',
    ])
      assert.ok(routes.has(expected), `${expected} is not registered: the server is not wired as flowbridge start`);
    const missing = [...routes].filter((r) => !documented().has(r));
    assert.deepEqual(missing, [], 'registered but not in openapi.json');
  });

  it('documents no route the server does not register', () => {
    const routes = registered(true);
    const stale = [...documented()].filter((d) => !routes.has(d));
    assert.deepEqual(stale, [], 'in openapi.json but not registered');
  });

  it('is structurally sound: operation ids, responses, tags, parameters, security, $refs', () => {
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.info.title && doc.info.version);
    const tags = new Set(doc.tags.map((x) => x.name));
    const schemes = doc.components.securitySchemes;
    const ids = new Map<string, string>();
    const checkSecurity = (requirements: Array<Record<string, string[]>>, where: string): void => {
      for (const req of requirements)
        for (const name of Object.keys(req)) assert.ok(schemes[name], `${where}: unknown security scheme ${name}`);
    };
    checkSecurity(doc.security, 'document');
    for (const { method, path, op } of operationsOf(doc)) {
      const where = `${method.toUpperCase()} ${path}`;
      assert.ok(op.operationId, `${where} has no operationId`);
      assert.equal(ids.get(op.operationId), undefined, `operationId ${op.operationId} is used twice`);
      ids.set(op.operationId, where);
      assert.ok(op.tags?.length && op.tags.every((x) => tags.has(x)), `${where}: tags must be declared`);
      const responses = Object.entries(op.responses ?? {});
      assert.ok(responses.length > 0, `${where} has no responses`);
      for (const [code, r] of responses) {
        assert.ok(/^([1-5]\d\d|default)$/.test(code), `${where}: response key ${code}`);
        assert.ok(r.description, `${where} ${code} has no description`);
      }
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
      assert.deepEqual(declared.map((p) => p.name).sort(), templated, `${where}: path parameters`);
      assert.ok(
        declared.every((p) => p.required),
        `${where}: path parameters are required`,
      );
      checkSecurity(op.security ?? [], where);
    }
    const oauth2 = schemes.oauth2 as { type: string; flows: { clientCredentials?: { tokenUrl: string } } };
    assert.equal(oauth2.type, 'oauth2');
    assert.equal(oauth2.flows.clientCredentials?.tokenUrl, '/oauth2/v2.0/token');
    assert.ok(doc.paths['/oauth2/v2.0/token']?.post, 'the tokenUrl is documented');
    assert.equal(schemes.bearer?.scheme, 'bearer');

    const refs = refsIn(doc);
    assert.ok(refs.length > 20, `only ${refs.length} $refs seen`);
    for (const { ref, at } of refs) assert.notEqual(resolvePointer(doc, ref), undefined, `${at}: ${ref} resolves`);
  });

  it('has schemas the validator compiles, and the error shape on every 4xx/5xx JSON answer', () => {
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      assert.doesNotThrow(() => schemaErrors(doc, schema, null), `components.schemas.${name} compiles`);
    }
    const apiError = { error: { code: 'NotFound', message: 'No such thing.', target: 'id' } };
    const oauthError = { error: 'invalid_client', error_description: 'Client authentication failed.' };
    let checked = 0;
    for (const { method, path, op } of operationsOf(doc)) {
      for (const [code, r] of Object.entries(op.responses ?? {})) {
        const json = r.content?.['application/json'];
        if (!/^[45]/.test(code) || !json) continue;
        checked++;
        const ok =
          schemaErrors(doc, json.schema, apiError).length === 0 ||
          (op.operationId === 'issueToken' && schemaErrors(doc, json.schema, oauthError).length === 0);
        assert.ok(ok, `${method.toUpperCase()} ${path} ${code}: not the error shape`);
      }
      for (const [media, body] of Object.entries(op.requestBody?.content ?? {}))
        assert.doesNotThrow(() => schemaErrors(doc, body.schema, {}), `${path} ${media} request schema compiles`);
    }
    assert.ok(checked > 50, `only ${checked} error responses seen`);
  });

  it('states the security the server enforces: bearer routes refuse a request without a token', async () => {
    for (const { method, path, op } of operationsOf(doc)) {
      const url = path.replace(/\{\w+\}/g, 'x');
      const res = await t.server.app.inject({ method: method.toUpperCase() as 'GET', url });
      const bearerRefused = res.statusCode === 401 && /^Bearer/i.test(String(res.headers['www-authenticate'] ?? ''));
      // `security: []`, or an alternative without a bearer token (`{}` or HTTP Basic), opens the route.
      const open =
        op.security !== undefined &&
        (op.security.length === 0 || op.security.some((req) => !('bearer' in req) && !('oauth2' in req)));
      assert.equal(
        bearerRefused,
        !open,
        `${method.toUpperCase()} ${path} answered ${res.statusCode} without a token; the document says ${
          open ? 'no bearer token is needed' : 'a bearer token is needed'
        }`,
      );
    }
  });

  describe('answers match the document', () => {
    const byId = (): Map<string, { method: string; path: string; op: OperationObject }> =>
      new Map(operationsOf(doc).map((o) => [o.op.operationId!, o]));

    /**
     * Calls the operation at `url` (which must fit its path template), asserts that the status is
     * documented and the JSON body matches the documented schema, and returns the answer.
     */
    async function call(
      operationId: string,
      url: string,
      options: { body?: unknown; form?: Record<string, string>; token?: string | null; method?: string } = {},
    ): Promise<{ status: number; body: any }> {
      const found = byId().get(operationId);
      assert.ok(found, `no operation ${operationId}`);
      const template = new RegExp(`^${found.path.replace(/[.]/g, '\\.').replace(/\{\w+\}/g, '[^?]+')}(\\?.*)?$`);
      assert.match(url.replace(/^https?:\/\/[^/]+/, ''), template, `${url} does not fit ${found.path}`);
      const token = options.token === undefined ? ADMIN : options.token;
      const res = await t.server.app.inject({
        method: (options.method ?? found.method).toUpperCase() as 'GET',
        url,
        headers: {
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
          ...(options.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(options.form
          ? { payload: new URLSearchParams(options.form).toString() }
          : options.body !== undefined
            ? { payload: options.body as object }
            : {}),
      });
      const documented = found.op.responses?.[String(res.statusCode)] ?? found.op.responses?.default;
      assert.ok(documented, `${operationId} answered ${res.statusCode}, which is not documented: ${res.body}`);
      const isJson = /^application\/json/.test(String(res.headers['content-type'] ?? ''));
      const body: unknown = isJson && res.body !== '' ? res.json() : res.body;
      const schema = documented.content?.['application/json']?.schema;
      if (isJson && schema !== undefined) {
        const errors = schemaErrors(doc, schema, body);
        assert.deepEqual(errors, [], `${operationId} ${res.statusCode}: ${JSON.stringify(body)}`);
      }
      return { status: res.statusCode, body };
    }

    it('meta, users, tokens, clients, the token endpoint and admin routes', async () => {
      assert.equal((await call('getHealth', '/healthz', { token: null })).status, 200);
      assert.equal((await call('getReadiness', '/readyz', { token: null })).status, 200);
      assert.equal((await call('getMetrics', '/metrics', { token: null })).status, 200);
      assert.equal((await call('getMe', '/api/v1/me')).status, 200);

      assert.equal(
        (await call('createEnvironment', '/api/v1/environments', { body: { name: 'Sales', id: 'sales' } })).status,
        201,
      );
      assert.equal(
        (await call('createEnvironment', '/api/v1/environments', { body: { name: 'Sales', id: 'sales' } })).status,
        409,
      );
      assert.equal((await call('listEnvironments', '/api/v1/environments')).status, 200);
      const settingsUrl = '/api/v1/environments/sales/settings';
      assert.equal((await call('setEnvironmentSettings', settingsUrl, { body: { Api_Url: 'https://x' } })).status, 200);
      assert.equal((await call('setEnvironmentSettings', settingsUrl, { body: { n: 1 } })).status, 400);
      assert.equal((await call('getEnvironmentSettings', settingsUrl)).status, 200);
      assert.equal((await call('getEnvironmentSettings', '/api/v1/environments/nope/settings')).status, 404);

      const user = await call('createUser', '/api/v1/users', { body: { email: 'ann@example.com', role: 'maker' } });
      assert.equal(user.status, 201);
      const userUrl = `/api/v1/users/${user.body.id}`;
      assert.equal((await call('createUser', '/api/v1/users', { body: {} })).status, 400);
      assert.equal((await call('createUser', '/api/v1/users', { body: {}, token: null })).status, 401);
      assert.equal((await call('getUser', userUrl)).status, 200);
      assert.equal((await call('getUser', '/api/v1/users/nobody')).status, 404);
      assert.equal((await call('updateUser', userUrl, { body: { displayName: 'Ann' } })).status, 200);
      assert.equal((await call('listUsers', '/api/v1/users')).status, 200);
      const pat = await call('createAccessToken', `${userUrl}/tokens`, { body: { name: 'laptop' } });
      assert.equal(pat.status, 201);
      assert.equal((await call('listAccessTokens', `${userUrl}/tokens`)).status, 200);
      assert.equal((await call('getMe', '/api/v1/me', { token: pat.body.token })).body.kind, 'user');
      assert.equal((await call('listUsers', '/api/v1/users', { token: pat.body.token })).status, 403);
      assert.equal((await call('revokeAccessToken', `${userUrl}/tokens/${pat.body.id}`)).status, 204);
      assert.equal((await call('revokeAccessToken', `${userUrl}/tokens/${pat.body.id}`)).status, 404);
      assert.equal((await call('setUserAutomation', `${userUrl}/automation`, { body: { enabled: true } })).status, 200);

      const client = await call('createClient', '/api/v1/clients', { body: { roles: ['operator'], name: 'ci' } });
      assert.equal(client.status, 201);
      const credentials = { client_id: client.body.client_id, client_secret: client.body.client_secret };
      const issued = await call('issueToken', '/oauth2/v2.0/token', {
        token: null,
        form: { grant_type: 'client_credentials', ...credentials },
      });
      assert.equal(issued.status, 200);
      assert.equal((await call('getMe', '/api/v1/me', { token: issued.body.access_token })).body.kind, 'client');
      const wrong = { grant_type: 'client_credentials', ...credentials, client_secret: 'wrong' };
      assert.equal((await call('issueToken', '/oauth2/v2.0/token', { token: null, form: wrong })).status, 401);
      const password = { grant_type: 'password' };
      assert.equal((await call('issueToken', '/oauth2/v2.0/token', { token: null, form: password })).status, 400);
      assert.equal((await call('listClients', '/api/v1/clients')).status, 200);
      assert.equal((await call('deleteClient', `/api/v1/clients/${client.body.client_id}`)).status, 204);
      assert.equal((await call('deleteClient', `/api/v1/clients/${client.body.client_id}`)).status, 404);

      assert.equal((await call('getAutomation', '/api/v1/settings/automation')).status, 200);
      assert.equal(
        (await call('setAutomation', '/api/v1/settings/automation', { body: { enabled: true } })).status,
        200,
      );
      assert.equal((await call('setAutomation', '/api/v1/settings/automation', { body: {} })).status, 400);
      assert.equal((await call('listAudit', '/api/v1/audit?limit=5')).status, 200);
      assert.equal((await call('listAudit', '/api/v1/audit?limit=0')).status, 400);
    });

    it('flows, triggers, runs and callbacks', async () => {
      const definition = {
        triggers: {
          manual: {
            type: 'Request',
            kind: 'Http',
            inputs: { schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } },
            operationOptions: 'EnableSchemaValidation',
          },
        },
        actions: {
          Response: { type: 'Response', inputs: { statusCode: 201, body: { hello: "@triggerBody()?['name']" } } },
        },
      };
      const created = await call('createFlow', '/api/v1/flows', { body: { name: 'echo', definition } });
      assert.equal(created.status, 201);
      const flowUrl = `/api/v1/flows/${created.body.id}`;
      assert.equal((await call('createFlow', '/api/v1/flows', { body: { name: 'bad', definition: 42 } })).status, 400);
      assert.equal((await call('getFlow', flowUrl)).status, 200);
      assert.equal((await call('saveFlow', flowUrl, { body: { definition, expectedVersion: 1 } })).status, 200);
      assert.equal((await call('saveFlow', flowUrl, { body: { definition, expectedVersion: 1 } })).status, 409);
      assert.equal((await call('listFlowVersions', `${flowUrl}/versions`)).status, 200);
      assert.equal((await call('getFlowVersion', `${flowUrl}/versions/1`)).status, 200);
      assert.equal((await call('getFlowVersion', `${flowUrl}/versions/9`)).status, 404);
      assert.equal((await call('getFlowVersion', `${flowUrl}/versions/first`)).status, 400);
      assert.equal((await call('listFlows', '/api/v1/flows')).status, 200);
      assert.equal((await call('listFlows', '/api/v1/flows?expand=trigger,lastRun')).status, 200);
      assert.equal((await call('disableFlow', `${flowUrl}/disable`)).status, 200);
      assert.equal((await call('enableFlow', `${flowUrl}/enable`)).status, 200);
      assert.equal((await call('regenerateAccessKey', `${flowUrl}/regenerateAccessKey`)).status, 200);

      const callback = await call('listCallbackUrl', `${flowUrl}/triggers/manual/listCallbackUrl`);
      assert.equal(callback.status, 200);
      const invokeUrl = String(callback.body.value);
      const answered = await call('invokeTriggerPost', invokeUrl, { token: null, body: { name: 'Ann' } });
      assert.equal(answered.status, 201);
      assert.equal((await call('invokeTriggerPost', invokeUrl, { token: null, body: { x: 1 } })).status, 400);
      const badSig = invokeUrl.replace(/sig=[^&]+/, 'sig=nope');
      assert.equal((await call('invokeTriggerPost', badSig, { token: null, body: {} })).status, 401);
      const withPath = invokeUrl.replace('/paths/invoke?', '/paths/invoke/a/b?');
      assert.equal(
        (await call('invokeTriggerWithPathPost', withPath, { token: null, body: { name: 'A' } })).status,
        404,
      );
      const manual = await call('runManualTrigger', `${flowUrl}/triggers/manual/run`, { body: { name: 'Bob' } });
      assert.equal(manual.status, 202);
      assert.equal((await call('listTriggerHistories', `${flowUrl}/triggers/manual/histories`)).status, 200);

      const runs = await call('listRuns', `/api/v1/runs?flowId=${created.body.id}`);
      assert.equal(runs.status, 200);
      assert.equal((await call('listRuns', '/api/v1/runs?limit=0')).status, 400);
      const first = runs.body.value.find((r: { status: string }) => r.status === 'Succeeded') ?? runs.body.value[0];
      assert.ok(first, 'a run exists');
      assert.equal((await call('getRun', `/api/v1/runs/${first.id}?expand=actions`)).status, 200);
      assert.equal((await call('getRun', `/api/v1/runs/${first.id}`)).status, 200);
      assert.equal((await call('resubmitRun', `/api/v1/runs/${first.id}/resubmit`)).status, 202);
      const cancel = await call('cancelRun', `/api/v1/runs/${first.id}/cancel`);
      assert.ok([202, 409].includes(cancel.status));
      assert.equal((await call('getRun', '/api/v1/runs/nope')).status, 404);

      const callbackUrl = `/api/v1/callbacks/${first.id}/bad-signature/${first.id}:key`;
      assert.equal((await call('deliverCallback', callbackUrl, { token: null, body: {} })).status, 401);

      assert.equal((await call('deleteFlow', flowUrl)).status, 204);
      assert.equal((await call('getFlow', flowUrl)).status, 404);
      assert.equal((await call('getOpenApiDocument', '/api/v1/openapi.json', { token: null })).status, 200);
    });

    it('templates, and the flows list by trigger', async () => {
      const definition = { triggers: { manual: { type: 'Request', kind: 'Http' } }, actions: {} };
      const made = await call('createTemplate', '/api/v1/templates', {
        body: { name: 'Tpl', description: 'd', definition, tags: ['x'] },
      });
      assert.equal(made.status, 201);
      const url = `/api/v1/templates/${made.body.id}`;
      assert.equal(
        (await call('createTemplate', '/api/v1/templates', { body: { name: 'Tpl', definition } })).status,
        409,
      );
      assert.equal(
        (await call('createTemplate', '/api/v1/templates', { body: { name: 'B', definition: 1 } })).status,
        400,
      );
      assert.equal((await call('listTemplates', '/api/v1/templates?tag=x&connector=c')).status, 200);
      assert.equal((await call('getTemplate', url)).status, 200);
      assert.equal((await call('saveTemplate', url, { body: { name: 'Tpl', definition } })).status, 200);
      const flow = await call('instantiateTemplate', `${url}/instantiate`, { body: { name: 'From tpl' } });
      assert.equal(flow.status, 201);
      assert.equal((await call('instantiateTemplate', `${url}/instantiate`, { body: {} })).status, 400);
      assert.equal((await call('listFlows', '/api/v1/flows?connector=c&triggerOperation=o')).status, 200);
      assert.equal((await call('listFlows', '/api/v1/flows?connector=')).status, 400);
      assert.equal((await call('deleteTemplate', url)).status, 204);
      assert.equal((await call('getTemplate', url)).status, 404);
    });

    it('desktop flows, machines, the agent protocol and the Dataverse routes', async () => {
      const group = await call('createMachineGroup', '/api/v1/machine-groups', { body: { name: 'Robots' } });
      assert.equal(group.status, 201);
      assert.equal(
        (await call('createMachineGroup', '/api/v1/machine-groups', { body: { name: 'Robots' } })).status,
        409,
      );
      assert.equal((await call('listMachineGroups', '/api/v1/machine-groups')).status, 200);
      const groupUrl = `/api/v1/machine-groups/${group.body.id}`;
      const rotated = await call('rotateMachineGroupKey', `${groupUrl}/rotateKey`);
      assert.equal(rotated.status, 200);
      const flow = await call('createDesktopFlow', '/api/v1/desktop-flows', {
        body: { name: 'echo', language: 'bash', script: 'echo', inputs: { type: 'object', required: ['x'] } },
      });
      assert.equal(flow.status, 201);
      const flowUrl = `/api/v1/desktop-flows/${flow.body.id}`;
      assert.equal((await call('createDesktopFlow', '/api/v1/desktop-flows', { body: { name: 'x' } })).status, 400);
      assert.equal((await call('listDesktopFlows', '/api/v1/desktop-flows')).status, 200);
      assert.equal((await call('getDesktopFlow', flowUrl)).status, 200);
      assert.equal((await call('getDesktopFlow', '/api/v1/desktop-flows/nope')).status, 404);
      assert.equal(
        (await call('saveDesktopFlow', flowUrl, { body: { script: 'echo 2', expectedVersion: 1 } })).status,
        200,
      );
      assert.equal((await call('saveDesktopFlow', flowUrl, { body: { expectedVersion: 1 } })).status, 409);
      assert.equal((await call('listDesktopFlowVersions', `${flowUrl}/versions`)).status, 200);
      assert.equal(
        (await call('getDesktopFlowCallbackSigningKey', '/api/v1/desktop-flows/callback-signing-key')).status,
        200,
      );
      const run = { machineGroupId: group.body.id, inputs: { x: 1 } };
      assert.equal((await call('runDesktopFlow', `${flowUrl}/run`, { body: { ...run, inputs: {} } })).status, 400);
      const session = await call('runDesktopFlow', `${flowUrl}/run`, { body: run });
      assert.equal(session.status, 202);
      const sessionUrl = `/api/v1/desktop-flow-sessions/${session.body.id}`;
      assert.equal((await call('listDesktopFlowSessions', '/api/v1/desktop-flow-sessions?limit=5')).status, 200);
      assert.equal((await call('listDesktopFlowSessions', '/api/v1/desktop-flow-sessions?limit=0')).status, 400);
      assert.equal((await call('getDesktopFlowSession', sessionUrl)).status, 200);

      const registered = await call('registerAgent', '/api/agent/v1/register', {
        token: null,
        body: { registrationKey: rotated.body.registrationKey, name: 'm1' },
      });
      assert.equal(registered.status, 201);
      const wrongKey = { registrationKey: group.body.registrationKey, name: 'm2' };
      assert.equal(
        (await call('registerAgent', '/api/agent/v1/register', { token: null, body: wrongKey })).status,
        401,
      );
      const machine = { token: registered.body.credential as string };
      const polled = await call('pollAgent', '/api/agent/v1/poll', { ...machine, body: { running: [] } });
      assert.equal(polled.body.offer.sessionId, session.body.id);
      assert.equal((await call('pollAgent', '/api/agent/v1/poll', { token: 'fbm_nope', body: {} })).status, 401);
      const started = await call('startAgentSession', `/api/agent/v1/sessions/${session.body.id}/start`, machine);
      assert.equal(started.status, 200);
      assert.equal(
        (await call('startAgentSession', `/api/agent/v1/sessions/${session.body.id}/start`, machine)).status,
        409,
      );
      const logUrl = `/api/agent/v1/sessions/${session.body.id}/log`;
      assert.equal((await call('appendAgentSessionLog', logUrl, { ...machine, body: { text: 'hi\n' } })).status, 204);
      assert.equal((await call('getDesktopFlowSessionLog', `${sessionUrl}/log`)).status, 200);
      const resultUrl = `/api/agent/v1/sessions/${session.body.id}/result`;
      assert.equal(
        (await call('reportAgentSessionResult', resultUrl, { ...machine, body: { status: 'Done' } })).status,
        400,
      );
      const reported = await call('reportAgentSessionResult', resultUrl, { ...machine, body: { status: 'Succeeded' } });
      assert.deepEqual(reported.body, { accepted: true, statuscode: 4 });
      assert.equal((await call('cancelDesktopFlowSession', `${sessionUrl}/cancel`)).status, 200);

      assert.equal((await call('listMachines', '/api/v1/machines')).status, 200);
      const machineUrl = `/api/v1/machines/${registered.body.machineId}`;
      assert.equal((await call('getMachine', machineUrl)).status, 200);

      const dv = '/api/data/v9.2';
      assert.equal(
        (await call('dataverseGet', `${dv}/workflows?$filter=category eq 6&$select=name,workflowid`)).status,
        200,
      );
      assert.equal((await call('dataverseGet', `${dv}/workflows?$select=nothing`)).status, 400);
      assert.equal(
        (await call('dataverseGet', `${dv}/flowsessions(${session.body.id})?$select=statuscode`)).status,
        200,
      );
      assert.equal(
        (await call('dataverseGet', `${dv}/flowsessions(00000000-0000-0000-0000-000000000000)`)).status,
        404,
      );
      const start = {
        runMode: 'unattended',
        connectionName: 'Robots',
        connectionType: '1',
        timeout: null,
        inputs: '{"x":2}',
      };
      const started2 = await call(
        'dataversePost',
        `${dv}/workflows(${flow.body.id})/Microsoft.Dynamics.CRM.RunDesktopFlow`,
        {
          body: start,
        },
      );
      assert.equal(started2.status, 200);
      const cancelled = await call(
        'dataversePost',
        `${dv}/flowsessions(${started2.body.flowsessionId})/Microsoft.Dynamics.CRM.CancelDesktopFlowRun`,
      );
      assert.equal(cancelled.status, 204);
      assert.equal((await call('removeMachine', machineUrl)).status, 204);
      assert.equal((await call('removeMachine', machineUrl)).status, 404);
      assert.equal((await call('deleteDesktopFlow', flowUrl)).status, 204);
    });

    it('approvals and the one-click pages', async () => {
      assert.equal((await call('listApprovals', '/api/v1/approvals?filter=sent')).status, 200);
      assert.equal((await call('listApprovals', '/api/v1/approvals?filter=all')).status, 400);
      assert.equal((await call('getApproval', '/api/v1/approvals/nope')).status, 404);
      const respond = { body: { response: 'Approve' } };
      assert.equal((await call('respondToApproval', '/api/v1/approvals/nope/respond', respond)).status, 404);
      assert.equal((await call('cancelApproval', '/api/v1/approvals/nope/cancel')).status, 404);
      const page = await call('showApprovalResponsePage', '/approvals/respond?token=forged', { token: null });
      assert.equal(page.status, 400);
      assert.match(String(page.body), /<html/);
      const form = { token: 'forged', comments: '' };
      assert.equal((await call('submitApprovalResponsePage', '/approvals/respond', { token: null, form })).status, 400);
    });
  });
});
