// Action records are derived data: a durable run writes them when it goes idle (only timers or
// callbacks left) or ends, not with every step; a run rebuilt after a restart writes what the
// stopped process had not.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type SqlStore } from '../store/index.js';
import { TEST_TOKEN, createServer, holdingServer, testAuth, type FlowbridgeServer } from '../http/test-support.js';

async function serve(dir: string): Promise<{ store: SqlStore; server: FlowbridgeServer }> {
  const store = await openStore({ dataDir: dir });
  const server = await createServer({ store, auth: testAuth(), pollMs: 50, drainMs: 100 });
  await server.startBackground();
  return { store, server };
}

async function deployAndFire(server: FlowbridgeServer, definition: object): Promise<string> {
  const headers = { authorization: `Bearer ${TEST_TOKEN}` };
  const created = await server.app.inject({
    method: 'POST',
    url: '/api/v1/flows',
    headers,
    payload: { name: 'records', definition },
  });
  const id = (JSON.parse(created.body) as { id: string }).id;
  const cb = await server.app.inject({
    method: 'POST',
    url: `/api/v1/flows/${id}/triggers/manual/listCallbackUrl`,
    headers,
  });
  const url = new URL((JSON.parse(cb.body) as { value: string }).value);
  const res = await server.app.inject({ method: 'POST', url: url.pathname + url.search, payload: {} });
  return res.headers['x-ms-workflow-run-id'] as string;
}

async function until(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const statuses = async (store: SqlStore, runId: string) =>
  Object.fromEntries(
    ((await store.getRun(runId, { withActions: true }))?.actions ?? []).map((a) => [a.path, a.status]),
  );

describe('action records', () => {
  it('are written when the run goes idle and when it ends, and after a restart', async () => {
    const work = await holdingServer();
    const dir = mkdtempSync(join(tmpdir(), 'flowbridge-records-'));
    let { store, server } = await serve(dir);
    try {
      const runId = await deployAndFire(server, {
        triggers: { manual: { type: 'Request', kind: 'Http' } },
        actions: {
          First: { type: 'Compose', inputs: 'one' },
          Call: {
            type: 'Http',
            inputs: { method: 'GET', uri: `${work.base}/x?n=1` },
            runAfter: { First: ['Succeeded'] },
          },
          Pause: {
            type: 'Wait',
            inputs: { interval: { count: 1, unit: 'Hour' } },
            runAfter: { Call: ['Succeeded'] },
          },
        },
      });
      await until('the call', () => work.seen.length === 1);
      // An effect is in flight: the steps so far are durable through their events alone.
      assert.deepEqual(await statuses(store, runId), {});
      // Stopped mid-call, then started again: the rebuilt run re-sends the call and, once it only
      // waits (the Wait), writes every record, including those the stopped process never wrote.
      await server.close();
      await store.close();
      ({ store, server } = await serve(dir));
      await until('the call again', () => work.seen.length === 2);
      work.release('1');
      await until('the run to go idle', async () => (await statuses(store, runId)).Pause !== undefined);
      assert.deepEqual(await statuses(store, runId), { First: 'Succeeded', Call: 'Succeeded', Pause: 'Waiting' });
      // Cancelled: the final records are written with the final status.
      const cancel = await server.app.inject({
        method: 'POST',
        url: `/api/v1/runs/${runId}/cancel`,
        headers: { authorization: `Bearer ${TEST_TOKEN}` },
      });
      assert.equal(cancel.statusCode, 202);
      await until('the run to end', async () => (await store.getRun(runId))?.status === 'Cancelled');
      assert.deepEqual(await statuses(store, runId), { First: 'Succeeded', Call: 'Succeeded', Pause: 'Cancelled' });
    } finally {
      await server.close();
      await store.close();
      await work.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
