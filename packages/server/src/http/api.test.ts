import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testServer, type TestServer } from './test-support.js';

const echoFlow = {
  definition: {
    $schema:
      'https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#',
    contentVersion: '1.0.0.0',
    triggers: {
      manual: {
        type: 'Request',
        kind: 'Http',
        // No EnableSchemaValidation: the schema only describes the body (Logic Apps).
        inputs: { schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } },
      },
    },
    actions: {
      Compose: { type: 'Compose', inputs: "@concat('Hello ', triggerBody()?['name'])" },
      Response: {
        type: 'Response',
        runAfter: { Compose: ['Succeeded'] },
        inputs: { statusCode: 201, headers: { 'X-Test': 'yes' }, body: { greeting: "@outputs('Compose')" } },
      },
    },
    outputs: {},
  },
};

const noResponseFlow = {
  definition: {
    triggers: { manual: { type: 'Request', kind: 'Http' } },
    actions: { Compose: { type: 'Compose', inputs: '@triggerBody()' } },
  },
};

const waitFlow = {
  definition: {
    triggers: { manual: { type: 'Request', kind: 'Http' } },
    actions: { Delay: { type: 'Wait', inputs: { interval: { count: 1, unit: 'Hour' } } } },
  },
};

describe('HTTP API (in process)', () => {
  let t: TestServer;
  before(async () => {
    t = await testServer({ responseTimeoutMs: 5000 });
  });
  after(async () => {
    await t.dispose();
  });

  const api = async (method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) => {
    const res = await t.server.app.inject({
      method: method as 'GET',
      url,
      headers: { ...t.auth, ...headers },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    return {
      status: res.statusCode,
      body: res.body ? (JSON.parse(res.body) as Record<string, any>) : undefined,
      headers: res.headers,
    };
  };
  const create = async (name: string, flow: object) => {
    const res = await api('POST', '/api/v1/flows', { name, ...flow });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body!.id as string;
  };
  const signedUrl = async (id: string, trigger = 'manual') => {
    const res = await api('POST', `/api/v1/flows/${id}/triggers/${trigger}/listCallbackUrl`);
    assert.equal(res.status, 200);
    const url = new URL(res.body!.value as string);
    return url.pathname + url.search;
  };
  const waitForStatus = async (runId: string, done: (s: string) => boolean) => {
    for (let i = 0; i < 100; i++) {
      const r = await api('GET', `/api/v1/runs/${runId}`);
      if (r.status === 200 && done(r.body!.status as string)) return r.body!;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`run ${runId} did not settle`);
  };

  it('health, readiness and metrics', async () => {
    assert.equal((await t.server.app.inject({ url: '/healthz' })).statusCode, 200);
    assert.equal((await t.server.app.inject({ url: '/readyz' })).statusCode, 200);
    const metrics = await t.server.app.inject({ url: '/metrics' });
    assert.match(metrics.body, /flowbridge_runs_started_total/);
  });

  it('requires a bearer token on /api/v1', async () => {
    const res = await t.server.app.inject({ url: '/api/v1/flows', headers: { authorization: 'Bearer nope' } });
    assert.equal(res.statusCode, 401);
    assert.equal(JSON.parse(res.body).error.code, 'Unauthorized');
  });

  it('creates, lists, updates, versions, enables and disables flows', async () => {
    const id = await create('greeter', echoFlow);
    const got = await api('GET', `/api/v1/flows/${id}`);
    assert.equal(got.body!.name, 'greeter');
    assert.equal(got.body!.version, 1);
    assert.equal(got.body!.accessKey, undefined);
    const list = await api('GET', '/api/v1/flows');
    assert.ok((list.body!.value as Array<{ id: string }>).some((f) => f.id === id));
    const put = await api('PUT', `/api/v1/flows/${id}`, echoFlow);
    assert.equal(put.status, 200);
    assert.equal(put.body!.version, 2);
    const versions = await api('GET', `/api/v1/flows/${id}/versions`);
    assert.deepEqual((versions.body!.value as Array<{ version: number }>).map((v) => v.version).sort(), [1, 2]);
    assert.equal((await api('POST', `/api/v1/flows/${id}/disable`)).body!.state, 'Disabled');
    const url = await signedUrl(id);
    const disabled = await t.server.app.inject({ method: 'POST', url, payload: { name: 'x' } });
    assert.equal(disabled.statusCode, 409);
    assert.equal((await api('POST', `/api/v1/flows/${id}/enable`)).body!.state, 'Enabled');
    assert.equal((await api('DELETE', `/api/v1/flows/${id}`)).status, 204);
    assert.equal((await api('GET', `/api/v1/flows/${id}`)).status, 404);
  });

  it("the flow list with expand=trigger,lastRun carries each flow's first trigger and latest run", async () => {
    const ran = await create('listed-ran', echoFlow);
    const idle = await create('listed-idle', noResponseFlow);
    const url = await signedUrl(ran);
    const first = await t.server.app.inject({ method: 'POST', url, payload: { name: 'a' } });
    const second = await t.server.app.inject({ method: 'POST', url, payload: { name: 'b' } });
    assert.equal(second.statusCode, 201);
    const latest = second.headers['x-ms-workflow-run-id'];
    assert.notEqual(first.headers['x-ms-workflow-run-id'], latest);

    const plain = (await api('GET', '/api/v1/flows')).body!.value as Array<Record<string, unknown>>;
    assert.ok(
      plain.every((f) => !('trigger' in f) && !('lastRun' in f)),
      'nothing added unless asked',
    );

    const list = await api('GET', '/api/v1/flows?expand=trigger,lastRun,unknown');
    assert.equal(list.status, 200);
    const byId = new Map((list.body!.value as Array<Record<string, any>>).map((f) => [f.id, f]));
    assert.deepEqual(byId.get(ran)!.trigger, { name: 'manual', type: 'Request', kind: 'Http' });
    assert.equal(byId.get(ran)!.lastRun.id, latest);
    assert.equal(byId.get(ran)!.lastRun.status, 'Succeeded');
    assert.equal(byId.get(ran)!.lastRun.flowId, ran);
    assert.equal(byId.get(idle)!.lastRun, null);

    const triggersOnly = await api('GET', '/api/v1/flows?expand=trigger');
    const item = (triggersOnly.body!.value as Array<Record<string, unknown>>).find((f) => f.id === ran)!;
    assert.ok('trigger' in item && !('lastRun' in item));
    const bad = await api('GET', '/api/v1/flows?expand=trigger&expand=lastRun');
    assert.equal(bad.status, 400);
    assert.equal(bad.body!.error.target, 'expand');
  });

  it('a rejected update saves nothing; an unknown environment is a 400 naming it; flow changes are audited', async () => {
    const id = await create('careful', echoFlow);
    const bad = await api('PUT', `/api/v1/flows/${id}`, { ...echoFlow, kind: 'Sideways' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body!.error.target, 'kind');
    assert.equal((await api('GET', `/api/v1/flows/${id}`)).body!.version, 1, 'no version was saved');
    const noEnv = await api('POST', '/api/v1/flows', { name: 'lost', environmentId: 'nowhere', ...echoFlow });
    assert.equal(noEnv.status, 400);
    assert.equal(noEnv.body!.error.target, 'environmentId');
    assert.doesNotMatch(noEnv.body!.error.message as string, /SQLite|FOREIGN KEY/);
    await api('PUT', `/api/v1/flows/${id}`, echoFlow);
    await api('POST', `/api/v1/flows/${id}/disable`);
    await api('POST', `/api/v1/flows/${id}/regenerateAccessKey`);
    await api('DELETE', `/api/v1/flows/${id}`);
    const entries = await t.store.listAudit({ limit: 50 });
    const mine = entries.filter((e) => e.target === `flow:${id}`).map((e) => e.action);
    assert.deepEqual(mine.reverse(), [
      'flow.create',
      'flow.update',
      'flow.disable',
      'flow.regenerateAccessKey',
      'flow.delete',
    ]);
  });

  it('rejects an invalid definition with pointers', async () => {
    const res = await api('POST', '/api/v1/flows', {
      name: 'bad',
      definition: {
        triggers: {},
        actions: { A: { type: 'Compose', inputs: 1, runAfter: { Missing: ['Succeeded'] } } },
      },
    });
    assert.equal(res.status, 400);
    assert.equal(res.body!.error.code, 'InvalidDefinition');
    assert.ok((res.body!.error.details as Array<{ pointer: string }>).some((e) => e.pointer.includes('/actions/A')));
  });

  it('invokes a signed URL and returns the Response; run JSON has the actions', async () => {
    const id = await create('hello', echoFlow);
    const url = await signedUrl(id);
    assert.match(url, /api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1\.0&sig=/);
    const res = await t.server.app.inject({ method: 'POST', url, payload: { name: 'Ada' } });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(JSON.parse(res.body), { greeting: 'Hello Ada' });
    assert.equal(res.headers['x-test'], 'yes');
    const runId = res.headers['x-ms-workflow-run-id'] as string;
    assert.ok(runId);
    const run = await waitForStatus(runId, (s) => s === 'Succeeded');
    const full = await api('GET', `/api/v1/runs/${runId}?expand=actions`);
    assert.equal(full.body!.status, 'Succeeded');
    assert.equal(full.body!.actions.Compose.outputs, 'Hello Ada');
    assert.equal(full.body!.response.statusCode, 201);
    assert.equal(full.body!.trigger.outputs.body.name, 'Ada');
    assert.equal(run.flowId, id);
  });

  it('a trigger with secured outputs keeps them out of run history; actions reading them hide their inputs', async () => {
    const id = await create('secret-in', {
      definition: {
        triggers: {
          manual: {
            type: 'Request',
            kind: 'Http',
            runtimeConfiguration: { secureData: { properties: ['inputs', 'outputs'] } },
          },
        },
        actions: { Use: { type: 'Compose', inputs: "@triggerBody()?['password']" } },
      },
    });
    const res = await t.server.app.inject({
      method: 'POST',
      url: await signedUrl(id),
      payload: { password: 'hunter2' },
    });
    assert.equal(res.statusCode, 202);
    const runId = res.headers['x-ms-workflow-run-id'] as string;
    const run = await waitForStatus(runId, (s) => s === 'Succeeded');
    assert.equal(run.trigger.outputs, '*** secured ***');
    const full = await api('GET', `/api/v1/runs/${runId}?expand=actions`);
    assert.equal(full.body!.trigger.outputs, '*** secured ***');
    assert.equal(full.body!.actions.Use.inputs, '*** secured ***');
  });

  it('tampered or missing signature: 401 and no run', async () => {
    const id = await create('guarded', echoFlow);
    const url = await signedUrl(id);
    const tampered = url.replace(/sig=([^&]+)/, (_m, s: string) => `sig=${s.slice(0, -2)}xx`);
    for (const u of [tampered, url.replace(/&sig=[^&]+/, '')]) {
      const res = await t.server.app.inject({ method: 'POST', url: u, payload: { name: 'x' } });
      assert.equal(res.statusCode, 401);
      assert.equal(JSON.parse(res.body).error.code, 'Unauthorized');
    }
    const runs = await api('GET', `/api/v1/runs?flowId=${id}`);
    assert.equal((runs.body!.value as unknown[]).length, 0);
    // A regenerated key invalidates the old URL.
    await api('POST', `/api/v1/flows/${id}/regenerateAccessKey`);
    assert.equal((await t.server.app.inject({ method: 'POST', url, payload: { name: 'x' } })).statusCode, 401);
  });

  // operationOptions of the trigger → the status a body missing `name` gets (server default: 'trigger').
  const validationCases: Array<[string, string | undefined, number]> = [
    ['no option: accepted as Logic Apps does', undefined, 201],
    ['EnableSchemaValidation', 'EnableSchemaValidation', 400],
    ['any case, among other options', 'DisableAsyncPattern, enableschemavalidation', 400],
    ['another option only', 'DisableAsyncPattern', 201],
  ];
  for (const [name, operationOptions, status] of validationCases) {
    it(`schema validation: ${name}`, async () => {
      const flow = structuredClone(echoFlow);
      if (operationOptions) Object.assign(flow.definition.triggers.manual, { operationOptions });
      const id = await create(`strict-${status}-${operationOptions ?? 'none'}`, flow);
      const res = await t.server.app.inject({ method: 'POST', url: await signedUrl(id), payload: { other: 1 } });
      assert.equal(res.statusCode, status);
      const runs = (await api('GET', `/api/v1/runs?flowId=${id}`)).body!.value as unknown[];
      if (status === 400) {
        assert.equal(JSON.parse(res.body).error.code, 'SchemaValidationFailed');
        assert.equal(runs.length, 0);
      } else {
        assert.equal(JSON.parse(res.body).greeting, 'Hello ');
      }
    });
  }

  it('202 without a Response action, with the run id header', async () => {
    const id = await create('fire-and-forget', noResponseFlow);
    const res = await t.server.app.inject({ method: 'POST', url: await signedUrl(id), payload: { a: 1 } });
    assert.equal(res.statusCode, 202);
    const runId = res.headers['x-ms-workflow-run-id'] as string;
    assert.ok(runId);
    const run = await waitForStatus(runId, (s) => s === 'Succeeded');
    // The run records what its caller received.
    assert.equal(run.response?.statusCode, 202);
    const expanded = await api('GET', `/api/v1/runs/${runId}?expand=actions`);
    assert.equal(expanded.body!.response?.statusCode, 202);
  });

  it('cancels a waiting run and resubmits it', async () => {
    const id = await create('waiter', waitFlow);
    const res = await t.server.app.inject({ method: 'POST', url: await signedUrl(id), payload: { n: 7 } });
    const runId = res.headers['x-ms-workflow-run-id'] as string;
    await waitForStatus(runId, (s) => s === 'Waiting' || s === 'Running');
    const cancel = await api('POST', `/api/v1/runs/${runId}/cancel`);
    assert.equal(cancel.status, 202);
    await waitForStatus(runId, (s) => s === 'Cancelled');
    assert.equal((await api('POST', `/api/v1/runs/${runId}/cancel`)).status, 409);
    const again = await api('POST', `/api/v1/runs/${runId}/resubmit`);
    assert.equal(again.status, 202);
    const other = await api('GET', `/api/v1/runs/${again.body!.id}?expand=actions`);
    assert.equal(other.body!.trigger.outputs.body.n, 7);
    await api('POST', `/api/v1/runs/${again.body!.id}/cancel`);
  });

  it('pages runs with a cursor', async () => {
    const id = await create('pager', noResponseFlow);
    const url = await signedUrl(id);
    for (let i = 0; i < 5; i++) await t.server.app.inject({ method: 'POST', url, payload: { i } });
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await api(
        'GET',
        `/api/v1/runs?flowId=${id}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      assert.equal(res.status, 200);
      for (const r of res.body!.value as Array<{ id: string }>) seen.add(r.id);
      cursor = res.body!.nextCursor as string | null;
      pages++;
    } while (cursor && pages < 10);
    assert.equal(seen.size, 5);
    assert.ok(pages >= 3);
  });

  it('manual trigger run with typed inputs (instant flow: always checked)', async () => {
    const button = structuredClone(echoFlow);
    Object.assign(button.definition.triggers.manual, { kind: 'Button' });
    const id = await create('manual', button);
    const bad = await api('POST', `/api/v1/flows/${id}/triggers/manual/run`, { name: 3 });
    assert.equal(bad.status, 400);
    const ok = await api('POST', `/api/v1/flows/${id}/triggers/manual/run`, { name: 'Bo' });
    assert.equal(ok.status, 202);
    const run = await waitForStatus(ok.body!.runId as string, (s) => s === 'Succeeded');
    assert.equal(run.response.body.greeting, 'Hello Bo');
    const hist = await api('GET', `/api/v1/flows/${id}/triggers/manual/histories`);
    const entries = hist.body!.value as Array<{ status: string; fired: boolean; code?: string }>;
    assert.deepEqual(
      entries.map((e) => [e.status, e.fired, e.code]),
      [
        ['Succeeded', true, undefined],
        ['Failed', false, 'SchemaValidationFailed'],
      ],
    );
  });

  it('manual trigger run: conditions and splitOn apply as on the signed URL, on the one firing path', async () => {
    const id = await create('manual-split', {
      definition: {
        triggers: {
          manual: {
            type: 'Request',
            kind: 'Http',
            conditions: [{ expression: "@triggerBody()?['go']" }],
            splitOn: "@triggerBody()?['items']",
          },
        },
        actions: { Compose: { type: 'Compose', inputs: '@triggerBody()' } },
      },
    });
    // body: the keys of the 202 body (null: none); history: what the call adds to the trigger history.
    const cases = [
      { name: 'one item', payload: { go: true, items: [1] }, status: 202, body: ['runId'], history: ['Succeeded'] },
      {
        name: 'two items: two runs',
        payload: { go: true, items: [1, 2] },
        status: 202,
        body: ['runId', 'runIds'],
        history: ['Succeeded', 'Succeeded'],
      },
      { name: 'no items: no run', payload: { go: true, items: [] }, status: 202, body: null, history: [] },
      {
        name: 'conditions false',
        payload: { go: false },
        status: 202,
        body: null,
        skipped: true,
        history: ['Skipped'],
      },
      { name: 'a failing condition', payload: { go: 'x' }, status: 400, code: 'InvalidTemplate', history: ['Failed'] },
      { name: 'splitOn not an array', payload: { go: true }, status: 400, code: 'InvalidSplitOn', history: ['Failed'] },
    ];
    const expected: string[] = [];
    for (const c of cases) {
      const res = await api('POST', `/api/v1/flows/${id}/triggers/manual/run`, c.payload);
      assert.equal(res.status, c.status, c.name);
      assert.equal(res.headers['x-ms-trigger-skipped'], c.skipped ? 'true' : undefined, c.name);
      if (c.code) assert.equal(res.body!.error.code, c.code, c.name);
      else assert.deepEqual(res.body ? Object.keys(res.body) : null, c.body, c.name);
      if (res.body?.runId) assert.equal(res.headers['x-ms-workflow-run-id'], res.body.runId, c.name);
      expected.unshift(...c.history);
      await new Promise((r) => setTimeout(r, 5)); // distinct times, so the history is in call order
    }
    const hist = await api('GET', `/api/v1/flows/${id}/triggers/manual/histories`);
    assert.deepEqual(
      (hist.body!.value as Array<{ status: string }>).map((e) => e.status),
      expected,
    );
  });

  it('trigger history: fired, skipped by conditions and failed calls, newest first, paged', async () => {
    const id = await create('picky', {
      definition: {
        triggers: {
          manual: {
            type: 'Request',
            kind: 'Http',
            inputs: { schema: { type: 'object', properties: { go: { type: 'boolean' } } } },
            operationOptions: 'EnableSchemaValidation',
            conditions: [{ expression: "@equals(triggerBody()?['go'], true)" }],
          },
        },
        actions: { Compose: { type: 'Compose', inputs: 1 } },
      },
    });
    const url = await signedUrl(id);
    const call = async (payload: object) => {
      const res = await t.server.app.inject({ method: 'POST', url, payload });
      await new Promise((r) => setTimeout(r, 5)); // distinct times, so the order is the call order
      return res;
    };
    assert.equal((await call({ go: true })).statusCode, 202);
    const skipped = await call({ go: false });
    assert.equal(skipped.headers['x-ms-trigger-skipped'], 'true');
    assert.equal((await call({ go: 'yes' })).statusCode, 400);
    assert.equal((await call({ go: true })).statusCode, 202);
    const seen: Array<[string, boolean]> = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const res = await api(
        'GET',
        `/api/v1/flows/${id}/triggers/manual/histories?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      assert.equal(res.status, 200);
      for (const e of res.body!.value as Array<{ status: string; fired: boolean }>) seen.push([e.status, e.fired]);
      cursor = res.body!.nextCursor as string | null;
      if (!cursor) break;
    }
    assert.deepEqual(seen, [
      ['Succeeded', true],
      ['Failed', false],
      ['Skipped', false],
      ['Succeeded', true],
    ]);
    const bad = await api('GET', `/api/v1/flows/${id}/triggers/manual/histories?cursor=nonsense`);
    assert.equal(bad.status, 400);
  });

  it('stateless flows answer and are written once at the end', async () => {
    const id = await create('fast', { ...echoFlow, kind: 'Stateless' });
    const res = await t.server.app.inject({ method: 'POST', url: await signedUrl(id), payload: { name: 'S' } });
    assert.equal(res.statusCode, 201);
    const runId = res.headers['x-ms-workflow-run-id'] as string;
    const run = await waitForStatus(runId, (s) => s === 'Succeeded');
    assert.equal(run.status, 'Succeeded');
  });
});
