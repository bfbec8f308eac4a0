// Templates are scoped to environments and guarded as flows are: flows.read to list, read and
// instantiate from; flows.write to create, change and delete them, and in the environment the flow
// is made in. Through the real routes with real auth (OAuth clients with roles in one environment).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuth } from '../auth/index.js';
import { openStore, type SqlStore } from '../store/index.js';
import { createServer, type FlowbridgeServer } from './test-support.js';

const ADMIN = 'templates-access-admin-token-0123456789';
const definition = { triggers: { manual: { type: 'Request', kind: 'Http' } }, actions: {} };

describe('templates: environments and permissions', () => {
  let dir: string;
  let store: SqlStore;
  let server: FlowbridgeServer;
  const call = async (token: string, method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) => {
    const res = await server.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
    return { status: res.statusCode, body: res.body ? res.json() : undefined };
  };
  /** A bearer token of a new OAuth client with `role` in `environmentId`. */
  const clientToken = async (role: string, environmentId: string): Promise<string> => {
    const made = await call(ADMIN, 'POST', '/api/v1/clients', { roles: [role], environmentId });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const token = await server.app.inject({
      method: 'POST',
      url: '/oauth2/v2.0/token',
      payload: {
        grant_type: 'client_credentials',
        client_id: made.body.client_id,
        client_secret: made.body.client_secret,
      },
    });
    return token.json().access_token as string;
  };

  let operator = '';
  let salesMaker = '';
  let defaultId = '';
  let salesId = '';
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flowbridge-templates-'));
    store = await openStore({ dataDir: dir });
    const auth = await createAuth({ store, adminToken: ADMIN });
    server = await createServer({ store, auth, pollMs: 50 });
    await server.startBackground();
    assert.equal((await call(ADMIN, 'POST', '/api/v1/environments', { id: 'sales', name: 'Sales' })).status, 201);
    defaultId = (await call(ADMIN, 'POST', '/api/v1/templates', { name: 'Default tpl', definition })).body.id;
    salesId = (
      await call(ADMIN, 'POST', '/api/v1/templates', { name: 'Sales tpl', definition, environmentId: 'sales' })
    ).body.id;
    operator = await clientToken('operator', 'default');
    salesMaker = await clientToken('maker', 'sales');
  });
  after(async () => {
    await server.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists and reads only the templates of environments the caller may read', async () => {
    const names = async (token: string) =>
      (await call(token, 'GET', '/api/v1/templates')).body.value.map((t: { name: string }) => t.name);
    assert.deepEqual(await names(operator), ['Default tpl']);
    assert.deepEqual(await names(salesMaker), ['Sales tpl']);
    assert.deepEqual(await names(ADMIN), ['Default tpl', 'Sales tpl']);
    assert.equal((await call(operator, 'GET', `/api/v1/templates/${defaultId}`)).status, 200);
    assert.equal((await call(operator, 'GET', `/api/v1/templates/${salesId}`)).status, 403);
  });

  it('needs flows.write to create, delete and instantiate, in the environment of the flow', async () => {
    const refused = async (token: string, method: 'POST' | 'DELETE', url: string, body?: unknown) => {
      const res = await call(token, method, url, body);
      assert.deepEqual([res.status, res.body?.error?.code], [403, 'Forbidden'], `${method} ${url}`);
    };
    await refused(operator, 'POST', '/api/v1/templates', { name: 'Mine', definition });
    await refused(operator, 'DELETE', `/api/v1/templates/${defaultId}`);
    await refused(operator, 'POST', `/api/v1/templates/${defaultId}/instantiate`, { name: 'f' });
    await refused(salesMaker, 'POST', `/api/v1/templates/${defaultId}/instantiate`, { name: 'f' });
    await refused(salesMaker, 'POST', `/api/v1/templates/${salesId}/instantiate`, {
      name: 'f',
      environmentId: 'default',
    });
    const made = await call(salesMaker, 'POST', `/api/v1/templates/${salesId}/instantiate`, { name: 'Sales flow' });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.equal(made.body.environmentId, 'sales');
    const mine = await call(salesMaker, 'POST', '/api/v1/templates', {
      name: 'Sales tpl 2',
      definition,
      environmentId: 'sales',
    });
    assert.equal(mine.status, 201);
    assert.equal(mine.body.environmentId, 'sales');
    // The admin instantiates a sales template into the default environment.
    const moved = await call(ADMIN, 'POST', `/api/v1/templates/${salesId}/instantiate`, {
      name: 'Moved',
      environmentId: 'default',
    });
    assert.equal(moved.body.environmentId, 'default');
    const audit = await call(ADMIN, 'GET', '/api/v1/audit');
    const actions = audit.body.value.map((e: { action: string }) => e.action);
    for (const action of ['template.create', 'template.instantiate', 'flow.create'])
      assert.ok(actions.includes(action));
  });
});
