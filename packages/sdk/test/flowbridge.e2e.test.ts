// Issue #17's acceptance, from outside: the real `flowbridge start` (built bin) and a host on
// node:http made with createConnectorHost. The host's connector() imports through the REST API, a
// connection holds the host's API key, a flow subscribes to the host's webhook trigger with
// table=customer and calls a host action; emit() with table=customer starts a run, with
// table=order none; subscriptions() names the flow; turning it off and deleting it unsubscribe.
// Needs `npm run build` first (the server runs from dist).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createConnectorHost, toNodeHandler, verifySignature, type ConnectorHost } from '../src/index.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, client, listen, startFlowbridge, until, type Flowbridge } from './e2e-support.js';

const ADMIN = 'sdk-e2e-admin-token-0123456789abcdef';
const KEY = 'crm-key-7f3a9c21e4b8';
const SIGNING = 'crm-signing-secret-42';
const CONNECTOR = 'shared_acmecrm';
const API_ID = `/providers/Microsoft.PowerApps/apis/${CONNECTOR}`;

describe('a host made with createConnectorHost, against the real server', () => {
  let fb: Flowbridge;
  let web: Awaited<ReturnType<typeof listen>>;
  let host: ConnectorHost;
  let api: ReturnType<typeof client>;
  const tagged: Array<{ params: Record<string, unknown>; body: unknown }> = [];
  const keysSeen: string[] = [];

  before(async () => {
    fb = await startFlowbridge(ADMIN);
    api = client(fb.url, ADMIN);
    web = await listen();
    host = createConnectorHost({
      title: 'Acme CRM',
      baseUrl: `${web.url}/crm`,
      auth: {
        type: 'apiKey',
        header: 'x-api-key',
        verify: (key) => {
          keysSeen.push(key);
          return key === KEY;
        },
      },
      signingSecret: SIGNING,
      retry: { attempts: 2, baseDelayMs: 10 },
      triggers: {
        OnRecordChanged: {
          summary: 'When a record changes',
          parameters: {
            table: { type: 'string', summary: 'Table', enum: ['customer', 'order'] },
            event: { type: 'string', summary: 'Event', enum: ['created', 'updated'] },
          },
          payload: {
            type: 'object',
            properties: { table: { type: 'string' }, id: { type: 'string' }, name: { type: 'string' } },
          },
        },
        OnRecordsImported: {
          summary: 'When records are imported',
          batch: true,
          payload: { type: 'object', properties: { id: { type: 'string' } } },
        },
        ForSelectedRecord: {
          summary: 'For a selected record',
          instant: true,
          parameters: { table: { type: 'string', summary: 'Table' } },
          payload: { type: 'object', properties: { table: { type: 'string' }, id: { type: 'string' } } },
        },
      },
      actions: {
        TagRecord: {
          summary: 'Tag a record',
          method: 'POST',
          path: '/records/{table}/{id}/tags',
          requestBody: { type: 'object', required: ['tag'], properties: { tag: { type: 'string' } } },
          response: { type: 'object', properties: { tags: { type: 'array', items: { type: 'string' } } } },
          handler: ({ params, body }) => {
            tagged.push({ params, body });
            return { tags: [(body as { tag: string }).tag] };
          },
        },
      },
    });
    web.use(toNodeHandler(host.fetch));
  });
  after(async () => {
    await fb?.stop();
    await web?.close();
  });

  it('imports connector() through the REST API and makes a connection with the API key', async () => {
    const imported = await api('POST', '/api/v1/connectors', host.connector());
    assert.equal(imported.status, 201, JSON.stringify(imported.body));
    assert.equal(imported.body.name, CONNECTOR);
    assert.deepEqual(imported.body.warnings, []);
    assert.ok(imported.body.triggers.some((t: { operationId: string }) => t.operationId === 'OnRecordChanged'));
    const connection = await api('POST', '/api/v1/connections', {
      name: 'crm',
      connectorName: CONNECTOR,
      parameters: { api_key: KEY },
    });
    assert.equal(connection.status, 201, JSON.stringify(connection.body));
    assert.equal(connection.body.status, 'Connected');
  });

  it('the files the host serves import with `flowbridge connectors import` too (a new version)', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'acme-connector-'));
    try {
      for (const file of ['apiDefinition.swagger.json', 'apiProperties.json']) {
        const served = await fetch(`${web.url}/crm/${file}`);
        assert.equal(served.status, 200, 'served without a key');
        writeFileSync(join(folder, file), await served.text());
      }
      const result = await cli(['connectors', 'import', folder], { FLOWBRIDGE_URL: fb.url, FLOWBRIDGE_TOKEN: ADMIN });
      assert.equal(result.code, 0, result.out);
      assert.match(result.out, /imported connector 'shared_acmecrm' .*version 2: 2 operations, 3 triggers/);
      assert.doesNotMatch(result.out, /warning/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  const runsOf = async (id: string): Promise<Array<{ id: string; status: string }>> =>
    (await api('GET', `/api/v1/runs?flowId=${id}`)).body.value;
  /** A flow whose only step is the host's trigger (and a Compose of its body). */
  const bare = (name: string, operationId: string, parameters: Record<string, string> = {}) => ({
    name,
    connectionReferences: { [CONNECTOR]: { connectionName: 'crm', id: API_ID } },
    definition: {
      triggers: {
        Host_event: {
          type: 'OpenApiConnectionWebhook',
          inputs: { host: { connectionName: CONNECTOR, operationId, apiId: API_ID }, parameters },
        },
      },
      actions: { Keep: { type: 'Compose', inputs: '@triggerBody()' } },
    },
  });

  const flow = (name: string, connectionName = 'crm') => ({
    name,
    connectionReferences: { [CONNECTOR]: { connectionName, id: API_ID } },
    definition: {
      triggers: {
        When_a_customer_changes: {
          type: 'OpenApiConnectionWebhook',
          inputs: {
            host: { connectionName: CONNECTOR, operationId: 'OnRecordChanged', apiId: API_ID },
            parameters: { table: 'customer' },
          },
        },
      },
      actions: {
        Tag_it: {
          type: 'OpenApiConnection',
          inputs: {
            host: { connectionName: CONNECTOR, operationId: 'TagRecord', apiId: API_ID },
            parameters: { table: "@triggerBody()?['table']", id: "@triggerBody()?['id']", 'body/tag': 'welcomed' },
          },
        },
      },
    },
  });

  let flowId = '';
  it('a flow on the trigger subscribes with table=customer; subscriptions() names it', async () => {
    const created = await api('POST', '/api/v1/flows', flow('welcome customers'));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.state, 'Enabled', JSON.stringify(created.body.stateError));
    flowId = created.body.id;
    const subs = await host.subscriptions('OnRecordChanged');
    assert.equal(subs.length, 1);
    assert.equal(subs[0]!.flowId, flowId);
    assert.equal(subs[0]!.flowName, 'welcome customers');
    assert.deepEqual(subs[0]!.parameters, { table: 'customer' });
    assert.match(subs[0]!.callbackUrl, /\/triggers\/When_a_customer_changes\//);
    assert.deepEqual(await host.subscriptions('OnRecordChanged', { table: 'order' }), []);
    assert.ok(keysSeen.includes(KEY), 'the server sent the connection key');
  });

  it('emit with table=order starts no run; with table=customer starts one that calls the action', async () => {
    assert.deepEqual(
      await host.emit('OnRecordChanged', { table: 'order', id: 'o-1' }, { parameters: { table: 'order' } }),
      [],
    );
    const outcomes = await host.emit(
      'OnRecordChanged',
      { table: 'customer', id: 'c-42', name: 'Ada' },
      { parameters: { table: 'customer', event: 'created' } },
    );
    assert.equal(outcomes.length, 1);
    assert.equal(outcomes[0]!.status, 'delivered', JSON.stringify(outcomes));
    assert.equal(outcomes[0]!.flowId, flowId);
    assert.equal(outcomes[0]!.httpStatus, 202);
    const run = await until('the run to end', async () => {
      const runs = await api('GET', `/api/v1/runs?flowId=${flowId}`);
      const first = runs.body.value[0];
      return first && first.status !== 'Running' && first.status !== 'Waiting' ? first : undefined;
    });
    assert.equal(run.status, 'Succeeded');
    const runs = await api('GET', `/api/v1/runs?flowId=${flowId}`);
    assert.equal(runs.body.value.length, 1, 'only the customer event started a run');
    const detail = await api('GET', `/api/v1/runs/${run.id}?expand=actions`);
    assert.equal(detail.body.trigger.outputs.body.id, 'c-42');
    assert.deepEqual(detail.body.actions.Tag_it.outputs.body, { tags: ['welcomed'] });
    assert.deepEqual(tagged, [{ params: { table: 'customer', id: 'c-42' }, body: { tag: 'welcomed' } }]);
  });

  it('a connection with a wrong key cannot subscribe: the flow stays off', async () => {
    const made = await api('POST', '/api/v1/connections', {
      name: 'crm-bad',
      connectorName: CONNECTOR,
      parameters: { api_key: 'not-the-key' },
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const created = await api('POST', '/api/v1/flows', flow('bad key', 'crm-bad'));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.state, 'Disabled');
    assert.equal(created.body.stateError.code, 'TriggerSubscriptionFailed');
    assert.equal((await host.subscriptions('OnRecordChanged')).length, 1, 'still only the first flow');
  });

  it('a batch trigger: one emit of two records starts two runs', async () => {
    const created = await api('POST', '/api/v1/flows', bare('imports', 'OnRecordsImported'));
    assert.equal(created.body.state, 'Enabled', JSON.stringify(created.body));
    const [outcome] = await host.emit('OnRecordsImported', [{ id: 'r1' }, { id: 'r2' }]);
    assert.equal(outcome!.status, 'delivered', JSON.stringify(outcome));
    const runs = await until('two runs', async () => {
      const list = await runsOf(created.body.id);
      return list.length === 2 && list.every((r) => r.status === 'Succeeded') ? list : undefined;
    });
    const ids = await Promise.all(
      runs.map(async (r) => (await api('GET', `/api/v1/runs/${r.id}`)).body.trigger.outputs.body.id),
    );
    assert.deepEqual(ids.sort(), ['r1', 'r2']);
  });

  it('an instant trigger runs only the flow the host names', async () => {
    const chosen = await api(
      'POST',
      '/api/v1/flows',
      bare('greet this one', 'ForSelectedRecord', { table: 'customer' }),
    );
    const other = await api('POST', '/api/v1/flows', bare('not this one', 'ForSelectedRecord', { table: 'customer' }));
    assert.equal(chosen.body.state, 'Enabled', JSON.stringify(chosen.body));
    assert.equal(other.body.state, 'Enabled', JSON.stringify(other.body));
    const offered = await host.subscriptions('ForSelectedRecord', { table: 'customer' });
    assert.deepEqual(offered.map((s) => s.flowName).sort(), ['greet this one', 'not this one']);
    const outcomes = await host.emit('ForSelectedRecord', { table: 'customer', id: 'c-7' }, { flowId: chosen.body.id });
    assert.deepEqual(
      outcomes.map((o) => [o.flowName, o.status]),
      [['greet this one', 'delivered']],
    );
    await until('the run', async () => ((await runsOf(chosen.body.id))[0]?.status === 'Succeeded' ? true : undefined));
    assert.deepEqual(await runsOf(other.body.id), []);
  });

  it('turning the flow off unsubscribes, on subscribes again, deleting it unsubscribes', async () => {
    assert.equal((await api('POST', `/api/v1/flows/${flowId}/disable`)).status, 200);
    assert.deepEqual(await host.subscriptions('OnRecordChanged'), []);
    const enabled = await api('POST', `/api/v1/flows/${flowId}/enable`);
    assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
    const again = await host.subscriptions('OnRecordChanged');
    assert.equal(again.length, 1);
    assert.equal(again[0]!.flowId, flowId);
    assert.equal((await api('DELETE', `/api/v1/flows/${flowId}`)).status, 204);
    assert.deepEqual(await host.subscriptions('OnRecordChanged'), []);
  });

  it('deliveries are signed with the scheme verifySignature checks', async () => {
    // A callback the host posts to: the kit's own deliveries are signed like the server's callbacks.
    const seen = await listen();
    const bodies: Array<{ headers: Headers; body: string }> = [];
    seen.use(
      toNodeHandler(async (request) => {
        bodies.push({ headers: request.headers, body: await request.text() });
        return new Response(null, { status: 200 });
      }),
    );
    await host.store.add({
      id: 'manual',
      operationId: 'OnRecordChanged',
      flowId: null,
      flowName: null,
      parameters: {},
      callbackUrl: `${seen.url}/cb`,
      createdAt: new Date().toISOString(),
    });
    const [outcome] = await host.emit('OnRecordChanged', { id: 'x' }, { subscriptionId: 'manual' });
    await seen.close();
    assert.equal(outcome!.status, 'delivered');
    const check = await verifySignature(SIGNING, bodies[0]!.headers, bodies[0]!.body);
    assert.equal(check.ok, true, JSON.stringify(check));
    assert.ok(bodies[0]!.headers.get('x-flowbridge-event-id'));
  });
});
