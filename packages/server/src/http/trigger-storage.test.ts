// A large trigger body is stored once (in the run's init, out of line), not once per place that
// shows it: the first event, the trigger's record and the run row all refer to that one copy.
// Measured as the database file's growth, with the WAL checkpointed away by closing the store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../store/index.js';
import { createServer, testAuth, TEST_TOKEN } from './test-support.js';

const flow = {
  name: 'large-body',
  definition: {
    triggers: { manual: { type: 'Request', kind: 'Http' } },
    actions: {
      Delay: { type: 'Wait', inputs: { interval: { count: 1, unit: 'Second' } } },
      Compose: { type: 'Compose', inputs: '@length(string(triggerBody()))', runAfter: { Delay: ['Succeeded'] } },
    },
  },
};

/** The database file's size after one run started with `body`. */
async function sizeAfterRun(body: string | Buffer, contentType: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-storage-'));
  const store = await openStore({ dataDir: dir });
  const server = await createServer({ store, auth: testAuth(), pollMs: 20 });
  try {
    await server.startBackground();
    const headers = { authorization: `Bearer ${TEST_TOKEN}` };
    const created = await server.app.inject({ method: 'POST', url: '/api/v1/flows', headers, payload: flow });
    const id = String(created.json().id);
    const listed = await server.app.inject({
      method: 'POST',
      url: `/api/v1/flows/${id}/triggers/manual/listCallbackUrl`,
      headers,
    });
    const url = new URL(String(listed.json().value));
    const res = await server.app.inject({
      method: 'POST',
      url: url.pathname + url.search,
      payload: body,
      headers: { 'content-type': contentType },
    });
    assert.equal(res.statusCode, 202, res.body);
    const runId = String(res.headers['x-ms-workflow-run-id']);
    let status = 'Running';
    for (let i = 0; i < 200 && status === 'Running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = String((await server.app.inject({ url: `/api/v1/runs/${runId}`, headers })).json().status);
    }
    assert.equal(status, 'Succeeded');
  } finally {
    await server.close();
    await store.close();
  }
  const size = statSync(join(dir, 'flowbridge.db')).size;
  rmSync(dir, { recursive: true, force: true });
  return size;
}

test('a ~5 MB trigger body grows the database by less than 1.5 times its size', async (t) => {
  const json = JSON.stringify({ items: Array.from({ length: 50_000 }, (_, i) => ({ i, text: 'x'.repeat(80) })) });
  const baseline = await sizeAfterRun('{}', 'application/json');
  const cases: Array<[string, string | Buffer, string]> = [
    ['JSON', json, 'application/json'],
    // Kept as a base64 `$content` envelope (4/3 of the bytes), still one copy.
    ['binary', Buffer.alloc(json.length, 7), 'application/octet-stream'],
  ];
  for (const [name, body, contentType] of cases) {
    await t.test(name, async () => {
      const growth = (await sizeAfterRun(body, contentType)) - baseline;
      assert.ok(growth < 1.5 * body.length, `${name}: grew ${growth} bytes for a body of ${body.length}`);
    });
  }
});
