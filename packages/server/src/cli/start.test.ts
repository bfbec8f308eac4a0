import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './start.js';

test('flowbridge start on a busy port prints one line and exits 1', async () => {
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const port = (busy.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-start-'));
  const stderr: string[] = [];
  try {
    const code = await run(
      ['--port', String(port), '--host', '127.0.0.1', '--data-dir', dir, '--log-level', 'silent'],
      {
        stdout: () => {},
        stderr: (text) => stderr.push(text),
        readStdin: async function* () {},
      },
    );
    assert.equal(code, 1);
    assert.deepEqual(stderr, [`flowbridge start: port ${port} on 127.0.0.1 is already in use\n`]);
  } finally {
    await new Promise((resolve) => busy.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  }
});
