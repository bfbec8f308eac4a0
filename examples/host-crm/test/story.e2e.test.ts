// The host kit's story end to end, with `flowbridge start` (the built bin: `npm run build` first)
// and the CRM as separate processes talking HTTP: the CRM connects itself and registers its
// templates; a template becomes a flow with a connection; a request created on the CRM's pages
// starts a run whose Get record calls back into the CRM and whose approval, once approved through
// Flowbridge's API, settles the request (a signed callback); an instant flow runs on a customer;
// subscriptions survive a restart of the CRM; a delivery Flowbridge refuses is tried again, also
// by the CRM started again after it was killed while waiting to retry.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_KEY_HEADER } from '../src/connector.js';
import {
  flakyProxy,
  jsonClient,
  page,
  postForm,
  startCrm,
  startFlowbridge,
  until,
  type FlakyProxy,
  type Json,
  type Proc,
} from './test-support.js';

const ADMIN = 'host-crm-e2e-admin-token-0123456789';
const SIGNING = 'host-crm-e2e-signing-secret-0123456789';
const API_KEY = 'host-crm-e2e-connector-key-0123456789';
const APPROVER = 'ann@example.com';

describe('host-crm with flowbridge start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'host-crm-e2e-'));
  const dataFile = join(dir, 'crm.db');
  let proxy: FlakyProxy;
  let fb: Proc;
  let crm: Proc;
  let api: ReturnType<typeof jsonClient>;
  let ann: ReturnType<typeof jsonClient>;
  let connector: ReturnType<typeof jsonClient>;
  const crmEnv = (port: number): Record<string, string> => ({
    CRM_PORT: String(port),
    CRM_DATA_FILE: dataFile,
    FLOWBRIDGE_URL: fb.url,
    FLOWBRIDGE_TOKEN: ADMIN,
    CRM_API_KEY: API_KEY,
    CRM_SIGNING_SECRET: SIGNING,
  });
  const flows: Record<string, string> = {};
  let customerId = 0;

  before(async () => {
    // Trigger callback URLs are built on the public URL: deliveries from the CRM go through the proxy.
    proxy = await flakyProxy();
    fb = await startFlowbridge(join(dir, 'flowbridge'), {
      FLOWBRIDGE_ADMIN_TOKEN: ADMIN,
      FLOWBRIDGE_PUBLIC_URL: proxy.url,
      FLOWBRIDGE_HOST_SIGNING_SECRET: SIGNING,
    });
    proxy.upstream = fb.url;
    api = jsonClient(fb.url, { authorization: `Bearer ${ADMIN}` });
    const user = await api('POST', '/api/v1/users', { email: APPROVER, displayName: 'Ann', role: 'user' });
    assert.equal(user.status, 201, JSON.stringify(user.body));
    const token = await api('POST', `/api/v1/users/${user.body.id}/tokens`, {});
    assert.equal(token.status, 201, JSON.stringify(token.body));
    ann = jsonClient(fb.url, { authorization: `Bearer ${token.body.token}` });
    crm = await startCrm(crmEnv(0));
    connector = jsonClient(`${crm.url}/connector`, { [API_KEY_HEADER]: API_KEY });
  });
  after(async () => {
    await crm?.stop();
    await fb?.stop();
    await proxy?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const runsOf = async (flowId: string): Promise<Json[]> =>
    (await api('GET', `/api/v1/runs?flowId=${flowId}`)).body.value;
  const record = async (table: string, id: number | string): Promise<Json> =>
    (await connector('GET', `/records/${table}/${id}`)).body;
  /** The flow's runs; a failed one fails the test at once, with its actions. */
  const runsOk = async (flowId: string): Promise<Json[]> => {
    const runs = await runsOf(flowId);
    const failed = runs.find((r) => r.status === 'Failed');
    if (failed)
      assert.fail(`run failed: ${JSON.stringify((await api('GET', `/api/v1/runs/${failed.id}?expand=actions`)).body)}`);
    return runs;
  };
  const succeededRuns = async (flowId: string, count: number): Promise<Json[] | undefined> => {
    const runs = await runsOk(flowId);
    const done = runs.filter((r) => r.status === 'Succeeded');
    return done.length >= count ? done : undefined;
  };

  it('connects from its setup page: connector, connection and templates in Flowbridge', async () => {
    const connected = await postForm(crm.url, '/setup/connect');
    assert.equal(connected.status, 303);
    assert.equal(connected.error, null, connected.error ?? '');
    const imported = await api('GET', '/api/v1/connectors/shared_hostcrm');
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    const ops = [...imported.body.operations, ...imported.body.triggers].map((o: Json) => o.operationId ?? o);
    for (const op of ['GetRecord', 'UpdateRecord', 'AddNote', 'WhenRecordCreated', 'ForSelectedRecord']) {
      assert.ok(JSON.stringify(ops).includes(op), `${op} in ${JSON.stringify(ops)}`);
    }
    const connection = await api('GET', '/api/v1/connections/host-crm');
    assert.equal(connection.body.status, 'Connected');
    assert.ok(!JSON.stringify(connection.body).includes(API_KEY), 'the key is not shown');
    const templates = (await api('GET', '/api/v1/templates')).body.value.map((t: Json) => t.name).sort();
    assert.deepEqual(templates, ['Approve discount requests', 'Mark a customer as VIP', 'Thank large orders']);
    // Connecting again updates rather than duplicates.
    assert.equal((await postForm(crm.url, '/setup/connect')).error, null);
    assert.equal((await api('GET', '/api/v1/templates')).body.value.length, 3);
    const setup = await page(crm.url, '/setup');
    assert.match(setup, /Approve discount requests/);
  });

  it('creates flows from templates with the typed client; they subscribe to the CRM', async () => {
    const templates: Json[] = (await api('GET', '/api/v1/templates')).body.value;
    for (const t of templates) {
      const made = await postForm(crm.url, `/setup/templates/${t.id}/instantiate`, {
        name: t.name,
        ...(t.name.startsWith('Approve') ? { 'param.approver': APPROVER } : {}),
      });
      assert.equal(made.error, null, made.error ?? '');
      const flowId = made.created!.replace('flows/', '');
      const flow = await api('GET', `/api/v1/flows/${flowId}`);
      assert.equal(flow.body.state, 'Enabled', JSON.stringify(flow.body));
      flows[t.name] = flowId;
    }
    const listed = await api(
      'GET',
      '/api/v1/flows?connector=shared_hostcrm&triggerOperation=WhenRecordCreated&triggerParameter.table=requests',
    );
    assert.deepEqual(
      listed.body.value.map((f: Json) => f.id),
      [flows['Approve discount requests']],
    );
  });

  it('a request created on its page runs the flow: Get record calls the CRM, the approval settles the request', async () => {
    const customer = await postForm(crm.url, '/customers', {
      name: 'Ada Lovelace',
      company: 'Analytical Engines',
      status: 'active',
    });
    customerId = Number(customer.created!.split('/')[1]);
    const made = await postForm(crm.url, '/requests', {
      customerId,
      kind: 'discount',
      percent: 15,
      reason: 'loyal for years',
    });
    assert.equal(made.error, null, made.error ?? '');
    const requestId = Number(made.created!.split('/')[1]);
    const flowId = flows['Approve discount requests']!;

    const approval = await until('the approval', async () => {
      await runsOk(flowId);
      const pending = await ann('GET', '/api/v1/approvals?filter=received&status=pending');
      return pending.body.value?.[0];
    });
    assert.equal(approval.title, '15% discount for Ada Lovelace');
    const [run] = await runsOf(flowId);
    const detail = (await api('GET', `/api/v1/runs/${run.id}?expand=actions`)).body;
    assert.equal(detail.actions.Get_request.status, 'Succeeded');
    assert.equal(detail.actions.Get_request.outputs.body.reason, 'loyal for years', 'the action read the CRM');
    assert.equal(detail.actions.Get_customer.outputs.body.name, 'Ada Lovelace');
    assert.equal((await record('requests', requestId)).status, 'pending');

    const answered = await ann('POST', `/api/v1/approvals/${approval.id}/respond`, {
      response: 'Approve',
      comments: 'ok',
    });
    assert.equal(answered.status, 200, JSON.stringify(answered.body));
    const settled = await until('the request settled', async () => {
      const r = await record('requests', requestId);
      return r.status === 'pending' ? undefined : r;
    });
    assert.equal(settled.status, 'approved');
    assert.equal(settled.approvalId, approval.id);
    assert.equal(settled.decidedBy, APPROVER);
    await until('the run to succeed', () => succeededRuns(flowId, 1));
    assert.match(await page(crm.url, `/customers/${customerId}`), new RegExp(`Request #${requestId}: Approve`));

    // A callback not signed with the shared secret changes nothing.
    const forged = await fetch(`${crm.url}/hooks/requests/${requestId}/approval`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-flowbridge-timestamp': String(Date.now()),
        'x-flowbridge-signature': `sha256=${'0'.repeat(64)}`,
      },
      body: JSON.stringify({ approvalId: 'forged', outcome: 'Reject' }),
    });
    assert.equal(forged.status, 401);
    assert.equal((await record('requests', requestId)).status, 'approved');
  });

  it('an instant flow runs on a customer chosen on its page', async () => {
    const flowId = flows['Mark a customer as VIP']!;
    const before = await page(crm.url, `/customers/${customerId}`);
    assert.ok(before.includes(`value="${flowId}"`), 'the page lists the instant flow');
    assert.ok(!before.includes(`value="${flows['Thank large orders']}"`), 'and only instant flows');
    const ran = await postForm(crm.url, `/customers/${customerId}/run`, { flowId });
    assert.equal(ran.error, null, ran.error ?? '');
    await until('the run to succeed', () => succeededRuns(flowId, 1));
    assert.equal((await record('customers', customerId)).status, 'vip');
    assert.match(await page(crm.url, `/customers/${customerId}`), /Marked as VIP \(was active\)/);
  });

  it('subscriptions survive a restart of the CRM (SQLite store)', async () => {
    const port = Number(new URL(crm.url).port);
    await crm.stop();
    crm = await startCrm(crmEnv(port));
    const order = await postForm(crm.url, '/orders', { customerId, amount: 2500, description: 'Difference engine' });
    const orderId = order.created!.split('/')[1];
    await until('the run to succeed', () => succeededRuns(flows['Thank large orders']!, 1));
    assert.match(await page(crm.url, `/customers/${customerId}`), new RegExp(`Large order #${orderId} \\(2500\\)`));
  });

  it('a delivery Flowbridge refuses (503) is tried again: one event, one run', async () => {
    const flowId = flows['Thank large orders']!;
    const seenBefore = proxy.seen.filter((s) => s.startsWith('POST /api/v1/workflows/')).length;
    proxy.failNext('/api/v1/workflows/', 2);
    const order = await postForm(crm.url, '/orders', { customerId, amount: 1800, description: 'Analytical engine' });
    const orderId = order.created!.split('/')[1];
    await until('the second run to succeed', () => succeededRuns(flowId, 2));
    const posts = proxy.seen.filter((s) => s.startsWith('POST /api/v1/workflows/')).length - seenBefore;
    assert.equal(posts, 3, 'two refused, the third accepted');
    assert.equal((await runsOf(flowId)).length, 2, 'one run for the event');
    assert.match(await page(crm.url, `/customers/${customerId}`), new RegExp(`Large order #${orderId} \\(1800\\)`));
  });

  it('a delivery waiting for its retry when the CRM is killed (kill -9) is sent when it starts again', async () => {
    const flowId = flows['Thank large orders']!;
    const posts = () => proxy.seen.filter((s) => s.startsWith('POST /api/v1/workflows/')).length;
    const seenBefore = posts();
    proxy.failNext('/api/v1/workflows/', 1);
    const order = await postForm(crm.url, '/orders', { customerId, amount: 1900, description: 'Jacquard loom' });
    const orderId = order.created!.split('/')[1];
    // Refused once; the kit waits a second before its next try, and the CRM dies meanwhile.
    await until('the refused delivery', () => posts() > seenBefore);
    const port = Number(new URL(crm.url).port);
    await crm.stop('SIGKILL');
    assert.equal((await runsOf(flowId)).length, 2, 'no run yet for the refused event');
    crm = await startCrm(crmEnv(port));
    await until('the run to succeed', () => succeededRuns(flowId, 3));
    assert.equal(posts() - seenBefore, 2, 'refused once, then sent by the restarted CRM');
    assert.equal((await runsOf(flowId)).length, 3, 'one run for the event');
    assert.match(await page(crm.url, `/customers/${customerId}`), new RegExp(`Large order #${orderId} \\(1900\\)`));
  });

  it('updating and deleting records on the pages start the flows of those triggers', async () => {
    const flowOn = async (operationId: string, table: string): Promise<string> => {
      const made = await api('POST', '/api/v1/flows', {
        name: `${operationId} ${table}`,
        connectionReferences: {
          crm: { connectionName: 'host-crm', id: '/providers/Microsoft.PowerApps/apis/shared_hostcrm' },
        },
        definition: {
          triggers: {
            t: {
              type: 'OpenApiConnectionWebhook',
              inputs: {
                host: {
                  connectionName: 'crm',
                  operationId,
                  apiId: '/providers/Microsoft.PowerApps/apis/shared_hostcrm',
                },
                parameters: { table },
              },
            },
          },
          actions: { Changed: { type: 'Compose', inputs: "@triggerBody()?['changed']" } },
        },
      });
      assert.equal(made.body.state, 'Enabled', JSON.stringify(made.body));
      return made.body.id;
    };
    const updated = await flowOn('WhenRecordUpdated', 'customers');
    const deleted = await flowOn('WhenRecordDeleted', 'orders');
    const saved = await postForm(crm.url, `/customers/${customerId}`, {
      name: 'Ada Lovelace',
      company: 'Babbage & Co',
      email: '',
      status: 'vip',
    });
    assert.equal(saved.error, null, saved.error ?? '');
    const [run] = await until('the update run', () => succeededRuns(updated, 1));
    const detail = (await api('GET', `/api/v1/runs/${run.id}?expand=actions`)).body;
    assert.deepEqual(detail.actions.Changed.outputs, ['company']);
    assert.equal(detail.trigger.outputs.body.record.company, 'Babbage & Co');

    const order = await postForm(crm.url, '/orders', { customerId, amount: 5, description: 'Punched cards' });
    const orderId = Number(order.created!.split('/')[1]);
    assert.equal((await postForm(crm.url, `/orders/${orderId}/delete`)).error, null);
    const [gone] = await until('the delete run', () => succeededRuns(deleted, 1));
    const goneDetail = (await api('GET', `/api/v1/runs/${gone.id}?expand=actions`)).body;
    assert.deepEqual(
      [
        goneDetail.trigger.outputs.body.op,
        goneDetail.trigger.outputs.body.id,
        goneDetail.trigger.outputs.body.record.description,
      ],
      ['deleted', orderId, 'Punched cards'],
    );
    assert.equal((await connector('GET', `/records/orders/${orderId}`)).status, 404);
  });
});
