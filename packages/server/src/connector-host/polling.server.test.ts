// A polling trigger through the server against a fake Pure Leads service (the corpus connector,
// its host pointed at the fake): batch items fire one run each, 202 fires nothing, the Location
// is the next poll's URL, and a restart between polls neither loses nor repeats an item.
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
} from './test-support.js';

const KEY = 'pl-key-93b1d0c2-secret';
const API_ID = '/providers/Microsoft.PowerApps/apis/shared_pureleads';

describe('connector polling trigger through the server', () => {
  let service: FakeService;
  let fb: ConnectorServer;
  let phase: 'before' | 'after' = 'before';
  const temp = tempDir();
  before(async () => {
    service = await fakeService((r, base) => {
      if (r.method !== 'GET' || r.path !== '/api/trigger/contacts') return undefined;
      const next = (cursor: number) => ({ location: `${base}/api/trigger/contacts?cursor=${cursor}` });
      const cursor = r.query.get('cursor');
      if (cursor === null) return { status: 200, headers: next(2), body: { value: [{ id: 1 }, { id: 2 }] } };
      if (cursor === '2' && phase === 'after') return { status: 200, headers: next(3), body: { value: [{ id: 3 }] } };
      return { status: 202, headers: { ...next(Number(cursor)), 'retry-after': '0' } };
    });
    fb = await connectorServer(temp.dir);
  });
  after(async () => {
    await fb.stop();
    await fb.store.close();
    await service.close();
    temp.remove();
  });

  const itemsRun = async (flowId: string): Promise<number[]> => {
    const runs = await fb.call('GET', `/api/v1/runs?flowId=${flowId}`);
    const ids: number[] = [];
    for (const run of runs.body.value as Array<{ id: string }>) {
      const detail = await fb.call('GET', `/api/v1/runs/${run.id}`);
      ids.push(detail.body.trigger.outputs.body.id as number);
    }
    return ids.sort();
  };

  it('fires one run per item, follows Location, and survives a restart without loss or repeat', async () => {
    const files = fixture('pure-leads');
    files.apiDefinition.host = new URL(service.url).host;
    files.apiDefinition.schemes = ['http'];
    const imported = await fb.call('POST', '/api/v1/connectors', { ...files, name: 'shared_pureleads' });
    assert.equal(imported.status, 201, JSON.stringify(imported.body));
    const made = await fb.call('POST', '/api/v1/connections', {
      name: 'leads',
      connectorName: 'shared_pureleads',
      parameters: { api_key: KEY },
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const created = await fb.call('POST', '/api/v1/flows', {
      name: 'new leads',
      connectionReferences: { shared_pureleads: { connectionName: 'leads', id: API_ID } },
      definition: {
        triggers: {
          New_lead: {
            type: 'OpenApiConnection',
            recurrence: { frequency: 'Second', interval: 1 },
            inputs: {
              host: { connectionName: 'shared_pureleads', operationId: 'Created-Lead-Submission', apiId: API_ID },
            },
          },
        },
        actions: { Keep: { type: 'Compose', inputs: '@triggerBody()' } },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.state, 'Enabled', JSON.stringify(created.body.stateError));
    const flowId = created.body.id as string;

    await until('two runs', async () => ((await itemsRun(flowId)).length === 2 ? true : undefined));
    await until('a poll at the Location', () =>
      service.requests.find((r) => r.query.get('cursor') === '2') ? true : undefined,
    );
    assert.equal(service.requests[0]!.headers.authorization, KEY, 'the key goes in its header');

    // Restart: a new server on the same data; the service now has one new item at the cursor.
    await fb.stop();
    const before = service.requests.length;
    phase = 'after';
    fb = await connectorServer(temp.dir, fb.store, fb.logs);
    await until('the third run', async () => ((await itemsRun(flowId)).length >= 3 ? true : undefined));
    await until('polls after it', () =>
      service.requests.filter((r) => r.query.get('cursor') === '3').length >= 2 ? true : undefined,
    );
    assert.deepEqual(await itemsRun(flowId), [1, 2, 3], 'every item once');
    const afterRestart = service.requests.slice(before);
    assert.ok(
      afterRestart.every((r) => r.query.get('cursor') !== null),
      'after the restart polling went on from the kept Location',
    );
    const history = await fb.store.listTriggerHistory(flowId, 'New_lead');
    assert.ok(
      history.some((h) => h.status === 'Skipped'),
      '202 polls are skipped evaluations',
    );
  });

  it('a Logic Apps ApiConnection polling trigger (method + path through $connections) polls the same way', async () => {
    const created = await fb.call('POST', '/api/v1/flows', {
      name: 'logic app leads',
      parameters: {
        $connections: { leads: { connectionId: '/subscriptions/s/providers/Microsoft.Web/connections/leads' } },
      },
      definition: {
        parameters: { $connections: { type: 'Object', defaultValue: {} } },
        triggers: {
          When_leads: {
            type: 'ApiConnection',
            recurrence: { frequency: 'Second', interval: 1 },
            inputs: {
              host: { connection: { name: "@parameters('$connections')['leads']['connectionId']" } },
              method: 'get',
              path: '/trigger/contacts',
            },
          },
        },
        actions: { Keep: { type: 'Compose', inputs: '@triggerBody()' } },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.state, 'Enabled', JSON.stringify(created.body.stateError));
    const flowId = created.body.id as string;
    // The service is in its second phase: the first poll gives 1 and 2, the Location then 3.
    await until('three runs', async () => ((await itemsRun(flowId)).length >= 3 ? true : undefined));
    assert.deepEqual(await itemsRun(flowId), [1, 2, 3]);
  });
});
