// A script left running by an agent killed outright is killed when the agent starts again
// (orphan.ts), whether its process id was noted in the mark or the agent died before that.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killOrphan } from './orphan.js';
import { AgentState } from './state.js';

/** A detached group whose leader's command line names `workDir`, as a script's does. */
function orphan(workDir: string): { pid: number; exited: Promise<void> } {
  const child = spawn('sh', ['-c', 'sleep 30; true', workDir], { detached: true, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { pid: child.pid!, exited };
}

const within = <T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> =>
  Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);

describe('an orphaned script', () => {
  for (const noted of [true, false]) {
    it(`is killed at the next start, its process id ${noted ? 'noted' : 'not noted yet'}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'flowbridge-orphan-'));
      try {
        const state = new AgentState(dir);
        await state.init();
        const workDir = state.workDir('session-1');
        const script = orphan(workDir);
        await state.markRunning({ sessionId: 'session-1', workDir, ...(noted ? { pid: script.pid } : {}) });
        await killOrphan(state);
        assert.notEqual(await within(script.exited, 5_000), 'timeout', 'the script was killed');
        assert.equal(await state.readRunning(), undefined, 'the mark is cleared');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('a mark of a script that never started clears, and kills nothing else', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowbridge-orphan-'));
    const other = orphan(join(dir, 'work', 'another-session'));
    try {
      const state = new AgentState(dir);
      await state.init();
      await state.markRunning({ sessionId: 'session-2', workDir: state.workDir('session-2') });
      await killOrphan(state);
      assert.equal(await state.readRunning(), undefined);
      assert.equal(await within(other.exited, 300), 'timeout', 'another session’s script still runs');
    } finally {
      process.kill(-other.pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
