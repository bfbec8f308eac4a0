// A script a crashed agent left running: killed when the agent starts again, since nobody will
// report it. The script runs in a process group of its own (runner.ts, detached), marked in the
// agent's state folder before it starts (agent.ts); its process id is added once it has started.
import { readFile, readdir } from 'node:fs/promises';
import type { AgentState } from './state.js';

/**
 * Kills the group of the script the mark names, if it still runs, and clears the mark. A mark
 * without a process id (a crash before it was noted) names it by its work folder: the group whose
 * leader's command line holds that folder.
 */
export async function killOrphan(state: AgentState): Promise<void> {
  const mark = await state.readRunning();
  if (!mark) return;
  for (const pid of mark.pid !== undefined ? [mark.pid] : await processIds()) {
    try {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes(mark.workDir)) process.kill(-pid, 'SIGKILL');
    } catch {
      // gone already, not a group's leader, or not Linux: nothing to check it against
    }
  }
  await state.clearRunning();
}

/** The ids of this machine's processes (none where there is no /proc). */
async function processIds(): Promise<number[]> {
  const entries = await readdir('/proc').catch(() => []);
  return entries.filter((e) => /^\d+$/.test(e)).map(Number);
}
