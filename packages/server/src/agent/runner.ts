/**
 * Runs one session's script: its own folder with the script, `inputs.json` (named by
 * FLOWBRIDGE_INPUTS, each input also as FLOWBRIDGE_INPUT_<NAME>) and the outputs file the script
 * writes (FLOWBRIDGE_OUTPUTS); its own process group, so cancelling or timing out kills the whole
 * tree it started, and what it leaves running when it exits is killed too. Exit 0 → Succeeded with
 * the outputs; any other exit → Failed with the tail of stderr.
 */
import { spawn } from 'node:child_process';
import { chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { languageSpec } from './languages.js';
import type { OsUser, RunAsErrorCode } from './run-as.js';

export type ScriptErrorCode = 'ScriptFailed' | 'InvalidOutputs' | 'InterpreterNotFound' | 'UnsupportedLanguage';

export interface ScriptOutcome {
  status: 'Succeeded' | 'Failed' | 'Cancelled' | 'TimedOut';
  outputs?: Record<string, unknown>;
  errorCode?: ScriptErrorCode | RunAsErrorCode | 'Cancelled' | 'TimedOut';
  errorMessage?: string;
}

export interface ScriptSpec {
  sessionId: string;
  language: string;
  script: string;
  inputs: Record<string, unknown>;
  /** The session's folder (created here). */
  workDir: string;
  timeoutMs: number;
  runAs?: OsUser;
  /** Output as it comes (stdout and stderr interleaved). */
  onLog?: (text: string) => void;
  /** Told the script's process id once it runs (to find an orphan after a crash). */
  onSpawn?: (pid: number) => void;
  /** How long a killed tree gets between SIGTERM and SIGKILL (default 2 s). */
  killGraceMs?: number;
}

export interface RunningScript {
  done: Promise<ScriptOutcome>;
  /** Kills the process tree; the outcome is Cancelled or TimedOut. */
  kill(reason: 'Cancelled' | 'TimedOut'): void;
}

const STDERR_TAIL = 4_000;

/** FLOWBRIDGE_INPUT_<NAME>: upper case, anything but letters, digits and _ as _. */
export function inputVariable(name: string): string {
  return `FLOWBRIDGE_INPUT_${name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}

function scriptEnv(spec: ScriptSpec, inputsPath: string, outputsPath: string): NodeJS.ProcessEnv {
  // The agent's own FLOWBRIDGE_* settings (its registration key) are not the script's business.
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('FLOWBRIDGE_')),
  );
  for (const [name, value] of Object.entries(spec.inputs)) {
    env[inputVariable(name)] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  env.FLOWBRIDGE_INPUTS = inputsPath;
  env.FLOWBRIDGE_OUTPUTS = outputsPath;
  env.FLOWBRIDGE_SESSION_ID = spec.sessionId;
  if (spec.runAs) Object.assign(env, { HOME: spec.runAs.home, USER: spec.runAs.name, LOGNAME: spec.runAs.name });
  return env;
}

/** Signals the process group; false when it is gone. */
function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

export function runScript(spec: ScriptSpec): RunningScript {
  let killedAs: 'Cancelled' | 'TimedOut' | undefined;
  let pid: number | undefined;
  const graceMs = spec.killGraceMs ?? 2_000;
  let signalled = false;
  /** SIGTERM to the tree now, SIGKILL after the grace, once, as soon as there is a process. */
  const terminate = (): void => {
    if (signalled || pid === undefined) return;
    signalled = true;
    const group = pid;
    signalGroup(group, 'SIGTERM');
    setTimeout(() => signalGroup(group, 'SIGKILL'), graceMs).unref();
  };
  const kill = (reason: 'Cancelled' | 'TimedOut'): void => {
    killedAs ??= reason;
    terminate();
  };

  const done = (async (): Promise<ScriptOutcome> => {
    const language = languageSpec(spec.language);
    if (!language)
      return {
        status: 'Failed',
        errorCode: 'UnsupportedLanguage',
        errorMessage: `This agent cannot run '${spec.language}' scripts.`,
      };
    await mkdir(spec.workDir, { recursive: true, mode: 0o700 });
    const scriptPath = join(spec.workDir, language.file);
    const inputsPath = join(spec.workDir, 'inputs.json');
    const outputsPath = join(spec.workDir, 'outputs.json');
    await writeFile(scriptPath, spec.script, { mode: 0o600 });
    await writeFile(inputsPath, JSON.stringify(spec.inputs), { mode: 0o600 });
    if (spec.runAs) {
      for (const p of [spec.workDir, scriptPath, inputsPath]) await chown(p, spec.runAs.uid, spec.runAs.gid);
    }
    if (killedAs)
      return {
        status: killedAs,
        errorCode: killedAs,
        errorMessage: `The session was ${killedAs === 'Cancelled' ? 'cancelled' : 'timed out'}.`,
      };

    const [command, ...args] = language.command(scriptPath);
    const child = spawn(command, args, {
      cwd: spec.workDir,
      env: scriptEnv(spec, inputsPath, outputsPath),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(spec.runAs ? { uid: spec.runAs.uid, gid: spec.runAs.gid } : {}),
    });
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => spec.onLog?.(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      stderr = (stderr + text).slice(-STDERR_TAIL);
      spec.onLog?.(text);
    });
    const timer = setTimeout(() => kill('TimedOut'), Math.max(0, spec.timeoutMs));
    const exit = await new Promise<{ code: number | null; error?: NodeJS.ErrnoException }>((resolve) => {
      child.once('error', (error: NodeJS.ErrnoException) => resolve({ code: null, error }));
      child.once('spawn', () => {
        pid = child.pid;
        if (pid !== undefined) spec.onSpawn?.(pid);
        if (killedAs) terminate(); // asked to stop before it ran
      });
      child.once('exit', (code) => resolve({ code }));
    });
    clearTimeout(timer);
    // Whatever it left running in its group ends with it; then its output streams close.
    if (pid !== undefined) signalGroup(pid, 'SIGKILL');
    await new Promise<void>((resolve) => {
      if (child.stdout.closed && child.stderr.closed) return resolve();
      const t = setTimeout(resolve, 2_000);
      child.once('close', () => {
        clearTimeout(t);
        resolve();
      });
    });
    if (exit.error) {
      const missing = exit.error.code === 'ENOENT';
      return {
        status: 'Failed',
        errorCode: missing ? 'InterpreterNotFound' : 'ScriptFailed',
        errorMessage: missing ? `'${command}' is not installed on this machine.` : exit.error.message,
      };
    }
    if (killedAs) {
      return {
        status: killedAs,
        errorCode: killedAs,
        errorMessage:
          killedAs === 'Cancelled'
            ? 'The session was cancelled; its processes were killed.'
            : 'The session timed out; its processes were killed.',
      };
    }
    if (exit.code !== 0) {
      return {
        status: 'Failed',
        errorCode: 'ScriptFailed',
        errorMessage: stderr.trim() || `The script exited with code ${exit.code ?? 'unknown'}.`,
      };
    }
    return readOutputs(outputsPath);
  })();
  return { done, kill };
}

async function readOutputs(path: string): Promise<ScriptOutcome> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { status: 'Succeeded', outputs: {} }; // wrote none
  }
  if (text.trim() === '') return { status: 'Succeeded', outputs: {} };
  try {
    const outputs: unknown = JSON.parse(text);
    if (outputs && typeof outputs === 'object' && !Array.isArray(outputs)) {
      return { status: 'Succeeded', outputs: outputs as Record<string, unknown> };
    }
  } catch {
    // reported below
  }
  return {
    status: 'Failed',
    errorCode: 'InvalidOutputs',
    errorMessage: 'The script wrote outputs that are not a JSON object (FLOWBRIDGE_OUTPUTS).',
  };
}
