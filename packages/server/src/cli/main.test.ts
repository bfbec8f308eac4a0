import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from './main.js';
import { captureIO } from './test-support.js';

const capture = () => captureIO();

test('--help lists usage and exits 0', async () => {
  const io = capture();
  assert.equal(await main(['--help'], io), 0);
  assert.match(io.out, /Usage: flowbridge <command>/);
});

test('--version prints the version', async () => {
  const io = capture();
  assert.equal(await main(['--version'], io), 0);
  assert.match(io.out, /^\d+\.\d+\.\d+\n$/);
});

test('an unknown command exits 2 with a message', async () => {
  const io = capture();
  assert.equal(await main(['frobnicate'], io), 2);
  assert.match(io.err, /unknown command 'frobnicate'/);
});
