// The shared end-to-end helper's own promises: a started server answers at the URL it logged, a
// temporary data folder goes with stop(), and a server that exits before starting fails the wait
// with its output (not a 30 s timeout).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { bearerClient, startFlowbridge } from './spawn-server.js';

const TOKEN = 'spawn-server-test-admin-token-0123456789';

test('startFlowbridge: answers at its url with the token; stop removes its temporary data folder', async () => {
  const prefix = `spawn-server-test-${randomBytes(6).toString('hex')}-`;
  const ours = () => readdirSync(tmpdir()).filter((name) => name.startsWith(prefix));
  const server = await startFlowbridge({ dataDir: { temp: prefix }, token: TOKEN });
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(ours().length, 1);
    const api = bearerClient(server.url, TOKEN);
    assert.equal((await api('GET', '/api/v1/flows')).status, 200, server.output());
    assert.equal((await bearerClient(server.url, 'wrong')('GET', '/api/v1/flows')).status, 401);
  } finally {
    assert.equal(await server.stop(), 0, server.output());
  }
  assert.deepEqual(ours(), []);
});

test('startFlowbridge: a server that exits before it starts fails the wait with its output', async () => {
  await assert.rejects(startFlowbridge({ args: ['--no-such-flag'] }), {
    message: /^server exited with \d+:\n[^]*no-such-flag/,
  });
});
