// Through the real server against a fake WPForms service (the corpus connector as its author ships
// it: API key in a header through setheader, dynamichosturl, a webhook trigger whose body carries
// the callback URL): import, connection, a flow subscribes when created on, an event starts a run
// whose action calls the service, turning it off unsubscribes; the key is nowhere in clear.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  connectorServer,
  fakeService,
  filesUnder,
  fixture,
  tempDir,
  until,
  type ConnectorServer,
  type FakeService,
} from './test-support.js';

const KEY = 'sk-live-4f1c9e0b7a2d-wpforms-secret';
const LICENSE = 'lic-0042';
const API = '/wp-json/wpforms-powerautomate/v1';
const API_ID = '/providers/Microsoft.PowerApps/apis/shared_wpformsbyreenhancedllc';

function wpflow(connectionName: string, state?: string) {
  const host = (operationId: string) => ({ connectionName: 'shared_wpforms', operationId, apiId: API_ID });
  return {
    name: 'wpforms entries',
    ...(state ? { state } : {}),
    // A Power Automate export wrapper: the references sit beside the definition.
    definition: {
      properties: {
        connectionReferences: { shared_wpforms: { connectionName, id: API_ID } },
        definition: {
          $schema:
            'https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#',
          contentVersion: '1.0.0.0',
          triggers: {
            When_an_entry_is_submitted: {
              type: 'OpenApiConnectionWebhook',
              inputs: { host: host('CreateFlow'), parameters: { 'body/form_id': '42' } },
            },
          },
          actions: {
            Get_entries: {
              type: 'OpenApiConnection',
              inputs: {
                host: host('GetEntries'),
                parameters: { form_id: "@triggerBody()?['form_id']", body: { search: "@triggerBody()?['name']" } },
              },
            },
          },
        },
      },
    },
  };
}

describe('connector webhook trigger and actions through the server', () => {
  let service: FakeService;
  let fb: ConnectorServer;
  const temp = tempDir();
  before(async () => {
    let subscriptions = 0;
    service = await fakeService((r, base) => {
      if (r.method === 'POST' && r.path === `${API}/resources/flows`) {
        const id = `sub-${++subscriptions}`;
        return { status: 201, headers: { location: `${base}${API}/resources/flows/${id}` }, body: { id } };
      }
      if (r.method === 'DELETE' && r.path.startsWith(`${API}/resources/flows/sub-`)) return { status: 200 };
      if (r.method === 'POST' && r.path === `${API}/resources/entries/query`)
        return { status: 200, body: { entries: [{ id: 7, name: 'Ada' }] } };
      if (r.method === 'GET' && r.path === `${API}/resources/entries/5`) return { status: 200, body: { id: 5 } };
      if (r.method === 'GET' && r.path === `${API}/resources/entries/6`) return { status: 400, body: { oops: true } };
      return undefined;
    });
    fb = await connectorServer(temp.dir);
  });
  after(async () => {
    await fb.stop();
    await fb.store.close();
    await service.close();
    temp.remove();
  });

  it('imports the connector and creates a connection that shows no secret', async () => {
    const imported = await fb.call('POST', '/api/v1/connectors', fixture('wpforms'));
    assert.equal(imported.status, 201, JSON.stringify(imported.body));
    assert.equal(imported.body.name, 'shared_wpformsbyreenhancedllc');
    assert.equal(imported.body.apiId, API_ID);
    assert.ok(imported.body.triggers.some((t: { operationId: string }) => t.operationId === 'CreateFlow'));
    const made = await fb.call('POST', '/api/v1/connections', {
      name: 'wp-conn',
      connectorName: 'shared_wpformsbyreenhancedllc',
      parameters: { licenseKey: LICENSE, secretKey: KEY, wpSiteUrl: service.url },
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.equal(made.body.status, 'Connected');
    const read = await fb.call('GET', '/api/v1/connections/wp-conn');
    assert.equal(read.status, 200);
    assert.ok(!JSON.stringify(read.body).includes(KEY), 'the key is not shown');
    assert.equal(read.body.parameters.wpSiteUrl, service.url);
  });

  it('a flow whose reference does not resolve saves off and cannot be turned on', async () => {
    const created = await fb.call('POST', '/api/v1/flows', wpflow('no-such-connection'));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.state, 'Disabled');
    assert.equal(created.body.stateError.code, 'ConnectionReferencesMissing');
    const enabled = await fb.call('POST', `/api/v1/flows/${created.body.id}/enable`);
    assert.equal(enabled.status, 409);
    assert.equal(enabled.body.error.code, 'ConnectionReferencesMissing');
    assert.deepEqual(enabled.body.error.details.missing, [
      { reference: 'shared_wpforms', connectionName: 'no-such-connection' },
    ]);
    assert.equal(service.requests.length, 0, 'nothing was subscribed');
  });

  let flowId = '';
  it('subscribes when the flow is created on, with the callback URL and the key', async () => {
    const created = await fb.call('POST', '/api/v1/flows', wpflow('wp-conn'));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.state, 'Enabled', JSON.stringify(created.body.stateError));
    flowId = created.body.id;
    const subscribe = service.requests.find((r) => r.method === 'POST' && r.path.endsWith('/resources/flows'));
    assert.ok(subscribe, 'the service saw a subscription');
    assert.equal(subscribe.headers['x-secret-key'], KEY);
    assert.equal(subscribe.headers['x-license-authorization'], LICENSE);
    assert.equal(subscribe.headers['x-ms-workflow-id'], flowId);
    assert.equal(subscribe.headers['x-ms-workflow-name'], 'wpforms entries');
    const body = subscribe.body as { form_id: string; meta: { powerAutomateUrl: string } };
    assert.equal(body.form_id, '42');
    const listed = await fb.call('POST', `/api/v1/flows/${flowId}/triggers/When_an_entry_is_submitted/listCallbackUrl`);
    assert.equal(body.meta.powerAutomateUrl, listed.body.value, 'the signed callback URL');
  });

  it('an event starts a run whose action calls the service with path, query, headers and body', async () => {
    const subscribe = service.requests.find((r) => r.method === 'POST' && r.path.endsWith('/resources/flows'))!;
    const callback = (subscribe.body as { meta: { powerAutomateUrl: string } }).meta.powerAutomateUrl;
    const event = await fetch(callback, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ form_id: '42', name: 'Ada' }),
    });
    assert.equal(event.status, 202);
    const call = await until('the action call', () =>
      service.requests.find((r) => r.path === `${API}/resources/entries/query`),
    );
    assert.equal(call.method, 'POST');
    assert.equal(call.query.get('form_id'), '42');
    assert.equal(call.headers['x-secret-key'], KEY);
    assert.deepEqual(call.body, { search: 'Ada' });
    const run = await until('the run to succeed', async () => {
      const runs = await fb.call('GET', `/api/v1/runs?flowId=${flowId}`);
      const first = runs.body.value[0];
      return first && first.status === 'Succeeded' ? first : undefined;
    });
    const detail = await fb.call('GET', `/api/v1/runs/${run.id}?expand=actions`);
    const action = detail.body.actions.Get_entries;
    assert.equal(action.outputs.statusCode, 200);
    assert.deepEqual(action.outputs.body, { entries: [{ id: 7, name: 'Ada' }] });
    assert.equal(detail.body.trigger.outputs.body.name, 'Ada');
    assert.ok(!JSON.stringify(detail.body).includes(KEY), 'the key is not in run history');
  });

  it('a changed trigger unsubscribes the old subscription and subscribes again', async () => {
    const flow = wpflow('wp-conn');
    const inner = flow.definition.properties.definition;
    inner.triggers.When_an_entry_is_submitted.inputs.parameters['body/form_id'] = '43';
    const saved = await fb.call('PUT', `/api/v1/flows/${flowId}`, { definition: flow.definition });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.equal(saved.body.state, 'Enabled');
    const deletes = service.requests.filter((r) => r.method === 'DELETE').map((r) => r.path);
    assert.deepEqual(deletes, [`${API}/resources/flows/sub-1`]);
    const subscribes = service.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/resources/flows'));
    assert.equal(subscribes.length, 2);
    assert.equal((subscribes[1]!.body as { form_id: string }).form_id, '43');
    // Saving it unchanged keeps the subscription.
    await fb.call('PUT', `/api/v1/flows/${flowId}`, { definition: flow.definition });
    assert.equal(service.requests.filter((r) => r.method === 'DELETE').length, 1);
  });

  it('turning the flow off unsubscribes (DELETE <Location>)', async () => {
    const disabled = await fb.call('POST', `/api/v1/flows/${flowId}/disable`);
    assert.equal(disabled.status, 200);
    const unsubscribe = service.requests.filter((r) => r.method === 'DELETE').at(-1);
    assert.ok(unsubscribe, 'the service saw the DELETE');
    assert.equal(unsubscribe.path, `${API}/resources/flows/sub-2`);
    assert.equal(unsubscribe.headers['x-secret-key'], KEY);
    assert.deepEqual(await fb.store.listConnectorTriggers({ flowId }), []);
  });

  it('a Logic Apps ApiConnection action reaches its connection through $connections; non-2xx fails it', async () => {
    const action = (id: number) => ({
      type: 'ApiConnection',
      inputs: {
        host: { connection: { name: "@parameters('$connections')['wpforms']['connectionId']" } },
        method: 'get',
        path: `/resources/entries/@{encodeURIComponent('${id}')}`,
        queries: { form_id: '42' },
      },
    });
    const created = await fb.call('POST', '/api/v1/flows', {
      name: 'logic app',
      parameters: {
        $connections: {
          wpforms: { connectionId: '/subscriptions/s/resourceGroups/g/providers/Microsoft.Web/connections/wp-conn' },
        },
      },
      definition: {
        parameters: { $connections: { type: 'Object', defaultValue: {} } },
        triggers: { manual: { type: 'Request', kind: 'Http' } },
        actions: {
          Get_entry: action(5),
          Get_missing: { ...action(6), runAfter: { Get_entry: ['Succeeded'] } },
        },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.state, 'Enabled', JSON.stringify(created.body.stateError));
    const ran = await fb.call('POST', `/api/v1/flows/${created.body.id}/triggers/manual/run`, {});
    assert.equal(ran.status, 202, JSON.stringify(ran.body));
    const run = await until('the run to end', async () => {
      const runs = await fb.call('GET', `/api/v1/runs?flowId=${created.body.id}`);
      const first = runs.body.value[0];
      return first && first.status !== 'Running' && first.status !== 'Waiting' ? first : undefined;
    });
    const call = service.requests.find((r) => r.path === `${API}/resources/entries/5`);
    assert.ok(call, 'the service was called');
    assert.equal(call.query.get('form_id'), '42');
    assert.equal(call.headers['x-secret-key'], KEY);
    const detail = await fb.call('GET', `/api/v1/runs/${run.id}?expand=actions`);
    assert.equal(detail.body.actions.Get_entry.status, 'Succeeded');
    assert.deepEqual(detail.body.actions.Get_entry.outputs.body, { id: 5 });
    assert.equal(detail.body.actions.Get_missing.status, 'Failed');
    assert.equal(detail.body.actions.Get_missing.outputs.statusCode, 400);
  });

  it('the key is nowhere in clear in the data folder or the logs', async () => {
    await fb.stop();
    // The SQLite files (WAL included) as they are on disk.
    const files = filesUnder(temp.dir);
    assert.ok(
      files.some((f) => f.path.endsWith('.db')),
      'the database is there',
    );
    for (const file of files) assert.ok(!file.bytes.includes(KEY), `${file.path} holds the key in clear`);
    assert.ok(fb.logs.length > 0, 'logs were captured');
    assert.ok(!fb.logs.join('').includes(KEY), 'the logs hold the key');
    fb = { ...fb, stop: async () => {} };
  });
});
