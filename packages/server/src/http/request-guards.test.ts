import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testServer, type TestServer } from './test-support.js';

const flow = {
  definition: {
    triggers: { manual: { type: 'Request', kind: 'Http' } },
    actions: { Compose: { type: 'Compose', inputs: '@triggerBody()' } },
  },
};

const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);

describe('request guards (limits, empty JSON bodies, repeated query parameters, api-version)', () => {
  let t: TestServer;
  let flowId: string;
  let invokeUrl: URL;
  before(async () => {
    t = await testServer();
    const created = await send('POST', '/api/v1/flows', { name: 'guarded', ...flow });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    flowId = created.body!.id as string;
    const url = await send('POST', `/api/v1/flows/${flowId}/triggers/manual/listCallbackUrl`);
    invokeUrl = new URL(url.body!.value as string);
  });
  after(async () => {
    await t.dispose();
  });

  async function send(method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) {
    const res = await t.server.app.inject({
      method: method as 'POST',
      url,
      headers: { ...t.auth, ...headers },
      ...(payload === undefined ? {} : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
      ...(payload !== undefined && !headers['content-type']
        ? { headers: { ...t.auth, 'content-type': 'application/json', ...headers } }
        : {}),
    });
    const json = res.body && /json/.test(String(res.headers['content-type'])) ? JSON.parse(res.body) : undefined;
    return { status: res.statusCode, body: json as Record<string, any> | undefined };
  }
  const trigger = (query: URLSearchParams = invokeUrl.searchParams) => `${invokeUrl.pathname}?${query.toString()}`;
  const json = { 'content-type': 'application/json' };

  it('answers 50,000-deep JSON with 400 NestingTooDeep on every kind of route, and keeps serving', async () => {
    const cases: Array<[string, string, string]> = [
      ['flows', 'POST', '/api/v1/flows'],
      ['flow update', 'PUT', '/api/v1/flows/x'],
      ['manual trigger run', 'POST', '/api/v1/flows/x/triggers/manual/run'],
      ['run cancel', 'POST', '/api/v1/runs/x/cancel'],
      ['trigger URL', 'POST', ''],
    ];
    for (const [name, method, url] of cases) {
      const res = await send(method, url || trigger(), deep(50_000), json);
      assert.equal(res.status, 400, `${name}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body?.error?.code, 'NestingTooDeep', name);
    }
    assert.equal((await send('GET', '/healthz')).status, 200);
  });

  it('starts a run with a trigger body nested below the trigger limit (900 levels)', async () => {
    const body = JSON.stringify({ a: JSON.parse(deep(900)) as unknown });
    const res = await t.server.app.inject({ method: 'POST', url: trigger(), payload: body, headers: json });
    assert.equal(res.statusCode, 202, res.body);
    const runId = String(res.headers['x-ms-workflow-run-id']);
    let status = '';
    for (let i = 0; i < 100 && !/Succeeded|Failed/.test(status); i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = String((await send('GET', `/api/v1/runs/${runId}`)).body?.status);
    }
    assert.equal(status, 'Succeeded');
  });

  it('answers bodies past the limit of the route with 413 RequestTooLarge', async () => {
    const big = (mib: number) => JSON.stringify({ name: 'x', pad: 'x'.repeat(mib * 1024 * 1024) });
    const cases: Array<[string, string, string, number]> = [
      ['management past 1 MiB', 'POST', '/api/v1/runs/x/cancel', 2],
      ['flows past 10 MiB', 'POST', '/api/v1/flows', 11],
    ];
    for (const [name, method, url, mib] of cases) {
      const res = await send(method, url, big(mib), json);
      assert.equal(res.status, 413, name);
      assert.equal(res.body?.error?.code, 'RequestTooLarge', name);
    }
    // Below its limit a flow body is read (and refused for what it is, not for its size).
    const flows = await send('POST', '/api/v1/flows', big(5), json);
    assert.notEqual(flows.status, 413);
  });

  it('accepts an empty body with content-type application/json on every body-less POST', async () => {
    const run = await t.server.app.inject({ method: 'POST', url: trigger() });
    const runId = String(run.headers['x-ms-workflow-run-id']);
    const posts = [
      `/api/v1/flows/${flowId}/triggers/manual/listCallbackUrl`,
      `/api/v1/flows/${flowId}/regenerateAccessKey`,
      `/api/v1/flows/${flowId}/disable`,
      `/api/v1/flows/${flowId}/enable`,
      `/api/v1/runs/${runId}/resubmit`,
      `/api/v1/runs/${runId}/cancel`,
    ];
    for (const url of posts) {
      const res = await send('POST', url, '', json);
      assert.ok(
        res.status < 300 || res.body?.error?.code === 'Conflict',
        `${url}: ${res.status} ${JSON.stringify(res.body)}`,
      );
    }
  });

  it('answers a repeated query parameter with 400 naming it', async () => {
    const cases: Array<[string, string]> = [
      ['/api/v1/runs?status=Succeeded&status=Failed', 'status'],
      ['/api/v1/runs/nope?expand=actions&expand=actions', 'expand'],
      ['/api/v1/flows?environmentId=a&environmentId=b', 'environmentId'],
      [`/api/v1/flows/x/triggers/manual/histories?limit=1&limit=2`, 'limit'],
    ];
    for (const [url, name] of cases) {
      const res = await send('GET', url);
      assert.equal(res.status, 400, url);
      assert.equal(res.body?.error?.code, 'InvalidRequest', url);
      assert.equal(res.body?.error?.target, name, url);
    }
  });

  it('answers a trigger URL without api-version, or with an unknown one, with 400 as Logic Apps', async () => {
    // The access key was regenerated above: the URL of now.
    const url = await send('POST', `/api/v1/flows/${flowId}/triggers/manual/listCallbackUrl`);
    invokeUrl = new URL(url.body!.value as string);
    const without = new URLSearchParams(invokeUrl.searchParams);
    without.delete('api-version');
    const unknown = new URLSearchParams(invokeUrl.searchParams);
    unknown.set('api-version', '2099-01-01');
    const cases: Array<[string, URLSearchParams, number, string | undefined]> = [
      ['missing', without, 400, 'MissingApiVersionParameter'],
      ['unknown', unknown, 400, 'InvalidApiVersionParameter'],
      ['2016-06-01', invokeUrl.searchParams, 202, undefined],
      [
        '2019-05-01',
        new URLSearchParams({ ...Object.fromEntries(invokeUrl.searchParams), 'api-version': '2019-05-01' }),
        202,
        undefined,
      ],
    ];
    for (const [name, query, status, code] of cases) {
      const res = await send('POST', trigger(query), {}, json);
      assert.equal(res.status, status, name);
      assert.equal(res.body?.error?.code, code, name);
    }
  });
});
