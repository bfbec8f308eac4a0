// Idle runs through a spawned `flowbridge start` (issue #18): runs waiting on a Wait are parked (no
// run in memory, their timers pending in the store); after kill -9 the next start replays none of
// them, completes each after its due time, and cancels the one still waiting.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { client, rebase, startProcess, type ServerProcess } from './e2e-support.js';

const TOKEN = 'e2e-admin-token-idle-runs';
const dir = mkdtempSync(join(tmpdir(), 'flowbridge-idle-e2e-'));
const env = { FLOWBRIDGE_ADMIN_TOKEN: TOKEN };
const servers: ServerProcess[] = [];
after(async () => {
  for (const s of servers) await s.kill();
  rmSync(dir, { recursive: true, force: true });
});

const start = async (): Promise<ServerProcess> => {
  const s = await startProcess(['--data-dir', dir], env);
  servers.push(s);
  return s;
};

/** The gauges of /metrics this test reads. */
async function gauges(url: string): Promise<{ live: number; pending: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string): number => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1]);
  return { live: read('flowbridge_live_runs'), pending: read('flowbridge_timers_pending') };
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** Request → Wait until `dueAt` → Compose (the trigger body's n). */
const waitFlow = (dueAt: string) => ({
  triggers: { manual: { type: 'Request', kind: 'Http' } },
  actions: {
    Wait: { type: 'Wait', inputs: { until: { timestamp: dueAt } } },
    Done: { type: 'Compose', inputs: "@triggerBody()?['n']", runAfter: { Wait: ['Succeeded'] } },
  },
});

test('waiting runs are parked; after kill -9 a start replays none of them, and they complete or cancel', async () => {
  let server = await start();
  let api = client(server.url, TOKEN);
  const fire = async (dueAt: string, count: number): Promise<string[]> => {
    const flow = await api('POST', '/api/v1/flows', { name: `wait-${dueAt}`, definition: waitFlow(dueAt) });
    assert.equal(flow.status, 201, JSON.stringify(flow.body));
    const listed = await api('POST', `/api/v1/flows/${flow.body.id}/triggers/manual/listCallbackUrl`, {});
    const ids: string[] = [];
    for (let n = 0; n < count; n++) {
      const res = await fetch(rebase(listed.body.value as string, server.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ n }),
      });
      assert.equal(res.status, 202);
      ids.push(res.headers.get('x-ms-workflow-run-id')!);
    }
    return ids;
  };
  const soon = await fire(new Date(Date.now() + 3000).toISOString(), 3);
  const [later] = await fire(new Date(Date.now() + 3_600_000).toISOString(), 1);
  const status = async (runId: string) => (await api('GET', `/api/v1/runs/${runId}`)).body.status as string;
  // Parked: no run in memory, four timers in the store.
  await until('the runs to park', async () => JSON.stringify(await gauges(server.url)) === '{"live":0,"pending":4}');

  await server.kill('SIGKILL');
  server = await start();
  api = client(server.url, TOKEN);
  // The start replayed no run (it logs how many it resumed, when any).
  assert.ok(!server.output().includes('resumed unfinished runs'), server.output());
  for (const runId of soon) await until(`run ${runId} to end`, async () => (await status(runId)) !== 'Running');
  const outputs = [];
  for (const runId of soon) {
    const run = await api('GET', `/api/v1/runs/${runId}?expand=actions`);
    assert.equal(run.body.status, 'Succeeded', JSON.stringify(run.body));
    outputs.push(run.body.actions.Done.outputs);
  }
  assert.deepEqual(outputs, [0, 1, 2]);
  assert.deepEqual(await gauges(server.url), { live: 0, pending: 1 });

  // The run still parked is cancelled: the cancel rebuilds it from its events.
  assert.equal((await api('POST', `/api/v1/runs/${later}/cancel`)).status, 202);
  await until('the cancel', async () => (await status(later!)) === 'Cancelled');
  assert.deepEqual(await gauges(server.url), { live: 0, pending: 0 });
  await server.kill('SIGTERM');
});
