// Scale-out end to end (DESIGN §3): `flowbridge start --role api|worker|scheduler` processes on one
// PostgreSQL database. Runs started over the api execute on the workers; a worker SIGKILLed
// mid-flight loses its runs to the other worker without a restart (expired leases); a Response
// sent on a worker reaches the caller of the api; the scheduler leadership moves when its holder dies.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import pg from 'pg';
import { openStore } from '../store/index.js';
import { createDatabase, databaseUrl, dropDatabase, postgresAvailable } from '../store/test-support/backends.js';
import { client, startProcess, type ServerProcess } from './e2e-support.js';

const TOKEN = 'e2e-admin-token';
const LEASE_MS = 1500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pgUp = await postgresAvailable();

describe('scale-out on PostgreSQL (processes)', { skip: pgUp ? false : 'PostgreSQL not reachable' }, () => {
  let dbName = '';
  let url = '';
  let db: pg.Client;
  const processes: ServerProcess[] = [];
  let api: ServerProcess;
  let workers: ServerProcess[] = [];
  let schedulers: ServerProcess[] = [];
  let target: Server;
  let targetUrl = '';
  // Every request the flows make, by idempotency key.
  const keys = new Map<string, number>();

  const start = async (role: string, extra: Record<string, string> = {}): Promise<ServerProcess> => {
    const p = await startProcess(['--role', role], {
      FLOWBRIDGE_ADMIN_TOKEN: TOKEN,
      FLOWBRIDGE_DATABASE_URL: url,
      FLOWBRIDGE_LEASE_MS: String(LEASE_MS),
      ...extra,
    });
    processes.push(p);
    return p;
  };
  const query = async (sql: string) => (await db.query(sql)).rows as Array<Record<string, unknown>>;
  const call = () => client(api.url, TOKEN);
  const deploy = async (name: string, definition: object) => {
    const created = await call()('POST', '/api/v1/flows', { name, definition });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const u = await call()('POST', `/api/v1/flows/${created.body.id}/triggers/manual/listCallbackUrl`);
    assert.equal(u.status, 200);
    return u.body.value as string;
  };
  const post = (signedUrl: string, body: unknown) =>
    fetch(signedUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const settle = async (runId: string, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await call()('GET', `/api/v1/runs/${runId}?expand=actions`);
      if (r.status === 200 && !['Running', 'Waiting', 'Queued'].includes(r.body.status)) return r.body;
      if (Date.now() > deadline) assert.fail(`run ${runId} did not finish: ${JSON.stringify(r.body?.status)}`);
      await sleep(200);
    }
  };
  /** Worker pids holding run leases right now (the worker id carries the pid), with counts. */
  const leaseHolders = async () => {
    const rows = await query(
      `SELECT lease_owner, count(*)::int AS n FROM work_items
       WHERE kind = 'run' AND lease_owner IS NOT NULL GROUP BY lease_owner`,
    );
    return rows.map((r) => ({ pid: Number(/-(\d+)-[0-9a-f]{8}$/.exec(String(r.lease_owner))?.[1]), n: Number(r.n) }));
  };
  const schedulerLocks = async () =>
    Number(
      (
        await query(
          // This database's only: other tests on the server hold the same lock in theirs.
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND objid = (hashtext('flowbridge:flowbridge-scheduler')::bigint & 4294967295)::oid`,
        )
      )[0]?.n,
    );

  before(async () => {
    target = createServer((req, res) => {
      const key = String(req.headers['idempotency-key'] ?? req.headers['x-ms-client-request-id'] ?? 'none');
      keys.set(key, (keys.get(key) ?? 0) + 1);
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, path: req.url }));
      }, 250);
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const address = target.address();
    targetUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    dbName = await createDatabase();
    url = databaseUrl(dbName);
    db = new pg.Client({ connectionString: url });
    await db.connect();
    // The api first (it migrates the schema), then the others; the first scheduler leads.
    api = await start('api');
    const publicUrl = { FLOWBRIDGE_PUBLIC_URL: api.url };
    const starting = [start('worker', publicUrl), start('worker', publicUrl), start('scheduler', publicUrl)];
    const [w1, w2, s1] = await Promise.all(starting);
    workers = [w1!, w2!];
    for (let i = 0; i < 100 && (await schedulerLocks()) === 0; i++) await sleep(50);
    assert.equal(await schedulerLocks(), 1);
    schedulers = [s1!, await start('scheduler', publicUrl)];
  });
  after(async () => {
    await Promise.allSettled(processes.map((p) => p.kill('SIGKILL')));
    await db?.end().catch(() => {});
    await new Promise((r) => target?.close(r));
    if (dbName) await dropDatabase(dbName);
  });

  it('a Response sent by a run on a worker answers the caller of the api process', async () => {
    const signed = await deploy('responder', {
      triggers: { manual: { type: 'Request', kind: 'Http' } },
      actions: {
        Call: { type: 'Http', inputs: { method: 'GET', uri: `${targetUrl}/hello` } },
        Response: {
          type: 'Response',
          runAfter: { Call: ['Succeeded'] },
          inputs: { statusCode: 201, body: { hello: "@triggerBody()?['name']", path: "@body('Call')?['path']" } },
        },
      },
    });
    const names = ['Ada', 'Grace', 'Edsger', 'Barbara'];
    const answers = await Promise.all(names.map((name) => post(signed, { name })));
    for (const [i, res] of answers.entries()) {
      assert.equal(res.status, 201);
      assert.deepEqual(await res.json(), { hello: names[i], path: '/hello' });
    }
    // The runs executed on the workers (the api process holds no run): their ids were leased there.
    const runIds = answers.map((res) => res.headers.get('x-ms-workflow-run-id')!);
    for (const runId of runIds) assert.equal((await settle(runId)).status, 'Succeeded');
    const apiLogs = api.output();
    assert.ok(!/"msg":"run step failed"/.test(apiLogs), apiLogs);
  });

  it('a worker SIGKILLed mid-flight: the other worker finishes its runs, effects repeat only with the same key', async () => {
    const signed = await deploy('fault', {
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
    });
    const expected = new Map<string, number>();
    for (let i = 0; i < 10; i++) {
      const items = Array.from({ length: 4 + (i % 3) }, (_, k) => k);
      const res = await post(signed, { items });
      assert.equal(res.status, 202);
      expected.set(res.headers.get('x-ms-workflow-run-id')!, items.length);
    }
    // Kill the worker holding the most runs, while their HTTP calls are in flight.
    let holders: Array<{ pid: number; n: number }> = [];
    for (let i = 0; i < 50; i++) {
      holders = (await leaseHolders()).sort((a, b) => b.n - a.n);
      if (holders.length && holders[0]!.n >= 2) break;
      await sleep(50);
    }
    const victim = workers.find((w) => w.child.pid === holders[0]?.pid);
    assert.ok(victim, `no worker holds runs: ${JSON.stringify(holders)}`);
    const survivor = workers.find((w) => w !== victim)!;
    const killedAt = Date.now();
    await victim.kill('SIGKILL');
    const heldByVictim = holders[0]!.n;

    for (const [runId, n] of expected) {
      const run = await settle(runId);
      assert.equal(run.status, 'Succeeded', JSON.stringify(run.error));
      assert.equal(run.outputs.n, n);
      assert.equal(run.actions.Call.repetitions.length, n);
      assert.equal(run.actions.Last.status, 'Succeeded');
      // One idempotency key per action path and attempt; a key seen twice is a re-send after the kill.
      const runKeys = [...keys.keys()].filter((key) => key.startsWith(`${runId}/`));
      assert.equal(runKeys.length, n + 1, runKeys.join('\n'));
      for (const key of runKeys) assert.match(key, /\/1$/);
    }
    assert.equal(keys.get('none'), undefined);
    assert.ok(heldByVictim >= 2);
    assert.ok(Date.now() - killedAt < 30_000);
    assert.equal(survivor.child.exitCode, null);
    // Nothing is left holding a run, and no step was recorded twice.
    assert.deepEqual(await query(`SELECT id FROM work_items WHERE kind = 'run'`), []);
    const store = await openStore({ databaseUrl: url, poolSize: 2 });
    try {
      for (const runId of expected.keys()) {
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

  it('the scheduler leader dies: the other scheduler takes the leadership, fires timers and recurrences', async () => {
    const signed = await deploy('waiter', {
      triggers: { manual: { type: 'Request', kind: 'Http' } },
      actions: {
        Delay: { type: 'Wait', inputs: { interval: { count: 1, unit: 'Second' } } },
        Done: { type: 'Compose', runAfter: { Delay: ['Succeeded'] }, inputs: 'done' },
      },
      outputs: { result: { type: 'String', value: "@outputs('Done')" } },
    });
    // A flow that runs every second, its HTTP call on a worker. Saved before the kill: a scheduler
    // notices flows saved by another process on its next pass (the leader's could be 30 s away).
    const ticker = await call()('POST', '/api/v1/flows', {
      name: 'ticker',
      definition: {
        triggers: { tick: { type: 'Recurrence', recurrence: { frequency: 'Second', interval: 1 } } },
        actions: { Call: { type: 'Http', inputs: { method: 'GET', uri: `${targetUrl}/tick` } } },
      },
    });
    assert.equal(ticker.status, 201, JSON.stringify(ticker.body));
    const [leader, standby] = schedulers as [ServerProcess, ServerProcess];
    await leader.kill('SIGKILL');
    const killedAt = Date.now();
    const res = await post(signed, {});
    assert.equal(res.status, 202);
    const run = await settle(res.headers.get('x-ms-workflow-run-id')!, 20_000);
    assert.equal(run.status, 'Succeeded');
    assert.equal(run.outputs.result, 'done');
    // Only the standby is left to have fired the timer, and it holds the lock now.
    assert.equal(await schedulerLocks(), 1);
    assert.equal(standby.child.exitCode, null);
    let after: Array<{ status: string; startTime: string }> = [];
    for (let i = 0; i < 100 && after.length < 3; i++) {
      await sleep(200);
      const runs = await call()('GET', `/api/v1/runs?flowId=${ticker.body.id}`);
      after = (runs.body.value as Array<{ status: string; startTime: string }>).filter(
        (r) => r.status === 'Succeeded' && Date.parse(r.startTime) > killedAt,
      );
    }
    assert.ok(after.length >= 3, `recurrence runs since the kill: ${after.length}`);
    assert.equal((await call()('POST', `/api/v1/flows/${ticker.body.id}/disable`)).status, 200);
  });
});
