// Durability of the embedded store under load (DESIGN §2): a step whose commitStep resolved
// survives SIGKILL at any moment, also while staged rows are being moved and the WAL is being
// checkpointed by the worker thread. The host's e2e tests kill whole servers; this one kills a
// bare store at full speed, several times over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from './open.js';

const WRITER = new URL('./test-support/crash-writer.ts', import.meta.url).pathname;

/** Runs the writer until `afterMs` past its first step, kills it, returns the acknowledged seqs per run. */
async function writeAndKill(dir: string, afterMs: number): Promise<Map<number, number>> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', WRITER, dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const acked = new Map<number, number>();
  let buffer = '';
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => reject(new Error(`writer ended early: ${code ?? signal}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'ready') {
          setTimeout(() => {
            child.kill('SIGKILL');
            resolve();
          }, afterMs);
          continue;
        }
        const [k, seq] = line.split(' ').map(Number);
        if (k !== undefined && seq !== undefined) acked.set(k, Math.max(acked.get(k) ?? 0, seq));
      }
    });
  });
  await exited;
  return acked;
}

test('every acknowledged step survives SIGKILL of a store under a 50-writer load', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowbridge-crash-'));
  try {
    for (const afterMs of [400, 900, 1500]) {
      const acked = await writeAndKill(dir, afterMs);
      assert.ok(acked.size === 50, `expected acknowledged steps on every run, got ${acked.size}`);
      const store = await openStore({ dataDir: dir });
      try {
        for (const [k, seq] of acked) {
          const h = await store.loadRunHistory(`run-${k}`);
          assert.ok(h.lastSeq >= seq, `run-${k}: step ${seq} was acknowledged, the store has ${h.lastSeq}`);
          assert.equal(h.events.length, h.lastSeq);
          h.events.forEach((e, i) => assert.equal((e as { i: number }).i, i + 1));
          const run = await store.getRun(`run-${k}`, { withActions: true });
          assert.equal(run?.actions?.length, h.lastSeq);
        }
      } finally {
        await store.close();
      }
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
