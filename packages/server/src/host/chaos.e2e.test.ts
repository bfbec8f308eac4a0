// Chaos, bounded (issue 19): api + two workers under a steady load; a worker is killed with
// SIGKILL several times and started again. Every accepted run Succeeds, and no effect is ever sent
// under two idempotency keys (a re-send after a kill repeats the same key).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createDatabase, databaseUrl, dropDatabase, postgresAvailable } from '../store/test-support/backends.js';
import { client, startProcess, type ServerProcess } from './e2e-support.js';

const TOKEN = 'chaos-admin-token';
/** Short: a killed worker's runs move on when their leases expire. */
const LEASE_MS = 1500;
const KILLS = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pgUp = await postgresAvailable();

describe('chaos: kill -9 under load (processes)', { skip: pgUp ? false : 'PostgreSQL not reachable' }, () => {
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

  it('workers killed with SIGKILL and restarted under load: every accepted run Succeeds, one key per effect', async () => {
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
