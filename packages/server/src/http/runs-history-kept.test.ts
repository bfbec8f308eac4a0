// GET /api/v1/runs/{id} says when a Stateless run kept no per-action history (historyKept: false),
// so that the web app and API clients can tell "no actions ran" from "none were kept".
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testServer, type TestServer } from './test-support.js';

const definition = {
  triggers: { manual: { type: 'Request', kind: 'Http' } },
  actions: {
    Compose: { type: 'Compose', inputs: 1 },
    Response: { type: 'Response', inputs: { statusCode: 200, body: 'ok' }, runAfter: { Compose: ['Succeeded'] } },
  },
};

describe('historyKept on a run', () => {
  let t: TestServer;
  before(async () => {
    t = await testServer();
  });
  after(() => t.dispose());

  async function runOf(kind: 'Stateful' | 'Stateless'): Promise<Record<string, unknown>> {
    const { app } = t.server;
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/flows',
      headers: t.auth,
      payload: { name: kind, kind, definition },
    });
    assert.equal(created.statusCode, 201, created.body);
    const { id } = created.json<{ id: string }>();
    const ran = await app.inject({
      method: 'POST',
      url: `/api/v1/flows/${id}/triggers/manual/run`,
      headers: t.auth,
      payload: {},
    });
    assert.equal(ran.statusCode, 202, ran.body);
    const { runId } = ran.json<{ runId: string }>();
    for (let i = 0; i < 200; i++) {
      const res = await app.inject({ method: 'GET', url: `/api/v1/runs/${runId}?expand=actions`, headers: t.auth });
      const run = res.json<Record<string, unknown>>();
      if (res.statusCode === 200 && run.status === 'Succeeded') return run;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`run ${runId} did not succeed`);
  }

  it('false for a Stateless run without WithStatelessRunHistory, with no actions', async () => {
    const run = await runOf('Stateless');
    assert.equal(run.historyKept, false);
    assert.deepEqual(run.actions, {});
    assert.deepEqual(run.response, { statusCode: 200, headers: {}, body: 'ok' });
  });

  it('absent for a Stateful run, which shows its actions', async () => {
    const run = await runOf('Stateful');
    assert.equal('historyKept' in run, false);
    assert.deepEqual(Object.keys(run.actions as object).sort(), ['Compose', 'Response']);
  });
});
