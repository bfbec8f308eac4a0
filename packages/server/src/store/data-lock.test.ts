import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireDataLock } from './data-lock.js';

test('one holder per data folder; released, the next one gets it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-lock-'));
  try {
    const first = acquireDataLock(dir);
    assert.ok(first.ok);
    const second = acquireDataLock(dir);
    assert.equal(second.ok, false);
    if (!second.ok) {
      assert.equal(second.error.code, 'DataFolderInUse');
      assert.equal(second.error.pid, process.pid);
      assert.ok(second.error.message.includes(dir));
      assert.ok(!second.error.message.includes('\n'));
    }
    first.value.release();
    const third = acquireDataLock(dir);
    assert.ok(third.ok);
    if (third.ok) third.value.release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
