// Chaos, bounded (issue 19): api + two workers under a steady load; a worker is killed with
// SIGKILL several times and started again. Every accepted run Succeeds, and no effect is ever sent
// under two idempotency keys (a re-send after a kill repeats the same key).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { postgresAvailable } from '../store/test-support/backends.js';
import { client, type ServerProcess } from './e2e-support.js';
import { startClusterUnderLoad, type ClusterUnderLoad } from './test-support/cluster-load.js';

const TOKEN = 'chaos-admin-token';
/** Short: a killed worker's runs move on when their leases expire. */
const LEASE_MS = 1500;
const KILLS = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pgUp = await postgresAvailable();

describe('chaos: kill -9 under load (processes)', { skip: pgUp ? false : 'PostgreSQL not reachable' }, () => {
  let cluster: ClusterUnderLoad;
  let api: ServerProcess;
  let keys: Map<string, number>;
  const startWorker = (): Promise<ServerProcess> => cluster.startWorker();

  before(async () => {
    cluster = await startClusterUnderLoad(TOKEN, LEASE_MS);
    ({ api, keys } = cluster);
  });
  after(async () => {
    await cluster?.close();
  });

  it('workers killed with SIGKILL and restarted under load: every accepted run Succeeds, one key per effect', async () => {
    const call = client(api.url, TOKEN);
    const signed = await cluster.deploySteadyFlow();
    const workers = await Promise.all([startWorker(), startWorker()]);

    const runIds: string[] = [];
    let loading = true;
    const load = (async () => {
      while (loading) {
        const res = await fetch(signed, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        // Accepted runs are the ones that count; the api process itself is never killed.
        assert.equal(res.status, 202);
        runIds.push(res.headers.get('x-ms-workflow-run-id')!);
        await sleep(150);
      }
    })();
    for (let k = 0; k < KILLS; k++) {
      await sleep(2500);
      const i = k % workers.length;
      await workers[i]!.kill('SIGKILL');
      workers[i] = await startWorker();
    }
    await sleep(1000);
    loading = false;
    await load;
    assert.ok(runIds.length >= 10, `runs: ${runIds.length}`);

    const deadline = Date.now() + 25_000;
    for (const runId of runIds) {
      for (;;) {
        const r = await call('GET', `/api/v1/runs/${runId}?expand=actions`);
        if (r.body.status === 'Succeeded') break;
        assert.ok(!['Failed', 'Cancelled', 'TimedOut', 'Aborted'].includes(r.body.status), JSON.stringify(r.body));
        assert.ok(Date.now() < deadline, `run ${runId} still ${r.body.status}`);
        await sleep(200);
      }
      // One idempotency key per action path and attempt: a call repeated after a kill kept its key.
      const runKeys = [...keys.keys()].filter((key) => key.startsWith(`${runId}/`));
      assert.equal(runKeys.length, 4, runKeys.join('\n'));
      for (const key of runKeys) assert.match(key, /\/1$/);
    }
    assert.equal(keys.get('none'), undefined);
  });
});
