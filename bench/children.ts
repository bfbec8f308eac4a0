// Child processes of a benchmark: every one is tracked and killed when the benchmark's process
// exits, even on failure; `runChild` runs one to its end within a time bound and returns its output.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Kills `child` when this process exits; resolves when the child has exited. */
export function track(child: ChildProcess): Promise<void> {
  live.add(child);
  return new Promise((resolve) =>
    child.once('exit', () => {
      live.delete(child);
      resolve();
    }),
  );
}

/** Runs `command` to its end (killed after `limitMs`); throws with its stderr if it fails. */
export async function runChild(
  command: string,
  args: string[],
  limitMs: number,
  options: SpawnOptions = {},
): Promise<string> {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = track(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => {
    if (err.length < 20_000) err += c.toString();
  });
  // 'close' (not 'exit'): stdout is read to its end.
  const closed = new Promise<undefined>((resolve) => child.once('close', () => resolve(undefined)));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  const failed = await Promise.race([closed, spawnError]);
  if (!failed) await exited;
  clearTimeout(timer);
  if (failed) throw new Error(`${command}: ${failed.message}`);
  if (child.exitCode !== 0)
    throw new Error(`${command} ${args[0] ?? ''} exited with ${child.exitCode ?? child.signalCode}:\n${err}`);
  return out;
}
