// The outbound policy end to end: flows with Http actions run by the real server (HTTP API,
// trigger URL, host, effects) against local servers that redirect.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { testServer, type TestServer as ApiServer } from '../http/test-support.js';
import { startTestServer, type TestServer } from './test-server.js';

function httpFlow(uri: string, extra: Record<string, unknown> = {}): object {
  return {
    definition: {
      triggers: { manual: { type: 'Request', kind: 'Http' } },
      actions: { Call: { type: 'Http', inputs: { method: 'GET', uri, ...extra } } },
    },
  };
}

describe('outbound policy through the server', () => {
  let t: ApiServer;
  let first: TestServer;
  let second: TestServer;
  before(async () => {
    t = await testServer();
    const redirecting = (req: { url: string }, res: ServerResponse): void => {
      const to = new URL(req.url, 'http://x').searchParams.get('to');
      if (to) {
        res.statusCode = 302;
        res.setHeader('location', to);
      }
      res.end('{}');
    };
    first = await startTestServer(redirecting);
    second = await startTestServer(redirecting);
  });
  after(async () => {
    await t.dispose();
    await first.close();
    await second.close();
  });

  const api = async (method: string, url: string, payload?: object) => {
    const res = await t.server.app.inject({
      method: method as 'GET',
      url,
      headers: t.auth,
      ...(payload ? { payload } : {}),
    });
    return { status: res.statusCode, body: JSON.parse(res.body || '{}') as Record<string, any>, headers: res.headers };
  };
  const runFlow = async (name: string, flow: object) => {
    const created = await api('POST', '/api/v1/flows', { name, ...flow });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const callback = await api('POST', `/api/v1/flows/${created.body.id}/triggers/manual/listCallbackUrl`);
    const url = new URL(callback.body.value as string);
    const started = await t.server.app.inject({ method: 'POST', url: url.pathname + url.search, payload: {} });
    const runId = started.headers['x-ms-workflow-run-id'] as string;
    for (let i = 0; i < 200; i++) {
      const run = await api('GET', `/api/v1/runs/${runId}?expand=actions`);
      if (run.status === 200 && !['Running', 'Waiting'].includes(run.body.status as string)) return run.body;
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.fail(`run ${runId} did not end`);
  };

  it('an Http action redirected to the cloud metadata address fails with OutboundDenied', async () => {
    const to = encodeURIComponent('http://169.254.169.254/latest/meta-data/iam/');
    const run = await runFlow('metadata', httpFlow(`${first.url}/go?to=${to}`));
    assert.equal(run.status, 'Failed');
    const call = run.actions.Call;
    assert.equal(call.status, 'Failed');
    assert.equal(call.error.code, 'OutboundDenied');
    assert.match(call.error.message as string, /169\.254\.169\.254.*built-in deny list/);
  });

  it('an Http action calling the metadata address directly is refused the same way', async () => {
    const run = await runFlow('direct', httpFlow('http://169.254.169.254/metadata/instance'));
    assert.equal(run.actions.Call.error.code, 'OutboundDenied');
  });

  it('a redirect to another port (another origin) loses the Authorization header', async () => {
    const to = encodeURIComponent(`${second.url}/landing`);
    const run = await runFlow(
      'cross-origin',
      httpFlow(`${first.url}/go?to=${to}`, { authentication: { type: 'Raw', value: 'Bearer s3cret' } }),
    );
    assert.equal(run.status, 'Succeeded', JSON.stringify(run.actions.Call?.error));
    assert.equal(first.requests.at(-1)?.headers.authorization, 'Bearer s3cret');
    const landed = second.requests.at(-1)!;
    assert.equal(landed.url, '/landing');
    assert.equal(landed.headers.authorization, undefined);
  });
});
