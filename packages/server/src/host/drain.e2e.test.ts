// Graceful drain (issue 19): SIGTERM to a worker stops it taking work, lets its calls in flight
// finish, hands its runs over at once (not when their leases expire: the lease here is longer than
// the test would wait) and exits. A rolling restart of every worker under a steady load fails no run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createDatabase, databaseUrl, dropDatabase, postgresAvailable } from '../store/test-support/backends.js';
import { client, startProcess, type ServerProcess } from './e2e-support.js';

const TOKEN = 'drain-admin-token';
/** Longer than any wait below: a run that moves on did so because it was handed over. */
const LEASE_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pgUp = await postgresAvailable();

describe('graceful drain (processes)', { skip: pgUp ? false : 'PostgreSQL not reachable' }, () => {
  let dbName = '';
  let env: Record<string, string> = {};
  const processes: ServerProcess[] = [];
  let api: ServerProcess;
  let target: Server;
  let targetUrl = '';
  const keys = new Map<string, number>();

  const startWorker = async (): Promise<ServerProcess> => {
    const p = await startProcess(['--role', 'worker'], env, { port: false });
    processes.push(p);
    return p;
  };

  before(async () => {
    target = createServer((req, res) => {
      const key = String(req.headers['idempotency-key'] ?? req.headers['x-ms-client-request-id'] ?? 'none');
      keys.set(key, (keys.get(key) ?? 0) + 1);
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      }, 200);
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const address = target.address();
    targetUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    dbName = await createDatabase();
    env = {
      FLOWBRIDGE_ADMIN_TOKEN: TOKEN,
      FLOWBRIDGE_DATABASE_URL: databaseUrl(dbName),
      FLOWBRIDGE_LEASE_MS: String(LEASE_MS),
    };
    api = await startProcess(['--role', 'api'], env);
    processes.push(api);
  });
  after(async () => {
    await Promise.allSettled(processes.map((p) => p.kill('SIGKILL')));
    await new Promise((r) => target?.close(r));
    if (dbName) await dropDatabase(dbName);
  });

  it('a rolling restart of every worker under load: each drains, hands over and exits; every run Succeeds', async () => {
    const call = client(api.url, TOKEN);
    const created = await call('POST', '/api/v1/flows', {
      name: 'steady',
      definition: {
        triggers: { manual: { type: 'Request', kind: 'Http' } },
        actions: {
          Loop: {
            type: 'Foreach',
            foreach: '@createArray(1, 2, 3)',
            runtimeConfiguration: { concurrency: { repetitions: 1 } },
            actions: { Call: { type: 'Http', inputs: { method: 'POST', uri: `${targetUrl}/item`, body: '@item()' } } },
          },
          Pause: {
            type: 'Wait',
            runAfter: { Loop: ['Succeeded'] },
            inputs: { interval: { count: 1, unit: 'Second' } },
          },
          Last: {
            type: 'Http',
            runAfter: { Pause: ['Succeeded'] },
            inputs: { method: 'GET', uri: `${targetUrl}/last` },
          },
        },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const signed = (await call('POST', `/api/v1/flows/${created.body.id}/triggers/manual/listCallbackUrl`)).body
      .value as string;
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
