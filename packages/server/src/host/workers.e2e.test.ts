// `flowbridge start --workers 2` (issue 18), on the embedded store and on PostgreSQL: one port
// served by both workers, each caller answered with its own run's Response, a Recurrence fired
// once per tick, a killed worker replaced with no run lost or run twice, SIGTERM draining all.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, get, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, databaseUrl, dropDatabase, postgresAvailable } from '../store/test-support/backends.js';
import { client, startProcess, type ServerProcess } from './e2e-support.js';

const TOKEN = 'workers-admin-token';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pgUp = await postgresAvailable();
const ENDED = ['Succeeded', 'Failed', 'Cancelled', 'TimedOut', 'Skipped', 'Aborted'];

/** A GET on a connection of its own (the primary hands each new connection to the next worker). */
function freshGet(url: string, token: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    }).on('error', reject);
  });
}

interface Member {
  id: string;
  pid: number;
  leader: boolean;
  self: boolean;
}

const stores = [
  { name: 'SQLite', skip: false as const },
  { name: 'PostgreSQL', skip: pgUp ? (false as const) : 'PostgreSQL not reachable' },
];

for (const backend of stores) {
  describe(`flowbridge start --workers 2 on ${backend.name}`, { skip: backend.skip }, () => {
    let server: ServerProcess;
    let target: Server;
    let targetUrl = '';
    let dir = '';
    let dbName = '';
    /** Calls the target got: path and the run that made it. */
    const calls: Array<{ path: string; run: string }> = [];
    const call = () => client(server.url, TOKEN);
    const cluster = async (): Promise<Member[]> => (await call()('GET', '/api/v1/cluster')).body.value as Member[];
    const deploy = async (name: string, definition: object): Promise<{ id: string; url: string }> => {
      const created = await call()('POST', '/api/v1/flows', { name, definition });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const u = await call()('POST', `/api/v1/flows/${created.body.id}/triggers/manual/listCallbackUrl`);
      return { id: created.body.id, url: u.status === 200 ? (u.body.value as string) : '' };
    };
    const settle = async (runId: string) => {
      for (let i = 0; ; i++) {
        // A kept-alive connection to a worker that was killed fails once: ask again.
        const r = await call()('GET', `/api/v1/runs/${runId}`).catch(() => ({ status: 0, body: undefined }));
        if (r.status === 200 && ENDED.includes(r.body.status)) return r.body;
        if (i > 600) assert.fail(`run ${runId} did not finish: ${JSON.stringify(r.body?.status)}`);
        await sleep(100);
      }
    };

    before(async () => {
      target = createServer((req, res) => {
        const u = new URL(req.url ?? '/', 'http://x');
        calls.push({ path: u.pathname, run: u.searchParams.get('run') ?? '' });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
      await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
      const address = target.address();
      targetUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      const env: Record<string, string> = {
        FLOWBRIDGE_ADMIN_TOKEN: TOKEN,
        FLOWBRIDGE_LEASE_MS: '3000',
        FLOWBRIDGE_HEARTBEAT_MS: '400',
      };
      if (backend.name === 'PostgreSQL') {
        dbName = await createDatabase();
        env.FLOWBRIDGE_DATABASE_URL = databaseUrl(dbName);
      } else {
        dir = mkdtempSync(join(tmpdir(), 'fb-workers-'));
      }
      server = await startProcess(['--workers', '2', ...(dir ? ['--data-dir', dir] : [])], env);
    });
    after(async () => {
      await server?.kill('SIGKILL');
      await new Promise((r) => target?.close(r));
      if (dbName) await dropDatabase(dbName);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('serves one port from both workers; they form one cluster with one leader', async () => {
      const answeredBy = new Set<string>();
      for (let i = 0; i < 40 && answeredBy.size < 2; i++) {
        const res = await freshGet(`${server.url}/api/v1/cluster`, TOKEN);
        assert.equal(res.status, 200);
        const self = (res.body as { value: Member[] }).value.find((m) => m.self);
        if (self) answeredBy.add(self.id);
      }
      assert.equal(answeredBy.size, 2, 'both workers answer on the one port');
      let members: Member[] = [];
      for (let i = 0; i < 50; i++) {
        members = await cluster();
        if (members.length === 2 && members.filter((m) => m.leader).length === 1) break;
        await sleep(100);
      }
      assert.equal(members.length, 2, JSON.stringify(members));
      assert.equal(members.filter((m) => m.leader).length, 1);
      assert.ok(
        members.every((m) => m.pid !== server.child.pid),
        'the primary serves nothing itself',
      );
      assert.equal(server.output().match(/"msg":"flowbridge started"/g)?.length, 1);
    });

    it("answers each caller of a Request flow with its own run's Response", async () => {
      const { url } = await deploy('echo', {
        triggers: { manual: { type: 'Request', kind: 'Http' } },
        actions: {
          Reply: {
            type: 'Response',
            inputs: { statusCode: 200, body: { n: "@triggerBody()?['n']", run: '@workflow().run.name' } },
          },
        },
      });
      const answers = await Promise.all(
        Array.from({ length: 24 }, async (_, n) => {
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', connection: 'close' },
            body: JSON.stringify({ n }),
          });
          return { n, status: res.status, body: (await res.json()) as { n: number; run: string } };
        }),
      );
      for (const a of answers) {
        assert.equal(a.status, 200);
        assert.equal(a.body.n, a.n);
      }
      assert.equal(new Set(answers.map((a) => a.body.run)).size, answers.length);
    });

    it('fires a Recurrence once per tick, not once per worker', async () => {
      const flow = await deploy('ticker', {
        triggers: { tick: { type: 'Recurrence', recurrence: { frequency: 'Second', interval: 1 } } },
        actions: { Noop: { type: 'Compose', inputs: 'x' } },
        outputs: { tick: { type: 'String', value: "@trigger()['scheduledTime']" } },
      });
      let runs: Array<{ id: string; status: string }> = [];
      for (let i = 0; i < 300 && runs.length < 4; i++) {
        await sleep(100);
        const listed = await call()('GET', `/api/v1/runs?flowId=${flow.id}`);
        runs = (listed.body.value as Array<{ id: string; status: string }>).filter((r) => r.status === 'Succeeded');
      }
      assert.equal((await call()('POST', `/api/v1/flows/${flow.id}/disable`)).status, 200);
      assert.ok(runs.length >= 4, `recurrence runs: ${runs.length}`);
      const ticks = await Promise.all(
        runs.map(async (r) => ((await call()('GET', `/api/v1/runs/${r.id}`)).body.outputs as { tick: string }).tick),
      );
      assert.ok(
        ticks.every((t) => typeof t === 'string' && t !== ''),
        JSON.stringify(ticks),
      );
      assert.equal(new Set(ticks).size, ticks.length, `one run per occurrence: ${ticks.join(', ')}`);
    });

    it('replaces a killed worker; its runs finish, none lost and none run twice', async () => {
      const { url } = await deploy('two-steps', {
        triggers: { manual: { type: 'Request', kind: 'Http' } },
        actions: {
          First: { type: 'Http', inputs: { method: 'GET', uri: `${targetUrl}/first?run=@{workflow().run.name}` } },
          Pause: {
            type: 'Wait',
            runAfter: { First: ['Succeeded'] },
            inputs: { interval: { count: 6, unit: 'Second' } },
          },
          Second: {
            type: 'Http',
            runAfter: { Pause: ['Succeeded'] },
            inputs: { method: 'GET', uri: `${targetUrl}/second?run=@{workflow().run.name}` },
          },
        },
      });
      const runIds = await Promise.all(
        Array.from({ length: 6 }, async () => {
          const res = await fetch(url, { method: 'POST', headers: { connection: 'close' } });
          assert.equal(res.status, 202);
          return res.headers.get('x-ms-workflow-run-id')!;
        }),
      );
      const firstDone = () => new Set(calls.filter((c) => c.path === '/first').map((c) => c.run));
      for (let i = 0; i < 300 && runIds.some((id) => !firstDone().has(id)); i++) await sleep(100);
      const before = await cluster();
      const victim = before.find((m) => !m.leader) ?? before[0]!;
      process.kill(victim.pid, 'SIGKILL');
      // node:cluster hands each new connection to a worker; one handed to the victim in the moment
      // before the primary hears of its death is lost (README, Scale-out): ask once it has.
      for (let i = 0; i < 300 && !/worker exited; starting another/.test(server.output()); i++) await sleep(100);

      const runs = await Promise.all(runIds.map(settle));
      for (const run of runs) assert.equal(run.status, 'Succeeded', JSON.stringify(run.error));
      for (const id of runIds)
        assert.equal(calls.filter((c) => c.path === '/second' && c.run === id).length, 1, `run ${id}: Second once`);

      let members: Member[] = [];
      for (let i = 0; i < 300; i++) {
        members = await cluster();
        const replaced = /"msg":"worker started"/.test(server.output());
        if (replaced && members.length === 2 && members.every((m) => m.pid !== victim.pid)) break;
        await sleep(100);
      }
      assert.equal(members.length, 2, JSON.stringify(members));
      assert.ok(members.every((m) => m.pid !== victim.pid));
      assert.match(server.output(), /"signal":"SIGKILL","msg":"worker exited; starting another"/);
      assert.match(server.output(), /"msg":"worker started"/);
    });

    it(
      'keeps the data folder to itself: a second start on it is refused',
      { skip: backend.name !== 'SQLite' && 'SQLite only' },
      async () => {
        await assert.rejects(
          startProcess(['--data-dir', dir], { FLOWBRIDGE_ADMIN_TOKEN: TOKEN }),
          /exited with 1[\s\S]*in use by another flowbridge process \(pid \d+\)/,
        );
      },
    );

    it('drains every worker on SIGTERM and exits 0', async () => {
      const code = await server.kill('SIGTERM');
      assert.equal(code, 0, server.output().slice(-2000));
      assert.equal(server.output().match(/"msg":"stopped"/g)?.length, 3, 'two workers and the primary stopped');
    });
  });
}
