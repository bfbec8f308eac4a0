/**
 * The agent's state folder: the machine credential (mode 0600), the results not yet acknowledged
 * by the server (one file each, written before the first attempt to report, removed once it is
 * acknowledged: a result survives network loss, server restarts and agent restarts), the session
 * running now (to kill what a crashed agent left behind), and each session's work folder.
 */
import { chmod, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ScriptOutcome } from './runner.js';

export interface Registration {
  server: string;
  machineId: string;
  machineGroupId: string;
  name: string;
  credential: string;
}

export interface HeldResult extends ScriptOutcome {
  sessionId: string;
  /** Epoch ms by the agent's clock when the script ended. */
  endedAt: number;
}

export interface RunningMark {
  sessionId: string;
  /** The script's process (the leader of its group); absent until it has started. */
  pid?: number;
  workDir: string;
}

const ID = /^[0-9a-zA-Z-]{1,64}$/;

export class AgentState {
  constructor(readonly dir: string) {}

  private path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  async init(): Promise<void> {
    await mkdir(this.path('results'), { recursive: true, mode: 0o700 });
    await mkdir(this.path('work'), { recursive: true, mode: 0o700 });
    await chmod(this.dir, 0o700);
  }

  /** Written whole or not at all (a crash mid-write leaves the old file). */
  private async writeAtomic(path: string, data: unknown, mode = 0o600): Promise<void> {
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(data, null, 2), { mode });
    await chmod(tmp, mode);
    await rename(tmp, path);
  }

  private async readJson<T>(path: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(path, 'utf8')) as T;
    } catch {
      return undefined;
    }
  }

  readRegistration(): Promise<Registration | undefined> {
    return this.readJson<Registration>(this.path('machine.json'));
  }

  writeRegistration(registration: Registration): Promise<void> {
    return this.writeAtomic(this.path('machine.json'), registration, 0o600);
  }

  async saveResult(result: HeldResult): Promise<void> {
    if (!ID.test(result.sessionId)) throw new Error(`bad session id ${result.sessionId}`);
    await this.writeAtomic(this.path('results', `${result.sessionId}.json`), result);
  }

  async heldResults(): Promise<HeldResult[]> {
    const names = (await readdir(this.path('results')).catch(() => [] as string[])).filter((n) => n.endsWith('.json'));
    const out: HeldResult[] = [];
    for (const name of names.sort()) {
      const r = await this.readJson<HeldResult>(this.path('results', name));
      if (r && typeof r.sessionId === 'string') out.push(r);
    }
    return out.sort((a, b) => a.endedAt - b.endedAt);
  }

  async dropResult(sessionId: string): Promise<void> {
    if (ID.test(sessionId)) await rm(this.path('results', `${sessionId}.json`), { force: true });
  }

  markRunning(mark: RunningMark): Promise<void> {
    return this.writeAtomic(this.path('running.json'), mark);
  }

  readRunning(): Promise<RunningMark | undefined> {
    return this.readJson<RunningMark>(this.path('running.json'));
  }

  async clearRunning(): Promise<void> {
    await rm(this.path('running.json'), { force: true });
  }

  workDir(sessionId: string): string {
    return this.path('work', ID.test(sessionId) ? sessionId : 'invalid');
  }

  async dropWorkDir(sessionId: string): Promise<void> {
    await rm(this.workDir(sessionId), { recursive: true, force: true });
  }
}
