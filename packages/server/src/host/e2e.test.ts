// End to end, as a user would: `flowbridge start` as a process on a temp data dir, flows deployed
// over the API, called on their signed URLs; SIGKILL during runs, restart, runs end as expected.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../store/index.js';
import { client, rebase, startProcess, type ServerProcess } from './e2e-support.js';

const TOKEN = 'e2e-admin-token';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const greeter = {
  triggers: { manual: { type: 'Request', kind: 'Http' } },
  actions: {
    Response: {
      type: 'Response',
      inputs: { statusCode: 200, body: { hello: "@triggerBody()?['name']" } },
    },
  },
};
const waiter = {
  triggers: { manual: { type: 'Request', kind: 'Http' } },
  actions: {
    Delay: { type: 'Wait', inputs: { interval: { count: 3, unit: 'Second' } } },
    Done: { type: 'Compose', runAfter: { Delay: ['Succeeded'] }, inputs: 'done' },
  },
  outputs: { result: { type: 'String', value: "@outputs('Done')" } },
};

describe('flowbridge start (process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-e2e-'));
  const env = { FLOWBRIDGE_ADMIN_TOKEN: TOKEN };
  let server: ServerProcess | undefined;
  const start = async () => (server = await startProcess(['--data-dir', dir], env));
  after(async () => {
    await server?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  const deploy = async (name: string, definition: object) => {
    const api = client(server!.url, TOKEN);
    const created = await api('POST', '/api/v1/flows', { name, definition });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const url = await api('POST', `/api/v1/flows/${created.body.id}/triggers/manual/listCallbackUrl`);
    assert.equal(url.status, 200);
    return { id: created.body.id as string, url: url.body.value as string };
  };
  const settle = async (runId: string, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await client(server!.url, TOKEN)('GET', `/api/v1/runs/${runId}?expand=actions`);
      if (r.status === 200 && !['Running', 'Waiting', 'Queued'].includes(r.body.status)) return r.body;
      if (Date.now() > deadline) assert.fail(`run ${runId} did not finish: ${JSON.stringify(r.body)}`);
      await sleep(200);
    }
  };

  it('deploys a flow, answers on its signed URL, rejects a tampered signature', async () => {
    await start();
    const { id, url } = await deploy('greeter', greeter);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"Ada"}',
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { hello: 'Ada' });
    assert.ok(res.headers.get('x-ms-workflow-run-id'));
    const bad = await fetch(url.replace(/sig=[^&]+/, 'sig=AAAA'), { method: 'POST', body: '{}' });
    assert.equal(bad.status, 401);
    const runs = await client(server!.url, TOKEN)('GET', `/api/v1/runs?flowId=${id}`);
    assert.equal(runs.body.value.length, 1);
  });

  it('a run waiting 3 s survives SIGKILL and a restart', async () => {
    const { url } = await deploy('waiter', waiter);
    const res = await fetch(url, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 202);
    const runId = res.headers.get('x-ms-workflow-run-id')!;
    await sleep(800);
    await server!.kill('SIGKILL');
    await start();
    const run = await settle(runId);
    assert.equal(run.status, 'Succeeded');
    assert.equal(run.outputs.result, 'done');
    assert.equal(run.actions.Done.status, 'Succeeded');
  });

  it('SIGTERM drains and exits 0', async () => {
    const code = await server!.kill('SIGTERM');
    assert.equal(code, 0);
    server = undefined;
  });
});

describe('fault injection: SIGKILL at random moments', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-fault-'));
  let server: ServerProcess | undefined;
  let target: Server;
  let targetUrl = '';
  // Every request the flows make, by idempotency key.
  const keys = new Map<string, number>();
  before(async () => {
    target = createServer((req, res) => {
      const key = String(req.headers['idempotency-key'] ?? req.headers['x-ms-client-request-id'] ?? 'none');
      keys.set(key, (keys.get(key) ?? 0) + 1);
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, path: req.url }));
      }, 150);
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const address = target.address();
    targetUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  after(async () => {
    await server?.kill();
    await new Promise((r) => target.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('every run ends with the expected results; effects repeat only with the same key', async () => {
    const env = { FLOWBRIDGE_ADMIN_TOKEN: TOKEN };
    server = await startProcess(['--data-dir', dir], env);
    const api = () => client(server!.url, TOKEN);
    const definition = {
      triggers: { manual: { type: 'Request', kind: 'Http' } },
      actions: {
        Loop: {
          type: 'Foreach',
          foreach: "@triggerBody()?['items']",
          runtimeConfiguration: { concurrency: { repetitions: 1 } },
          actions: {
            Call: { type: 'Http', inputs: { method: 'POST', uri: `${targetUrl}/item`, body: "@items('Loop')" } },
          },
        },
        Pause: { type: 'Wait', runAfter: { Loop: ['Succeeded'] }, inputs: { interval: { count: 1, unit: 'Second' } } },
        Last: { type: 'Http', runAfter: { Pause: ['Succeeded'] }, inputs: { method: 'GET', uri: `${targetUrl}/last` } },
      },
      outputs: { n: { type: 'Int', value: "@length(triggerBody()?['items'])" } },
    };
    const created = await api()('POST', '/api/v1/flows', { name: 'fault', definition });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const url = (await api()('POST', `/api/v1/flows/${created.body.id}/triggers/manual/listCallbackUrl`)).body
      .value as string;
    const runIds: string[] = [];
    const expected = new Map<string, number>();
    for (let i = 0; i < 6; i++) {
      const items = Array.from({ length: 3 + (i % 3) }, (_, k) => k);
      const res = await fetch(rebase(url, server!.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ items }),
      });
      assert.equal(res.status, 202);
      const runId = res.headers.get('x-ms-workflow-run-id')!;
      runIds.push(runId);
      expected.set(runId, items.length);
    }
    for (let k = 0; k < 3; k++) {
      await sleep(200 + Math.floor(Math.random() * 700));
      await server!.kill('SIGKILL');
      server = await startProcess(['--data-dir', dir], env);
    }
    for (const runId of runIds) {
      const deadline = Date.now() + 30_000;
      let run;
      for (;;) {
        const r = await api()('GET', `/api/v1/runs/${runId}?expand=actions`);
        run = r.body;
        if (!['Running', 'Waiting', 'Queued'].includes(run.status) || Date.now() > deadline) break;
        await sleep(200);
      }
      assert.equal(run.status, 'Succeeded', JSON.stringify(run.error));
      assert.equal(run.outputs.n, expected.get(runId));
      assert.equal(run.actions.Call.repetitions.length, expected.get(runId));
      assert.equal(run.actions.Last.status, 'Succeeded');
      // One idempotency key per action path and attempt; the target saw each key at least once.
      const runKeys = [...keys.keys()].filter((key) => key.startsWith(`${runId}/`));
      assert.equal(runKeys.length, expected.get(runId)! + 1, runKeys.join('\n'));
      for (const key of runKeys) assert.match(key, /\/1$/);
    }
    assert.equal(keys.get('none'), undefined);
    // No step recorded twice: each effect result and timer appears once in each run's history.
    assert.equal(await server!.kill('SIGTERM'), 0);
    server = undefined;
    const store = await openStore({ dataDir: dir });
    try {
      for (const runId of runIds) {
        const { events } = await store.loadRunHistory(runId);
        const ids = (events as Array<{ kind: string; id?: string; key?: string }>).map(
          (e) => `${e.kind}:${e.id ?? e.key}`,
        );
        assert.equal(new Set(ids).size, ids.length, ids.join('\n'));
      }
    } finally {
      await store.close();
    }
  });
});
