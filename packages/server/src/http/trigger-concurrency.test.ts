// Trigger concurrency (spec §4.7): `runtimeConfiguration.concurrency` / SingleInstance limit how many
// runs of a flow run at once; the rest wait (status Waiting) in FIFO order; a full queue gets 429.
// The flows call a local HTTP server that holds each request until the test lets it go, so the
// test decides when a run ends.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { postgresAvailable, postgresBackend, sqliteBackend } from '../store/test-support/backends.js';
import type { Backend, Fresh } from '../store/test-support/backends.js';
import { TEST_TOKEN, createServer, holdingServer, testAuth, type FlowbridgeServer } from './test-support.js';

function limitedFlow(base: string, trigger: Record<string, unknown>, withResponse = false) {
  return {
    triggers: { manual: { type: 'Request', kind: 'Http', ...trigger } },
    actions: {
      Call: { type: 'Http', inputs: { method: 'GET', uri: `${base}/work?n=@{triggerBody()?['n']}` } },
      ...(withResponse
        ? {
            Response: {
              type: 'Response',
              runAfter: { Call: ['Succeeded'] },
              inputs: { statusCode: 200, body: "@body('Call')" },
            },
          }
        : {}),
    },
  };
}

async function harness(backend: Backend, shared?: Fresh) {
  const fresh = shared ?? (await backend.fresh());
  const store = shared ? await shared.reopen() : fresh.store;
  const server: FlowbridgeServer = await createServer({ store, auth: testAuth(), pollMs: 50, drainMs: 200 });
  await server.startBackground();
  const headers = { authorization: `Bearer ${TEST_TOKEN}` };
  const api = async (method: string, url: string, payload?: unknown) => {
    const res = await server.app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, any>) : undefined };
  };
  return {
    fresh,
    server,
    api,
    async deploy(name: string, definition: object, kind?: string) {
      const res = await api('POST', '/api/v1/flows', { name, definition, ...(kind ? { kind } : {}) });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const id = res.body!.id as string;
      const cb = await api('POST', `/api/v1/flows/${id}/triggers/manual/listCallbackUrl`);
      const url = new URL(cb.body!.value as string);
      return { id, url: url.pathname + url.search };
    },
    async fire(url: string, n: number) {
      const res = await server.app.inject({ method: 'POST', url, payload: { n: String(n) } });
      return { status: res.statusCode, runId: res.headers['x-ms-workflow-run-id'] as string, body: res.body };
    },
    async status(runId: string): Promise<string> {
      return (await api('GET', `/api/v1/runs/${runId}`)).body!.status as string;
    },
    async until(what: string, check: () => Promise<boolean> | boolean) {
      for (let i = 0; i < 200; i++) {
        if (await check()) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      assert.fail(`timed out waiting for ${what}`);
    },
    /** Stops this server and closes its store; `keep` leaves the database for the next one. */
    async close(keep = false) {
      await server.close();
      await store.close();
      if (!keep && !shared) await fresh.dispose();
    },
  };
}

const pgUp = await postgresAvailable();
const variants: Array<[Backend, 'Stateful' | 'Stateless']> = [
  [sqliteBackend, 'Stateful'],
  [sqliteBackend, 'Stateless'],
  [postgresBackend, 'Stateful'],
];

for (const [backend, kind] of variants) {
  const skip = backend === postgresBackend && !pgUp ? 'PostgreSQL is not reachable' : false;
  describe(`trigger concurrency (${kind}, ${backend.name})`, { skip }, () => {
    it('runs one at a time, queues two in order, refuses the fourth with 429, cancels a waiting run', async () => {
      const work = await holdingServer();
      const h = await harness(backend);
      try {
        const flow = limitedFlow(work.base, {
          runtimeConfiguration: { concurrency: { runs: 1, maximumWaitingRuns: 2 } },
        });
        const { id, url } = await h.deploy(`limited-${kind}`, flow, kind);
        const runs: string[] = [];
        for (const n of [1, 2, 3]) {
          const res = await h.fire(url, n);
          assert.equal(res.status, 202, res.body);
          runs.push(res.runId);
        }
        const full = await h.fire(url, 4);
        assert.equal(full.status, 429, full.body);
        assert.equal(JSON.parse(full.body).error.code, 'TooManyRequests');
        const history = await h.api('GET', `/api/v1/flows/${id}/triggers/manual/histories`);
        assert.deepEqual(
          (history.body!.value as Array<{ status: string; code?: string }>).map((e) => [e.status, e.code]),
          // Stateless runs reach the store (and so the history) only when they end.
          [['Failed', 'TooManyRequests'], ...(kind === 'Stateful' ? runs.map(() => ['Succeeded', undefined]) : [])],
        );
        await h.until('the first call', () => work.seen.length === 1);
        assert.deepEqual(work.seen, ['1']);
        if (kind === 'Stateful') {
          assert.equal(await h.status(runs[1]!), 'Waiting');
          const waiting = await h.api('GET', `/api/v1/runs?status=Waiting`);
          assert.deepEqual(
            (waiting.body!.value as Array<{ id: string }>).map((r) => r.id).sort(),
            [runs[1], runs[2]].sort(),
          );
          const expanded = await h.api('GET', `/api/v1/runs/${runs[1]}?expand=actions`);
          assert.equal(expanded.body!.status, 'Waiting');
          assert.deepEqual(expanded.body!.actions, {});
        }
        // Stateful: the third run is cancelled while it waits, and never calls out. (Stateless runs
        // are not in the store while they run, so the API cannot name them.)
        if (kind === 'Stateful') assert.equal((await h.api('POST', `/api/v1/runs/${runs[2]}/cancel`)).status, 202);
        work.release('1');
        await h.until('the second call', () => work.seen.length === 2);
        assert.deepEqual(work.seen, ['1', '2']);
        work.release('2');
        if (kind === 'Stateless') {
          await h.until('the third call', () => work.seen.length === 3);
          work.release('3');
          work.seen.pop();
        }
        if (kind === 'Stateful') {
          await h.until('runs to end', async () => (await h.status(runs[1]!)) === 'Succeeded');
          assert.equal(await h.status(runs[0]!), 'Succeeded');
          assert.equal(await h.status(runs[2]!), 'Cancelled');
        }
        await new Promise((r) => setTimeout(r, 100));
        assert.deepEqual(work.seen, ['1', '2']);
        // The queue has room again.
        const again = await h.fire(url, 5);
        assert.equal(again.status, 202);
        await h.until('the fifth call', () => work.seen.length === 3);
        work.release('5');
      } finally {
        await h.close();
        await work.close();
      }
    });

    it('SingleInstance with a Response: callers get their answers one after another, in order', async () => {
      const work = await holdingServer();
      const h = await harness(backend);
      try {
        const flow = limitedFlow(work.base, { operationOptions: 'SingleInstance' }, true);
        const { url } = await h.deploy(`single-${kind}`, flow, kind);
        const answers: string[] = [];
        const calls = [1, 2, 3].map((n) =>
          h.fire(url, n).then((res) => {
            assert.equal(res.status, 200, res.body);
            answers.push(JSON.parse(res.body).n as string);
          }),
        );
        await h.until('the first call', () => work.seen.length === 1);
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(work.seen.length, 1, 'only one run at a time');
        const first = work.seen[0]!;
        work.release(first);
        await h.until('the second call', () => work.seen.length === 2);
        work.release(work.seen[1]!);
        await h.until('the third call', () => work.seen.length === 3);
        work.release(work.seen[2]!);
        await Promise.all(calls);
        assert.deepEqual(answers, work.seen);
      } finally {
        await h.close();
        await work.close();
      }
    });
  });
}

for (const backend of [sqliteBackend, postgresBackend]) {
  const skip = backend === postgresBackend && !pgUp ? 'PostgreSQL is not reachable' : false;
  describe(`trigger concurrency across a restart (${backend.name})`, { skip }, () => {
    it('waiting runs stay queued in the store and start after the restart, within the limit', async () => {
      const work = await holdingServer();
      let h = await harness(backend);
      const fresh = h.fresh;
      try {
        const flow = limitedFlow(work.base, { runtimeConfiguration: { concurrency: { runs: 1 } } });
        const { url } = await h.deploy('durable-queue', flow);
        const runs: string[] = [];
        for (const n of [1, 2, 3]) runs.push((await h.fire(url, n)).runId);
        await h.until('the first call', () => work.seen.length === 1);
        // Stop while run 1 is in flight (its call is aborted) and runs 2 and 3 wait.
        await h.close(true);
        h = await harness(backend, fresh);
        // Recovery re-issues run 1's call (same idempotency key); 2 and 3 still wait their turn.
        await h.until('run 1 resumed', () => work.seen.length === 2);
        assert.deepEqual(work.seen, ['1', '1']);
        assert.equal(await h.status(runs[1]!), 'Waiting');
        work.release('1');
        await h.until('run 2', () => work.seen.length === 3);
        work.release('2');
        await h.until('run 3', () => work.seen.length === 4);
        work.release('3');
        await h.until('all done', async () => (await h.status(runs[2]!)) === 'Succeeded');
        assert.deepEqual(work.seen, ['1', '1', '2', '3']);
        for (const id of runs) assert.equal(await h.status(id), 'Succeeded');
      } finally {
        await h.close();
        await fresh.dispose();
        await work.close();
      }
    });
  });
}

describe(
  'trigger concurrency across two PostgreSQL processes',
  { skip: pgUp ? false : 'PostgreSQL is not reachable' },
  () => {
    it('two servers on one database never run more than the limit, and hand the queue to each other', async () => {
      const work = await holdingServer();
      const a = await harness(postgresBackend);
      const b = await harness(postgresBackend, a.fresh);
      try {
        const flow = limitedFlow(work.base, {
          runtimeConfiguration: { concurrency: { runs: 2, maximumWaitingRuns: 10 } },
        });
        const { url } = await a.deploy('shared-queue', flow);
        const runs: string[] = [];
        for (const n of [1, 2, 3, 4, 5, 6]) {
          const res = await (n % 2 ? a : b).fire(url, n);
          assert.equal(res.status, 202, res.body);
          runs.push(res.runId);
        }
        await a.until('two calls', () => work.seen.length === 2);
        await new Promise((r) => setTimeout(r, 200));
        assert.deepEqual(work.seen, ['1', '2'], 'no more than two at once');
        for (let done = 0; done < 6; done++) {
          const next = work.seen[done]!;
          work.release(next);
          await a.until(`call ${done + 3}`, () => work.seen.length >= Math.min(6, done + 3));
        }
        await a.until('all runs end', async () => (await a.status(runs[5]!)) === 'Succeeded');
        assert.deepEqual([...work.seen].sort(), ['1', '2', '3', '4', '5', '6']);
        for (const id of runs) assert.equal(await a.status(id), 'Succeeded');
      } finally {
        await b.close();
        await a.close();
        await work.close();
      }
    });
  },
);
