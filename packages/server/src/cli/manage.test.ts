// The management verbs (flows, runs) against a fake server on 127.0.0.1:0 that implements the
// routes they call and records every request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { main } from './main.js';
import { captureIO } from './test-support.js';

const TOKEN = 'fbp_test';

interface Fake {
  url: string;
  requests: Array<{ method: string; url: string; body: unknown; auth: string | undefined }>;
  flows: Array<Record<string, unknown>>;
  app: FastifyInstance;
}

async function fake(): Promise<Fake> {
  const app = Fastify();
  const f: Fake = {
    url: '',
    requests: [],
    app,
    flows: [{ id: 'f1', name: 'orders', state: 'Enabled', version: 1, environmentId: 'default' }],
  };
  app.addHook('onRequest', async (req, reply) => {
    f.requests.push({ method: req.method, url: req.url, body: undefined, auth: req.headers.authorization });
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      return reply.code(401).send({ error: { code: 'Unauthorized', message: 'no' } });
    }
  });
  app.addHook('preHandler', async (req) => {
    f.requests[f.requests.length - 1]!.body = req.body;
  });
  app.get('/api/v1/flows', async () => ({ value: f.flows }));
  app.post('/api/v1/flows', async (req, reply) => {
    const body = req.body as { name: string };
    const flow = {
      id: `f${f.flows.length + 1}`,
      name: body.name,
      state: 'Enabled',
      version: 1,
      environmentId: 'default',
    };
    f.flows.push(flow);
    return reply.code(201).send(flow);
  });
  app.put('/api/v1/flows/:id', async (req) => {
    const flow = f.flows.find((x) => x.id === (req.params as { id: string }).id)!;
    flow.version = (flow.version as number) + 1;
    return flow;
  });
  app.post('/api/v1/flows/:id/disable', async (req) => {
    const flow = f.flows.find((x) => x.id === (req.params as { id: string }).id)!;
    flow.state = 'Disabled';
    return flow;
  });
  app.get('/api/v1/runs', async () => ({
    value: [
      {
        id: 'r1',
        flowId: 'f1',
        status: 'Succeeded',
        startTime: '2026-01-01T00:00:00.000Z',
        endTime: '2026-01-01T00:00:01.500Z',
      },
      { id: 'r2', flowId: 'f1', status: 'Running', startTime: '2026-01-01T00:01:00.000Z', endTime: null },
    ],
    nextCursor: null,
  }));
  app.get('/api/v1/runs/:id', async (req, reply) => {
    if ((req.params as { id: string }).id !== 'r1')
      return reply.code(404).send({ error: { code: 'NotFound', message: "Run 'x' does not exist." } });
    return {
      id: 'r1',
      flowId: 'f1',
      status: 'Failed',
      triggerName: 'manual',
      startTime: '2026-01-01T00:00:00.000Z',
      endTime: '2026-01-01T00:00:02.000Z',
      error: { code: 'ActionFailed', message: 'An action failed.' },
      actions: { Compose: { status: 'Succeeded' }, HTTP: { status: 'Failed', error: { code: 'BadRequest' } } },
    };
  });
  app.post('/api/v1/runs/:id/cancel', async (_req, reply) => reply.code(202).send({ id: 'r2', status: 'Cancelling' }));
  app.post('/api/v1/runs/:id/resubmit', async (_req, reply) => reply.code(202).send({ id: 'r9' }));
  f.url = await app.listen({ host: '127.0.0.1', port: 0 });
  return f;
}

const io = (env: Record<string, string | undefined>) => captureIO({ env });

test('flows deploy creates, then updates the flow of that name as a new version', async () => {
  const f = await fake();
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-cli-'));
  try {
    const file = join(dir, 'def.json');
    const definition = { $schema: 'x', triggers: {}, actions: {} };
    writeFileSync(file, JSON.stringify(definition));
    const env = { FLOWBRIDGE_URL: f.url, FLOWBRIDGE_TOKEN: TOKEN };
    let c = io(env);
    assert.equal(await main(['flows', 'deploy', file, '--name', 'invoices'], c), 0, c.err);
    assert.match(c.out, /created flow 'invoices' \(f2\), version 1/);
    const post = f.requests.find((r) => r.method === 'POST' && r.url === '/api/v1/flows');
    assert.deepEqual(post?.body, { name: 'invoices', definition });
    assert.equal(post?.auth, `Bearer ${TOKEN}`);

    c = io(env);
    writeFileSync(file, JSON.stringify({ definition, parameters: { p: { value: 1 } } }));
    assert.equal(await main(['flows', 'deploy', file, '--name', 'invoices', '--json'], c), 0, c.err);
    const put = f.requests.find((r) => r.method === 'PUT');
    assert.equal(put?.url, '/api/v1/flows/f2');
    assert.deepEqual(put?.body, { definition, parameters: { p: { value: 1 } } });
    assert.equal(JSON.parse(c.out).version, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await f.app.close();
  }
});

test('flows list prints a table or JSON; disable resolves a name', async () => {
  const f = await fake();
  try {
    const env = { FLOWBRIDGE_URL: f.url, FLOWBRIDGE_TOKEN: TOKEN };
    let c = io(env);
    assert.equal(await main(['flows', 'list'], c), 0, c.err);
    assert.match(c.out, /^ID\s+NAME\s+STATE\s+VERSION/);
    assert.match(c.out, /\nf1\s+orders\s+Enabled\s+1\s+default/);
    c = io(env);
    assert.equal(await main(['flows', 'list', '--json'], c), 0);
    assert.equal(JSON.parse(c.out)[0].name, 'orders');

    c = io(env);
    assert.equal(await main(['flows', 'disable', 'orders'], c), 0, c.err);
    assert.ok(f.requests.some((r) => r.method === 'POST' && r.url === '/api/v1/flows/f1/disable'));
    assert.match(c.out, /disabled flow 'orders' \(f1\)/);
    c = io(env);
    assert.equal(await main(['flows', 'enable', 'nope'], c), 1);
    assert.match(c.err, /no flow with id or name 'nope'/);
  } finally {
    await f.app.close();
  }
});

test('runs list, show, cancel, resubmit', async () => {
  const f = await fake();
  try {
    const env = { FLOWBRIDGE_URL: f.url, FLOWBRIDGE_TOKEN: TOKEN };
    let c = io(env);
    assert.equal(await main(['runs', 'list', '--flow', 'orders', '--status', 'Failed'], c), 0, c.err);
    assert.ok(f.requests.some((r) => r.url === '/api/v1/runs?flowId=f1&status=Failed'));
    assert.match(c.out, /\nr1\s+f1\s+Succeeded\s+2026-01-01T00:00:00.000Z\s+1.5s\n/);
    assert.match(c.out, /\nr2\s+f1\s+Running/);

    c = io(env);
    assert.equal(await main(['runs', 'show', 'r1'], c), 0, c.err);
    assert.ok(f.requests.some((r) => r.url === '/api/v1/runs/r1?expand=actions'));
    assert.match(c.out, /status\s+Failed/);
    assert.match(c.out, /error\s+ActionFailed: An action failed\./);
    assert.match(c.out, /\nHTTP\s+Failed\s+-\s+BadRequest/);
    c = io(env);
    assert.equal(await main(['runs', 'show', 'r1', '--json'], c), 0);
    assert.equal(JSON.parse(c.out).actions.HTTP.status, 'Failed');
    c = io(env);
    assert.equal(await main(['runs', 'show', 'x'], c), 1);
    assert.match(c.err, /404 NotFound: Run 'x' does not exist\./);

    c = io(env);
    assert.equal(await main(['runs', 'cancel', 'r2'], c), 0);
    assert.ok(f.requests.some((r) => r.method === 'POST' && r.url === '/api/v1/runs/r2/cancel'));
    c = io(env);
    assert.equal(await main(['runs', 'resubmit', 'r1'], c), 0);
    assert.match(c.out, /resubmitted run r1 as run r9/);
  } finally {
    await f.app.close();
  }
});

test('clear errors: no token, refused token, server not running, usage', async () => {
  const f = await fake();
  try {
    let c = io({ FLOWBRIDGE_URL: f.url });
    assert.equal(await main(['flows', 'list'], c), 1);
    assert.match(c.err, /set FLOWBRIDGE_TOKEN/);
    c = io({ FLOWBRIDGE_URL: f.url, FLOWBRIDGE_TOKEN: 'wrong' });
    assert.equal(await main(['runs', 'list'], c), 1);
    assert.match(c.err, /refused FLOWBRIDGE_TOKEN/);
    // --url/--token options win over the environment.
    c = io({ FLOWBRIDGE_URL: 'http://127.0.0.1:1', FLOWBRIDGE_TOKEN: 'wrong' });
    assert.equal(await main(['flows', 'list', '--url', f.url, '--token', TOKEN], c), 0, c.err);
  } finally {
    await f.app.close();
  }
  // A port nothing listens on any more (a fresh one: pooled keep-alive sockets to the fake
  // would fail differently).
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const down = `http://127.0.0.1:${port}`;
  const c = io({ FLOWBRIDGE_URL: down, FLOWBRIDGE_TOKEN: TOKEN });
  assert.equal(await main(['flows', 'list'], c), 1);
  assert.ok(c.err.includes(`cannot reach the Flowbridge server at ${down} — is \`flowbridge start\` running?`), c.err);
  const u = io({});
  assert.equal(await main(['runs', 'frob'], u), 2);
  assert.match(u.err, /unknown verb 'frob'/);
  assert.equal(await main(['flows', 'deploy'], u), 2);
});
