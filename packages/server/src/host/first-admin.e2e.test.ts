// The README's first-admin procedure, followed literally against a spawned `flowbridge start`
// without FLOWBRIDGE_ADMIN_TOKEN: copy the printed setup token, create the admin with it, use the
// token the answer returns. A restart before that prints a new token; after it, none.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { client, startProcess, type ServerProcess } from './e2e-support.js';

const dir = mkdtempSync(join(tmpdir(), 'flowbridge-first-admin-'));
const env = { FLOWBRIDGE_ADMIN_TOKEN: '' }; // "start without FLOWBRIDGE_ADMIN_TOKEN"
let server: ServerProcess | undefined;
after(async () => {
  await server?.kill();
  rmSync(dir, { recursive: true, force: true });
});

const printedToken = (output: string): string | undefined => /\bfbs_[A-Za-z0-9_-]+/.exec(output)?.[0];

test('the README first-admin procedure works from a start without an admin token', async () => {
  // 1. Start: a setup token is printed. A restart before any admin exists prints a fresh one.
  server = await startProcess(['--data-dir', dir], env);
  const first = printedToken(server.output());
  assert.ok(first, server.output());
  await server.kill();
  server = await startProcess(['--data-dir', dir], env);
  const setup = printedToken(server.output());
  assert.ok(setup && setup !== first, 'every start without an admin prints a new token');
  assert.equal((await client(server.url, first)('GET', '/api/v1/me')).status, 401, 'only the newest works');

  // 2–3. Create the admin with the copied token; the answer carries the admin's token.
  const created = await client(server.url, setup)('POST', '/api/v1/users', {
    email: 'you@example.com',
    role: 'admin',
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const token: unknown = created.body.token;
  assert.ok(typeof token === 'string' && token.startsWith('fbp_'), JSON.stringify(created.body));

  // 4. The returned token is the admin's credential; the setup token is over.
  const api = client(server.url, token);
  const me = await api('GET', '/api/v1/me');
  assert.equal(me.status, 200);
  assert.equal(me.body.isAdmin, true);
  assert.equal((await api('GET', '/api/v1/users')).status, 200);
  assert.equal((await client(server.url, setup)('GET', '/api/v1/me')).status, 401);

  // A restart with an admin prints no setup token, and the admin's token keeps working.
  await server.kill();
  server = await startProcess(['--data-dir', dir], env);
  assert.equal(printedToken(server.output()), undefined);
  assert.equal((await client(server.url, token)('GET', '/api/v1/me')).status, 200);
});
