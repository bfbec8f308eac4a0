// The SDK's typed client against a real Flowbridge server (in this process, over HTTP): create a
// flow, list it, run it and read the run; templates and the trigger query; OAuth client
// credentials: one token reused, renewed before it expires and once on a 401.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFlowbridgeClient, FlowbridgeAuthError, triggerQuery, type FlowbridgeClient } from '@flowbridge/sdk';
import { createAuth } from '../packages/server/src/auth/index.js';
import { createServer, type FlowbridgeServer } from '../packages/server/src/http/test-support.js';
import { openStore, type SqlStore } from '../packages/server/src/store/index.js';

const ADMIN = 'sdk-client-test-admin-token-0123456789';
const HOUR = 3600_000;

const echo = {
  triggers: {
    manual: { type: 'Request', kind: 'Http', inputs: { schema: { type: 'object' } } },
  },
  actions: {
    Compose: { type: 'Compose', inputs: "@concat('hello ', triggerBody()?['name'])" },
  },
};

describe('the typed client against a server', () => {
  let dir: string;
  let store: SqlStore;
  let server: FlowbridgeServer;
  let baseUrl: string;
  let serverNow = Date.now();
  let admin: FlowbridgeClient;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flowbridge-sdk-'));
    store = await openStore({ dataDir: dir });
    const auth = await createAuth({ store, adminToken: ADMIN, now: () => serverNow, tokenLifetimeSeconds: 3600 });
    server = await createServer({ store, auth, pollMs: 50 });
    baseUrl = await server.app.listen({ port: 0, host: '127.0.0.1' });
    server.setBaseUrl(baseUrl);
    await server.startBackground();
    admin = createFlowbridgeClient({ baseUrl, token: ADMIN });
  });
  after(async () => {
    await server.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates, lists and runs a flow, and reads the run', async () => {
    const created = await admin.POST('/api/v1/flows', { body: { name: 'echo', definition: echo } });
    assert.equal(created.response.status, 201, JSON.stringify(created.error));
    const flow = created.data!;
    assert.equal(flow.state, 'Enabled');
    const listed = await admin.GET('/api/v1/flows');
    assert.deepEqual(
      listed.data?.value.map((f) => f.id),
      [flow.id],
    );
    const ran = await admin.POST('/api/v1/flows/{id}/triggers/{name}/run', {
      params: { path: { id: flow.id, name: 'manual' } },
      body: { name: 'Ada' },
    });
    assert.equal(ran.response.status, 202);
    const runId = ran.data!.runId!;
    let run;
    for (let i = 0; i < 200; i++) {
      run = (await admin.GET('/api/v1/runs/{id}', { params: { path: { id: runId }, query: { expand: 'actions' } } }))
        .data;
      if (run?.status === 'Succeeded') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(run?.status, 'Succeeded');
    assert.equal((run as { actions?: Record<string, { outputs?: unknown }> }).actions?.Compose?.outputs, 'hello Ada');

    const missing = await admin.GET('/api/v1/flows/{id}', { params: { path: { id: 'nope' } } });
    assert.equal(missing.response.status, 404);
    assert.equal(missing.error?.error.code, 'NotFound');
  });

  it('instantiates a template and lists flows by trigger', async () => {
    const template = await admin.POST('/api/v1/templates', {
      body: { name: 'Echo template', description: 'Echoes', definition: echo, tags: ['demo'] },
    });
    assert.equal(template.response.status, 201, JSON.stringify(template.error));
    const flow = await admin.POST('/api/v1/templates/{id}/instantiate', {
      params: { path: { id: template.data!.id } },
      body: { name: 'From template' },
    });
    assert.equal(flow.response.status, 201, JSON.stringify(flow.error));
    assert.equal(flow.data?.name, 'From template');
    const byTag = await admin.GET('/api/v1/templates', { params: { query: { tag: 'demo' } } });
    assert.deepEqual(
      byTag.data?.value.map((t) => t.name),
      ['Echo template'],
    );
    // A Request trigger uses no connector: the trigger query finds none of them.
    const none = await admin.GET('/api/v1/flows', {
      params: { query: triggerQuery({ connector: 'shared_crm', parameters: { entity: 'lead' } }) },
    });
    assert.equal(none.response.status, 200);
    assert.deepEqual(none.data?.value, []);
    assert.deepEqual(triggerQuery({ operation: 'OnCreated', parameters: { 'body/entity': 'lead' } }), {
      triggerOperation: 'OnCreated',
      'triggerParameter.body/entity': 'lead',
    });
  });

  it('client credentials: one token reused, renewed before expiry and once on a 401', async () => {
    const made = await admin.POST('/api/v1/clients', { body: { roles: ['maker'], name: 'crm' } });
    assert.equal(made.response.status, 201, JSON.stringify(made.error));
    const { client_id: clientId, client_secret: clientSecret } = made.data as {
      client_id: string;
      client_secret: string;
    };
    const tokenRequests: string[] = [];
    const counting = (async (input: Request | string | URL, init?: RequestInit) => {
      const url = typeof input === 'string' || input instanceof URL ? String(input) : input.url;
      if (url.endsWith('/oauth2/v2.0/token')) tokenRequests.push(url);
      return fetch(input, init);
    }) as typeof fetch;
    let clientNow = serverNow;
    const fb = createFlowbridgeClient({
      baseUrl,
      clientCredentials: { clientId, clientSecret },
      fetch: counting,
      now: () => clientNow,
    });
    const listFlows = async () => (await fb.GET('/api/v1/flows')).response.status;

    assert.deepEqual(await Promise.all([listFlows(), listFlows()]), [200, 200]);
    assert.equal(await listFlows(), 200);
    assert.equal(tokenRequests.length, 1, 'one token for concurrent and later calls');
    assert.deepEqual(tokenRequests, [`${baseUrl}/oauth2/v2.0/token`]);

    clientNow += HOUR - 30_000; // within the last minute of its hour: renewed before it is used
    serverNow += HOUR - 30_000;
    assert.equal(await listFlows(), 200);
    assert.equal(tokenRequests.length, 2);

    serverNow += 2 * HOUR; // the server's clock runs ahead: it answers 401, the client renews once
    assert.equal(await listFlows(), 200);
    assert.equal(tokenRequests.length, 3);
    assert.equal(await listFlows(), 200);
    assert.equal(tokenRequests.length, 3, 'the renewed token is reused');

    const wrong = createFlowbridgeClient({ baseUrl, clientCredentials: { clientId, clientSecret: 'wrong' } });
    await assert.rejects(wrong.GET('/api/v1/flows'), (e: unknown) => {
      assert.ok(e instanceof FlowbridgeAuthError);
      assert.deepEqual([e.code, e.status], ['invalid_client', 401]);
      return true;
    });
  });
});
