// A fake host for tests: runs a definition to the end, answering effect commands from mocks,
// firing timers in due order on a fake clock and delivering callbacks. It also records every
// event so a test can replay the history and compare.
import { compileWorkflow, Run } from '../index.js';
import type { Command, EffectResult, RunEvent, RunInit, RunResult, Step, ActionRecord } from '../index.js';
import type { Workflow } from '../definition/model.js';

/** A mock per action name: one result for every attempt, or a list consumed per attempt. */
export type MockSpec = EffectResult | EffectResult[];
export interface HarnessOptions {
  triggerBody?: unknown;
  triggerOutputs?: unknown;
  triggerName?: string;
  parameters?: Record<string, unknown>;
  appSettings?: Record<string, string>;
  mocks?: Record<string, MockSpec>;
  /** Callback payloads by action name (webhooks). */
  callbacks?: Record<string, unknown>;
  /** Default answer for effects without a mock. */
  defaultEffect?: (cmd: Extract<Command, { kind: 'effect' }>) => EffectResult;
  now?: number;
  runId?: string;
  maxEvents?: number;
  /** Deliver a cancel event after this many events. */
  cancelAfter?: number;
}
export interface HarnessResult {
  result: RunResult;
  commands: Command[];
  records: ActionRecord[];
  events: RunEvent[];
  init: RunInit;
  workflow: Workflow;
  steps: Step[];
  /** Delay of every timer command (dueAt minus the clock when issued), limit.timeout timers excluded. */
  timerDelays: number[];
}

export const T0 = Date.UTC(2025, 0, 1, 8, 0, 0);

export function runDefinition(definition: unknown, opts: HarnessOptions = {}): HarnessResult {
  const workflow = compileWorkflow(definition, opts.parameters ? { parameters: opts.parameters } : undefined);
  const trigger = workflow.triggers[0];
  const outputs = opts.triggerOutputs ?? {
    headers: { 'Content-Type': 'application/json' },
    body: opts.triggerBody ?? null,
  };
  const init: RunInit = {
    runId: opts.runId ?? 'run-1',
    workflow: { id: 'wf-1', name: 'test-flow' },
    trigger: {
      name: opts.triggerName ?? trigger?.name ?? 'manual',
      outputs,
      startTime: new Date(opts.now ?? T0).toISOString(),
    },
    ...(opts.appSettings ? { appSettings: opts.appSettings } : {}),
    now: opts.now ?? T0,
    callbackBaseUrl: 'https://flowbridge.test/callbacks',
  };
  const { run, step } = Run.start(workflow, init);
  return drive(workflow, init, run, step, opts);
}

function drive(workflow: Workflow, init: RunInit, run: Run, first: Step, opts: HarnessOptions): HarnessResult {
  const events: RunEvent[] = [];
  const commands: Command[] = [];
  const records: ActionRecord[] = [];
  const steps: Step[] = [first];
  const attempts = new Map<string, number>();
  let clock = init.now;
  const effects: Array<Extract<Command, { kind: 'effect' }>> = [];
  const timers: Array<Extract<Command, { kind: 'timer' }>> = [];
  const callbacks: Array<Extract<Command, { kind: 'awaitCallback' }>> = [];
  const timerDelays: number[] = [];
  const take = (s: Step): void => {
    commands.push(...s.commands);
    for (const c of s.commands)
      if (c.kind === 'timer' && !c.key.endsWith('#timeout')) timerDelays.push(c.dueAt - clock);
    records.push(...s.records);
    for (const c of s.commands) {
      if (c.kind === 'effect') effects.push(c);
      else if (c.kind === 'timer') timers.push(c);
      else if (c.kind === 'awaitCallback') callbacks.push(c);
      else if (c.kind === 'cancelWait') {
        const ti = timers.findIndex((t) => t.key === c.key);
        if (ti >= 0) timers.splice(ti, 1);
        const ci = callbacks.findIndex((t) => t.key === c.key);
        if (ci >= 0) callbacks.splice(ci, 1);
      }
    }
  };
  take(first);
  let step = first;
  const max = opts.maxEvents ?? 10000;
  while (!step.done && events.length < max) {
    let ev: RunEvent | undefined;
    if (opts.cancelAfter !== undefined && events.length === opts.cancelAfter) ev = { kind: 'cancel', now: clock };
    else if (effects.length > 0) {
      const c = effects.shift() as Extract<Command, { kind: 'effect' }>;
      ev = {
        kind: 'effectResult',
        id: c.id,
        path: c.path,
        attempt: c.attempt,
        result: answer(c, opts, attempts),
        now: clock,
      };
    } else if (callbacks.length > 0 && opts.callbacks) {
      const i = callbacks.findIndex((c) => opts.callbacks && nameOf(c.path) in opts.callbacks);
      if (i >= 0) {
        const c = callbacks.splice(i, 1)[0] as Extract<Command, { kind: 'awaitCallback' }>;
        ev = { kind: 'callback', key: c.key, payload: opts.callbacks[nameOf(c.path)], now: clock };
      }
    }
    if (!ev && timers.length > 0) {
      timers.sort((a, b) => a.dueAt - b.dueAt);
      const t = timers.shift() as Extract<Command, { kind: 'timer' }>;
      clock = Math.max(clock, t.dueAt);
      ev = { kind: 'timer', key: t.key, now: clock };
    }
    if (!ev) break;
    events.push(ev);
    step = run.deliver(ev);
    steps.push(step);
    take(step);
  }
  return { result: run.result(), commands, records, events, init, workflow, steps, timerDelays };
}

const nameOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

function answer(
  c: Extract<Command, { kind: 'effect' }>,
  opts: HarnessOptions,
  attempts: Map<string, number>,
): EffectResult {
  if (c.operation === 'unsubscribe') return { status: 'Succeeded', outputs: { statusCode: 200 } };
  const name = nameOf(c.path);
  const key = `${name}#${c.operation ?? ''}`;
  const mock = opts.mocks?.[`${name}#${c.operation}`] ?? (c.operation === 'poll' ? undefined : opts.mocks?.[name]);
  const n = attempts.get(key) ?? 0;
  attempts.set(key, n + 1);
  if (mock !== undefined) {
    if (Array.isArray(mock)) return (mock[Math.min(n, mock.length - 1)] as EffectResult) ?? { status: 'Succeeded' };
    return mock;
  }
  if (opts.defaultEffect) return opts.defaultEffect(c);
  return { status: 'Succeeded', outputs: { statusCode: 200, headers: {}, body: {} } };
}
