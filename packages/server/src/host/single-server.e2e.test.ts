// A spawned `flowbridge start` keeps its data folder to itself: private file modes, one server per
// folder (an OS lock the kernel drops when the holder dies), and no credential in its log.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { client, startProcess, type ServerProcess } from './e2e-support.js';

const TOKEN = 'e2e-admin-token-single-server';
const base = mkdtempSync(join(tmpdir(), 'flowbridge-single-'));
const dir = join(base, 'data'); // created by the server (mkdtemp's own folder is 0700 already)
const env = { FLOWBRIDGE_ADMIN_TOKEN: TOKEN };
const servers: ServerProcess[] = [];
after(async () => {
  for (const s of servers) await s.kill();
  rmSync(base, { recursive: true, force: true });
});

const start = async (logLevel?: string): Promise<ServerProcess> => {
  const s = await startProcess(['--data-dir', dir, ...(logLevel ? ['--log-level', logLevel] : [])], env);
  servers.push(s);
  return s;
};

test('a second start on the same data folder refuses with one line; after kill -9 a start succeeds', async () => {
  const first = await start();
  const pid = first.child.pid;
  let refusal = '';
  await assert.rejects(start(), (e: Error) => {
    refusal = e.message;
    return true;
  });
  assert.match(refusal, /^server exited with 1:/);
  const lines = refusal.split('\n').filter((l) => l.includes('flowbridge start:'));
  assert.equal(lines.length, 1, refusal);
  assert.ok(lines[0]!.includes(dir), refusal);
  assert.ok(lines[0]!.includes(`pid ${pid}`), refusal);
  assert.ok(!/\n\s+at /.test(refusal), 'no stack trace');
  // The first server kept serving.
  assert.equal((await client(first.url, TOKEN)('GET', '/api/v1/me')).status, 200);

  await first.kill('SIGKILL');
  const next = await start();
  assert.equal((await client(next.url, TOKEN)('GET', '/api/v1/me')).status, 200);
  await next.kill('SIGTERM');
});

test('the data folder is 0700 and its files 0600; the log holds no sig, bearer token or link token', async () => {
  const server = await start('debug'); // trigger calls log their request lines at debug only
  const api = client(server.url, TOKEN);
  const flow = await api('POST', '/api/v1/flows', {
    name: 'echo',
    definition: {
      triggers: { manual: { type: 'Request', kind: 'Http' } },
      actions: { Response: { type: 'Response', inputs: { statusCode: 200, body: 'ok' } } },
    },
  });
  assert.equal(flow.status, 201, JSON.stringify(flow.body));
  const listed = await api('POST', `/api/v1/flows/${flow.body.id}/triggers/manual/listCallbackUrl`, {});
  const url = new URL(listed.body.value as string);
  const sig = url.searchParams.get('sig')!;
  const bearer = 'Bearer caller-secret-bearer-0123456789';
  const called = await fetch(url, {
    method: 'POST',
    headers: { authorization: bearer, 'content-type': 'application/json' },
    body: '{}',
  });
  assert.equal(called.status, 200);
  const linkToken = 'approval-link-token-0123456789';
  await fetch(`${server.url}/approvals/respond?token=${linkToken}`);
  const privateModes = (): void => {
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    for (const f of readdirSync(dir)) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);
  };
  assert.ok(readdirSync(dir).includes('flowbridge.db-wal'), readdirSync(dir).join());
  privateModes(); // while it runs (WAL and shm included)
  await server.kill('SIGTERM');

  const log = server.output();
  assert.ok(log.includes('/paths/invoke'), 'the trigger call was logged');
  for (const secret of [sig, bearer, 'caller-secret-bearer', TOKEN, linkToken]) {
    assert.ok(!log.includes(secret), `the log contains ${secret}`);
  }

  assert.ok(readdirSync(dir).includes('flowbridge.lock'));
  privateModes();
});

test('a start with another master key than the one that sealed the store refuses in one line', async () => {
  const keyed = join(base, 'keyed');
  const first = await startProcess(['--data-dir', keyed], { ...env, FLOWBRIDGE_SECRET_KEY: 'a'.repeat(64) });
  servers.push(first);
  await first.kill('SIGTERM');
  let refusal = '';
  await assert.rejects(
    startProcess(['--data-dir', keyed], { ...env, FLOWBRIDGE_SECRET_KEY: 'b'.repeat(64) }),
    (e: Error) => {
      refusal = e.message;
      return true;
    },
  );
  const lines = refusal.split('\n').filter((l) => l.includes('flowbridge start:'));
  assert.equal(lines.length, 1, refusal);
  assert.match(lines[0]!, /another master key/);
  assert.ok(!/\n\s+at /.test(refusal), 'no stack trace');
});
