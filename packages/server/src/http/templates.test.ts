// Flow templates through the real routes: create (checked as flows are), list with filters, read,
// replace, delete; instantiate into a flow that runs — a Request-trigger template, and a connector
// webhook template whose connection is checked and whose flow subscribes and runs. And the flows
// list filtered by what the trigger uses (a host's "Automate" menu).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  connectorServer,
  fakeService,
  fixture,
  tempDir,
  until,
  type ConnectorServer,
  type FakeService,
} from '../connector-host/test-support.js';

const greet = {
  triggers: {
    manual: {
      type: 'Request',
      kind: 'Http',
      inputs: { schema: { type: 'object', properties: { name: { type: 'string' } } } },
    },
  },
  actions: {
    Response: {
      type: 'Response',
      inputs: { statusCode: 200, body: "@concat(parameters('greeting'), ', ', triggerBody()?['name'])" },
    },
  },
  parameters: { greeting: { type: 'string', defaultValue: 'Hi' }, token: { type: 'securestring' } },
};

const API = '/wp-json/wpforms-powerautomate/v1';
const WP = 'shared_wpformsbyreenhancedllc';

/** A template on the WPForms connector: a webhook trigger and an action through reference `forms`. */
function wpTemplate(name: string, formId = '42') {
  const host = (operationId: string) => ({ connectionName: 'forms', operationId });
  return {
    name,
    description: 'When a form entry arrives, look it up',
    tags: ['Forms', 'lead'],
    connectionReferences: { forms: { connectorName: WP } },
    definition: {
      triggers: {
        When_an_entry_is_submitted: {
          type: 'OpenApiConnectionWebhook',
          inputs: { host: host('CreateFlow'), parameters: { 'body/form_id': formId } },
        },
      },
      actions: {
        Get_entries: {
          type: 'OpenApiConnection',
          inputs: { host: host('GetEntries'), parameters: { form_id: "@triggerBody()?['form_id']" } },
        },
      },
    },
  };
}

describe('flow templates through the server', () => {
  let service: FakeService;
  let fb: ConnectorServer;
  const temp = tempDir();
  before(async () => {
    service = await fakeService((r, base) => {
      if (r.method === 'POST' && r.path === `${API}/resources/flows`)
        return { status: 201, headers: { location: `${base}${API}/resources/flows/sub-1` }, body: { id: 'sub-1' } };
      if (r.method === 'POST' && r.path === `${API}/resources/entries/query`)
        return { status: 200, body: { entries: [{ id: 7 }] } };
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

  let greetId = '';
  it('creates a template, checked as flows are, with coded errors naming the place', async () => {
    const made = await fb.call('POST', '/api/v1/templates', {
      name: 'Greeter',
      description: 'Says hello',
      definition: greet,
      parameters: { greeting: 'Hello' },
      tags: ['demo'],
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    greetId = made.body.id;
    assert.deepEqual(made.body.trigger, { name: 'manual', connectorName: null, operationId: null });
    assert.deepEqual(made.body.parameters, { greeting: 'Hello' });

    const bad = await fb.call('POST', '/api/v1/templates', {
      name: 'Broken',
      definition: { ...greet, actions: { A: { type: 'NoSuchType' } } },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'InvalidDefinition');
    assert.equal(bad.body.error.details[0].pointer, '/actions/A/type');

    const undeclared = await fb.call('POST', '/api/v1/templates', { ...wpTemplate('x'), connectionReferences: {} });
    assert.equal(undeclared.status, 400);
    assert.deepEqual(
      [undeclared.body.error.code, undeclared.body.error.target],
      ['InvalidConnectionReference', '/connectionReferences/forms'],
    );
    const noConnector = await fb.call('POST', '/api/v1/templates', {
      ...wpTemplate('x'),
      connectionReferences: { forms: {} },
    });
    assert.deepEqual(
      [noConnector.status, noConnector.body.error.target],
      [400, '/connectionReferences/forms/connectorName'],
    );
    const secure = await fb.call('POST', '/api/v1/templates', {
      name: 'Leaky',
      definition: greet,
      parameters: { token: 's3cret' },
    });
    assert.deepEqual([secure.status, secure.body.error.target], [400, '/parameters/token']);
    const tags = await fb.call('POST', '/api/v1/templates', { name: 'T', definition: greet, tags: ['ok', 3] });
    assert.deepEqual([tags.status, tags.body.error.target], [400, '/tags/1']);
    const taken = await fb.call('POST', '/api/v1/templates', { name: 'Greeter', definition: greet });
    assert.deepEqual([taken.status, taken.body.error.code], [409, 'Conflict']);
  });

  it('reads, replaces, lists by tag and deletes', async () => {
    const read = await fb.call('GET', `/api/v1/templates/${greetId}`);
    assert.equal(read.status, 200);
    assert.equal(read.body.description, 'Says hello');
    const saved = await fb.call('PUT', `/api/v1/templates/${greetId}`, {
      name: 'Greeter',
      description: 'Says hello politely',
      definition: greet,
      parameters: { greeting: 'Good day' },
      tags: ['demo', 'polite'],
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.equal(saved.body.description, 'Says hello politely');
    const polite = await fb.call('GET', '/api/v1/templates?tag=POLITE');
    assert.deepEqual(
      polite.body.value.map((t: { id: string }) => t.id),
      [greetId],
    );
    assert.deepEqual((await fb.call('GET', '/api/v1/templates?tag=none')).body.value, []);
    const temporary = await fb.call('POST', '/api/v1/templates', { name: 'Temporary', definition: greet });
    assert.equal((await fb.call('DELETE', `/api/v1/templates/${temporary.body.id}`)).status, 204);
    assert.equal((await fb.call('GET', `/api/v1/templates/${temporary.body.id}`)).status, 404);
    assert.equal((await fb.call('DELETE', `/api/v1/templates/${temporary.body.id}`)).status, 404);
  });

  it('instantiates a Request-trigger template into a flow that runs with its parameters', async () => {
    const made = await fb.call('POST', `/api/v1/templates/${greetId}/instantiate`, { name: 'My greeter' });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.equal(made.body.name, 'My greeter');
    assert.equal(made.body.state, 'Enabled');
    assert.deepEqual(made.body.definition, greet);
    const read = await fb.call('GET', `/api/v1/flows/${made.body.id}`);
    assert.deepEqual(read.body, made.body, 'the answer is the flow as GET shows it');
    const url = await fb.call('POST', `/api/v1/flows/${made.body.id}/triggers/manual/listCallbackUrl`);
    const answer = await fetch(url.body.value, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ada' }),
    });
    assert.equal(await answer.text(), 'Good day, Ada');

    const own = await fb.call('POST', `/api/v1/templates/${greetId}/instantiate`, {
      name: 'Own greeting',
      parameters: { greeting: 'Yo' },
      state: 'Disabled',
    });
    assert.equal(own.body.state, 'Disabled');
    assert.equal(own.body.parameters.greeting, 'Yo');
    const nameless = await fb.call('POST', `/api/v1/templates/${greetId}/instantiate`, {});
    assert.deepEqual([nameless.status, nameless.body.error.target], [400, 'name']);
    assert.equal((await fb.call('POST', '/api/v1/templates/nope/instantiate', { name: 'x' })).status, 404);
  });

  let wpId = '';
  let wpFlowId = '';
  it('instantiates a connector template: each reference needs a connection of its connector', async () => {
    const files = fixture('wpforms');
    assert.equal((await fb.call('POST', '/api/v1/connectors', files)).status, 201);
    const leads = fixture('pure-leads');
    assert.equal((await fb.call('POST', '/api/v1/connectors', { ...leads, name: 'shared_pureleads' })).status, 201);
    const conns = [
      { name: 'wp', connectorName: WP, parameters: { licenseKey: 'l', secretKey: 'k', wpSiteUrl: service.url } },
      { name: 'leads', connectorName: 'shared_pureleads', parameters: { api_key: 'k' } },
    ];
    for (const c of conns) assert.equal((await fb.call('POST', '/api/v1/connections', c)).status, 201);
    const made = await fb.call('POST', '/api/v1/templates', wpTemplate('New form entry'));
    assert.equal(made.status, 201, JSON.stringify(made.body));
    wpId = made.body.id;
    assert.deepEqual(made.body.trigger, {
      name: 'When_an_entry_is_submitted',
      connectorName: WP,
      operationId: 'CreateFlow',
    });

    const instantiate = (connectionReferences?: unknown) =>
      fb.call('POST', `/api/v1/templates/${wpId}/instantiate`, {
        name: 'Entries',
        ...(connectionReferences !== undefined ? { connectionReferences } : {}),
      });
    for (const [given, target] of [
      [undefined, '/connectionReferences/forms'],
      [{ forms: 'no-such' }, '/connectionReferences/forms'],
      [{ forms: 'leads' }, '/connectionReferences/forms'],
    ] as const) {
      const refused = await instantiate(given);
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.deepEqual([refused.body.error.code, refused.body.error.target], ['InvalidConnectionReference', target]);
    }
    const extra = await instantiate({ forms: 'wp', other: 'wp' });
    assert.deepEqual([extra.status, extra.body.error.target], [400, '/connectionReferences/other']);
    assert.equal(service.requests.length, 0, 'nothing was subscribed');
    assert.equal((await fb.call('GET', '/api/v1/flows')).body.value.filter((f: any) => f.name === 'Entries').length, 0);

    const flow = await instantiate({ forms: 'wp' });
    assert.equal(flow.status, 201, JSON.stringify(flow.body));
    assert.equal(flow.body.state, 'Enabled', JSON.stringify(flow.body.stateError));
    wpFlowId = flow.body.id;
    const subscribe = service.requests.find((r) => r.method === 'POST' && r.path.endsWith('/resources/flows'));
    assert.ok(subscribe, 'the flow subscribed through its connection');
    assert.equal(subscribe.headers['x-secret-key'], 'k');
    assert.deepEqual(await fb.store.getFlowConnectionReferences(wpFlowId), { forms: 'wp' });

    const callback = (subscribe.body as { meta: { powerAutomateUrl: string } }).meta.powerAutomateUrl;
    const event = await fetch(callback, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ form_id: '42' }),
    });
    assert.equal(event.status, 202);
    await until('the run to succeed', async () => {
      const runs = await fb.call('GET', `/api/v1/runs?flowId=${wpFlowId}`);
      return runs.body.value[0]?.status === 'Succeeded' ? true : undefined;
    });
  });

  it('lists templates and flows by connector, trigger operation and trigger parameter', async () => {
    const templates = async (query: string) =>
      (await fb.call('GET', `/api/v1/templates?${query}`)).body.value.map((t: { name: string }) => t.name);
    assert.deepEqual(await templates(`connector=${WP}`), ['New form entry']);
    assert.deepEqual(await templates(`connector=${WP.toUpperCase()}&triggerOperation=createflow`), ['New form entry']);
    assert.deepEqual(await templates('triggerOperation=Other'), []);
    assert.deepEqual(await templates('connector=shared_pureleads'), []);
    assert.deepEqual(await templates('tag=lead'), ['New form entry']);

    // A second flow on another form, and one whose reference resolves to no connection.
    const other = await fb.call('POST', `/api/v1/templates/${wpId}/instantiate`, {
      name: 'Entries 43',
      connectionReferences: { forms: 'wp' },
    });
    assert.equal(other.status, 201);
    const form43 = wpTemplate('t43', '43').definition;
    const saved = await fb.call('PUT', `/api/v1/flows/${other.body.id}`, { definition: form43 });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));

    const flows = async (query: string) => {
      const listed = await fb.call('GET', `/api/v1/flows?${query}`);
      assert.equal(listed.status, 200, JSON.stringify(listed.body));
      return listed.body.value.map((f: { name: string }) => f.name).sort();
    };
    assert.deepEqual(await flows(`connector=${WP}`), ['Entries', 'Entries 43']);
    assert.deepEqual(await flows(`connector=${WP}&triggerOperation=CreateFlow`), ['Entries', 'Entries 43']);
    assert.deepEqual(await flows(`connector=${WP}&triggerParameter.body%2Fform_id=42`), ['Entries']);
    assert.deepEqual(await flows('triggerParameter.body/form_id=43'), ['Entries 43']);
    assert.deepEqual(await flows('triggerParameter.body/form_id=44'), []);
    assert.deepEqual(await flows('connector=shared_pureleads'), []);
    assert.deepEqual(await flows('triggerOperation=GetEntries'), [], 'an action is not the trigger');
    // Unknown parameters are ignored as elsewhere; a repeated one is refused as elsewhere.
    assert.ok((await flows('whatever=1')).includes('My greeter'));
    const repeated = await fb.call('GET', `/api/v1/flows?connector=${WP}&connector=x`);
    assert.deepEqual([repeated.status, repeated.body.error.code], [400, 'InvalidRequest']);
    const empty = await fb.call('GET', '/api/v1/flows?connector=');
    assert.deepEqual([empty.status, empty.body.error.target], [400, 'connector']);
  });
});
