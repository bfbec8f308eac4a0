// The cluster an operator starts first (issue 19): two api processes and two workers on one fresh
// PostgreSQL database, all started at once, no scheduler, workers without --port. Every flow runs
// fully (Wait timers fired by the workers, Recurrence by the elected leader); the processes agree
// on the callback secret; GET /api/v1/cluster shows them and forgets a killed one; a run polled
// while it finishes never reads as ended without its endTime.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createDatabase, databaseUrl, dropDatabase, postgresAvailable } from '../store/test-support/backends.js';
import { client, rebase, startProcess, type ServerProcess } from './e2e-support.js';

const TOKEN = 'cluster-admin-token';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pgUp = await postgresAvailable();
const ENDED = ['Succeeded', 'Failed', 'Cancelled', 'TimedOut', 'Skipped', 'Aborted'];

describe('a cluster without a scheduler (processes)', { skip: pgUp ? false : 'PostgreSQL not reachable' }, () => {
  let dbName = '';
  const processes: ServerProcess[] = [];
  let api: ServerProcess;
  let api2: ServerProcess;
  let workers: ServerProcess[] = [];
  let target: Server;
  let targetUrl = '';
  /** Callback URLs the webhook flows subscribed with. */
  const subscribed: string[] = [];

  const call = (p: ServerProcess = api) => client(p.url, TOKEN);
  const deploy = async (name: string, definition: object): Promise<{ id: string; url: string | undefined }> => {
    const created = await call()('POST', '/api/v1/flows', { name, definition });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const u = await call()('POST', `/api/v1/flows/${created.body.id}/triggers/manual/listCallbackUrl`);
    return { id: created.body.id, url: u.status === 200 ? (u.body.value as string) : undefined };
  };
  const trigger = async (signed: string, body: unknown = {}): Promise<string> => {
    const res = await fetch(signed, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 202);
    return res.headers.get('x-ms-workflow-run-id')!;
  };
  const settle = async (runId: string, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await call()('GET', `/api/v1/runs/${runId}?expand=actions`);
      if (r.status === 200 && ENDED.includes(r.body.status)) return r.body;
      if (Date.now() > deadline) assert.fail(`run ${runId} did not finish: ${JSON.stringify(r.body?.status)}`);
      await sleep(100);
    }
  };

  before(async () => {
    target = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.url === '/subscribe') subscribed.push((JSON.parse(body) as { cb: string }).cb);
        // '/a' answers slowly: the runs that call it are still running when first polled.
        setTimeout(
          () => {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ ok: true }));
          },
          req.url === '/a' ? 400 : 50,
        );
      });
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const address = target.address();
    targetUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    dbName = await createDatabase();
    const env = {
      FLOWBRIDGE_ADMIN_TOKEN: TOKEN,
      FLOWBRIDGE_DATABASE_URL: databaseUrl(dbName),
      FLOWBRIDGE_LEASE_MS: '3000',
      FLOWBRIDGE_HEARTBEAT_MS: '400',
    };
    // All at once on an empty database: they migrate, and create the secrets, concurrently.
    const started = await Promise.all([
      startProcess(['--role', 'api'], env),
      startProcess(['--role', 'api'], env),
      startProcess(['--role', 'worker'], env, { port: false }),
      startProcess(['--role', 'worker'], env, { port: false }),
    ]);
    processes.push(...started);
    api = started[0]!;
    api2 = started[1]!;
    workers = started.slice(2);
  });
  after(async () => {
    await Promise.allSettled(processes.map((p) => p.kill('SIGKILL')));
    await new Promise((r) => target?.close(r));
    if (dbName) await dropDatabase(dbName);
  });

  it('workers started without --port serve no HTTP (two on one host, no EADDRINUSE)', () => {
    for (const w of workers) {
      assert.equal(w.url, '');
      assert.equal(w.child.exitCode, null);
      assert.doesNotMatch(w.output(), /EADDRINUSE/);
    }
  });

  it('a Wait of a few seconds is fired by a worker: the run Succeeds without a scheduler', async () => {
    const { url } = await deploy('waiter', {
      triggers: { manual: { type: 'Request', kind: 'Http' } },
      actions: {
        Delay: { type: 'Wait', inputs: { interval: { count: 2, unit: 'Second' } } },
        Done: { type: 'Compose', runAfter: { Delay: ['Succeeded'] }, inputs: 'done' },
      },
      outputs: { result: { type: 'String', value: "@outputs('Done')" } },
    });
    const runId = await trigger(url!);
    const run = await settle(runId, 20_000);
    assert.equal(run.status, 'Succeeded', JSON.stringify(run.error));
    assert.equal(run.outputs.result, 'done');
    assert.ok(Date.parse(run.endTime) - Date.parse(run.startTime) >= 2000);
  });

  it('a Recurrence fires (the leader is elected among api and worker processes)', async () => {
    const started = Date.now();
    const flow = await deploy('ticker', {
      triggers: { tick: { type: 'Recurrence', recurrence: { frequency: 'Second', interval: 1 } } },
      actions: { Call: { type: 'Http', inputs: { method: 'GET', uri: `${targetUrl}/tick` } } },
    });
    let fired: Array<{ status: string }> = [];
    for (let i = 0; i < 100 && fired.length < 2; i++) {
      await sleep(200);
      const runs = await call()('GET', `/api/v1/runs?flowId=${flow.id}`);
      fired = (runs.body.value as Array<{ status: string }>).filter((r) => r.status === 'Succeeded');
    }
    assert.ok(fired.length >= 2, `recurrence runs: ${fired.length} in ${Date.now() - started} ms`);
    assert.equal((await call()('POST', `/api/v1/flows/${flow.id}/disable`)).status, 200);
  });

  it('a callback URL signed by one api process is accepted by the other (one secret on a fresh database)', async () => {
    const { url } = await deploy('hook', {
      triggers: { manual: { type: 'Request', kind: 'Http' } },
      actions: {
        Hook: {
          type: 'HttpWebhook',
          inputs: {
            subscribe: { method: 'POST', uri: `${targetUrl}/subscribe`, body: { cb: '@listCallbackUrl()' } },
            unsubscribe: { method: 'POST', uri: `${targetUrl}/unsubscribe` },
          },
        },
      },
      outputs: { got: { type: 'Object', value: "@body('Hook')" } },
    });
    const runId = await trigger(url!);
    for (let i = 0; i < 100 && subscribed.length === 0; i++) await sleep(100);
    const cb = subscribed[0] ?? '';
    assert.ok(cb.startsWith(api.url), cb);
    // Sent to the other api process, which verifies the signature with its own copy of the secret.
    // (The run waits for the callback once the subscribe call has answered: until then, 404.)
    let res: Response | undefined;
    for (let i = 0; i < 50 && (!res || res.status === 404); i++) {
      if (res) await sleep(100);
      res = await fetch(rebase(cb, api2.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ approved: true }),
      });
    }
    assert.ok(res && res.status < 300, `${res?.status} ${await res?.text()}`);
    const run = await settle(runId);
    assert.equal(run.status, 'Succeeded', JSON.stringify(run.error));
    assert.deepEqual(run.outputs.got, { approved: true });
  });

  it('a run polled while it finishes never reads as ended without its endTime', async () => {
    const { url } = await deploy('quick', {
      triggers: { manual: { type: 'Request', kind: 'Http' } },
      actions: {
        A: { type: 'Http', inputs: { method: 'GET', uri: `${targetUrl}/a` } },
        B: { type: 'Compose', runAfter: { A: ['Succeeded'] }, inputs: 'b' },
      },
    });
    let reads = 0;
    const poll = async (runId: string) => {
      for (;;) {
        const r = await call(reads % 2 ? api : api2)('GET', `/api/v1/runs/${runId}?expand=actions`);
        reads++;
        assert.equal(r.status, 200);
        const ended = ENDED.includes(r.body.status);
        if (ended) {
          assert.notEqual(r.body.endTime, null, JSON.stringify(r.body));
          assert.equal(r.body.actions.B.status, 'Succeeded');
          return;
        }
        assert.equal(r.body.endTime, null);
      }
    };
    await Promise.all(Array.from({ length: 12 }, async () => poll(await trigger(url!))));
    assert.ok(reads > 24, `reads: ${reads}`);
  });

  it('GET /api/v1/cluster lists the live processes with one leader; a killed one drops out', async () => {
    const list = async () => (await call()('GET', '/api/v1/cluster')).body.value as Array<Record<string, unknown>>;
    let processesSeen: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 50; i++) {
      processesSeen = await list();
      if (processesSeen.length === 4 && processesSeen.filter((p) => p.leader).length === 1) break;
      await sleep(100);
    }
    assert.equal(processesSeen.length, 4, JSON.stringify(processesSeen));
    assert.equal(processesSeen.filter((p) => p.leader).length, 1);
    const pids = processes.map((p) => p.child.pid);
    assert.deepEqual(processesSeen.map((p) => p.pid).sort(), [...pids].sort());
    assert.deepEqual(processesSeen.map((p) => (p.roles as string[]).join()).sort(), ['api', 'api', 'worker', 'worker']);
    for (const p of processesSeen) {
      assert.equal(typeof p.version, 'string');
      assert.ok(Date.parse(String(p.lastHeartbeat)) >= Date.parse(String(p.startedAt)));
      assert.equal(typeof p.liveRuns, 'number');
    }
    assert.equal(processesSeen.filter((p) => p.self).length, 1);
    // Metrics name the process that reports them.
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    assert.match(metrics, /flowbridge_live_runs\{process="worker-[^"]+"\} \d+/);

    const victim = workers[1]!;
    await victim.kill('SIGKILL');
    let left = processesSeen;
    for (let i = 0; i < 50 && left.some((p) => p.pid === victim.child.pid); i++) {
      await sleep(100);
      left = await list();
    }
    assert.deepEqual(
      left.map((p) => p.pid),
      processesSeen.map((p) => p.pid).filter((pid) => pid !== victim.child.pid),
    );
    // Operators only: a request without the permission is refused (no token at all: 401).
    assert.equal((await fetch(`${api.url}/api/v1/cluster`)).status, 401);
  });
});
