// A Recurrence flow through the whole server: created over the API (which pokes the scheduler),
// it produces runs that succeed; disabled, it stops.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testServer } from '../http/test-support.js';

test('a Recurrence flow every second produces runs until disabled', async () => {
  const t = await testServer();
  try {
    // Let the scheduler's first pass go by: the flow below must be noticed through the poke.
    await new Promise((r) => setTimeout(r, 200));
    const create = await t.server.app.inject({
      method: 'POST',
      url: '/api/v1/flows',
      headers: t.auth,
      payload: {
        name: 'every-second',
        definition: {
          triggers: { Tick: { type: 'Recurrence', recurrence: { frequency: 'Second', interval: 1 } } },
          actions: { Compose: { type: 'Compose', inputs: "@trigger()['name']" } },
        },
      },
    });
    assert.equal(create.statusCode, 201, create.body);
    const flowId = (JSON.parse(create.body) as { id: string }).id;
    const finished = async (): Promise<string[]> =>
      (await t.store.listRuns({ flowId })).items.filter((r) => r.status !== 'Running').map((r) => r.status);
    const deadline = Date.now() + 10_000;
    while ((await finished()).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const statuses = await finished();
    assert.ok(statuses.length >= 2, `runs: ${statuses.join(',')}`);
    assert.ok(statuses.every((s) => s === 'Succeeded'));
    const [run] = (await t.store.listRuns({ flowId })).items;
    assert.equal(run!.triggerName, 'Tick');
    const result = await t.server.host.resultOf(run!.id);
    assert.equal(result?.actions.Compose?.outputs, 'Tick');

    const disable = await t.server.app.inject({
      method: 'POST',
      url: `/api/v1/flows/${flowId}/disable`,
      headers: t.auth,
    });
    assert.equal(disable.statusCode < 300, true, disable.body);
    await new Promise((r) => setTimeout(r, 100)); // a pass already under way may still fire
    const count = (await t.store.listRuns({ flowId })).items.length;
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await t.store.listRuns({ flowId })).items.length, count);
  } finally {
    await t.dispose();
  }
});
