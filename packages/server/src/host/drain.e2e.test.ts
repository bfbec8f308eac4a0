// Graceful drain (issue 19): SIGTERM to a worker stops it taking work, lets its calls in flight
// finish, hands its runs over at once (not when their leases expire: the lease here is longer than
// the test would wait) and exits. A rolling restart of every worker under a steady load fails no run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { postgresAvailable } from '../store/test-support/backends.js';
import { client, type ServerProcess } from './e2e-support.js';
import { startClusterUnderLoad, type ClusterUnderLoad } from './test-support/cluster-load.js';

const TOKEN = 'drain-admin-token';
/** Longer than any wait below: a run that moves on did so because it was handed over. */
const LEASE_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pgUp = await postgresAvailable();

describe('graceful drain (processes)', { skip: pgUp ? false : 'PostgreSQL not reachable' }, () => {
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

  it('a rolling restart of every worker under load: each drains, hands over and exits; every run Succeeds', async () => {
    const call = client(api.url, TOKEN);
    const signed = await cluster.deploySteadyFlow();
    let workers = [await startWorker(), await startWorker()];

    // A steady load while the workers are restarted one after the other.
    const runIds: string[] = [];
    let loading = true;
    const load = (async () => {
      while (loading) {
        const res = await fetch(signed, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        assert.equal(res.status, 202);
        runIds.push(res.headers.get('x-ms-workflow-run-id')!);
        await sleep(150);
      }
    })();
    await sleep(1500);
    for (let i = 0; i < workers.length; i++) {
      const old = workers[i]!;
      const stoppedAt = Date.now();
      const code = await old.kill('SIGTERM');
      assert.equal(code, 0, old.output());
      assert.ok(Date.now() - stoppedAt < 15_000, `drain took ${Date.now() - stoppedAt} ms`);
      assert.match(old.output(), /"msg":"draining"/);
      workers = workers.map((w) => (w === old ? undefined : w)).filter((w): w is ServerProcess => !!w);
      workers.splice(i, 0, await startWorker());
      await sleep(1000);
    }
    loading = false;
    await load;
    assert.ok(runIds.length >= 10, `runs: ${runIds.length}`);

    // Well within the lease: runs held by the stopped workers moved on because they were handed over.
    const deadline = Date.now() + 30_000;
    for (const runId of runIds) {
      for (;;) {
        const r = await call('GET', `/api/v1/runs/${runId}?expand=actions`);
        if (r.body.status === 'Succeeded') break;
        assert.ok(!['Failed', 'Cancelled', 'TimedOut', 'Aborted'].includes(r.body.status), JSON.stringify(r.body));
        assert.ok(Date.now() < deadline, `run ${runId} still ${r.body.status}`);
        await sleep(200);
      }
      // Every call sent under one idempotency key per action path and attempt.
      const runKeys = [...keys.keys()].filter((key) => key.startsWith(`${runId}/`));
      assert.equal(runKeys.length, 4, runKeys.join('\n'));
      for (const key of runKeys) assert.match(key, /\/1$/);
    }
    assert.equal(keys.get('none'), undefined);
  });
});
