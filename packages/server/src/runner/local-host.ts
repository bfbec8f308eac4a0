/**
 * LocalHost: drives one run to its end in this process. It performs effect commands with the
 * effect executors (or answers them from mocks), keeps timers against an injectable clock,
 * collects the Response, and receives webhook callbacks on a loopback listener when asked.
 * Nothing is persisted: the durable server replays runs from its store instead.
 */
import { createEffectExecutor, type EffectExecutorOptions } from '../effects/index.js';
import type { WorkflowContextData } from '../effects/javascript.js';
import type { EffectCommand, EffectContext, EffectExecutor, EffectResult } from '../effects/types.js';
import { startCallbackListener, type CallbackListener } from './callback-listener.js';
import { realClock, type Clock } from './clock.js';
import type { ActionRecord, RunEvent, RunInit, StartRun, Step } from './engine-types.js';
import type { MockTable } from './mocks.js';

export interface LocalHostOptions {
  clock?: Clock;
  /** Performs effects; default: the standard executors configured by `effects`. */
  executor?: EffectExecutor;
  effects?: EffectExecutorOptions;
  mocks?: MockTable;
  /** Listen on 127.0.0.1 for webhook callbacks (otherwise a run awaiting one stops, Waiting). */
  listenForCallbacks?: boolean;
  /** Cancels the run (e.g. Ctrl-C). */
  signal?: AbortSignal;
}

export interface LocalRunOutcome<Result> {
  result: Result;
  /** The first Response the run sent, as the trigger's caller would have received it. */
  response: { statusCode: number; headers: Record<string, string>; body: unknown } | null;
  /** Set when the run could not go on without outside help (a callback nobody can deliver). */
  stalled?: { reason: 'AwaitingCallback'; keys: string[] };
  /** Mocks that no effect command asked for (likely a misspelt action name). */
  unusedMocks: string[];
}

export type LocalRunInit = Omit<RunInit, 'now' | 'callbackBaseUrl' | 'trigger'> & {
  trigger: Omit<RunInit['trigger'], 'startTime'> & { startTime?: string };
};

export async function runLocally<Result>(
  start: StartRun<Result>,
  init: LocalRunInit,
  options: LocalHostOptions = {},
): Promise<LocalRunOutcome<Result>> {
  const clock = options.clock ?? realClock;
  const mocks = options.mocks ?? new Map();
  const usedMocks = new Set<string>();
  const ready: RunEvent[] = [];
  const inflight = new Set<string>();
  const timers = new Map<string, number>();
  const callbacks = new Map<string, string>(); // key → action path
  let response: LocalRunOutcome<Result>['response'] = null;
  let wake: (() => void) | undefined;
  const push = (event: RunEvent): void => {
    ready.push(event);
    wake?.();
  };

  let listener: CallbackListener | undefined;
  if (options.listenForCallbacks) {
    listener = await startCallbackListener((key, payload) => {
      if (!callbacks.has(key)) return false;
      callbacks.delete(key);
      push({ kind: 'callback', key, payload, now: clock.now() });
      return true;
    });
  }

  // What JavaScriptCode sees as workflowContext when the engine does not attach it.
  const actionRecords = new Map<string, ActionRecord>();
  const now = clock.now();
  const trigger = { ...init.trigger, startTime: init.trigger.startTime ?? new Date(now).toISOString() };
  const workflowContext = (): WorkflowContextData => ({
    workflow: { name: init.workflow.name, id: init.workflow.id, run: { id: init.runId } },
    trigger: {
      name: trigger.name,
      inputs: trigger.inputs,
      outputs: trigger.outputs,
      startTime: trigger.startTime,
      status: 'Succeeded',
    },
    actions: Object.fromEntries(actionRecords),
  });
  const executor =
    options.executor ??
    createEffectExecutor({
      ...options.effects,
      javascript: { ...options.effects?.javascript, workflowContext },
    });
  const effectContext: EffectContext = {
    runId: init.runId,
    workflow: init.workflow,
    now: () => clock.now(),
    ...(options.signal ? { signal: options.signal } : {}),
  };

  const perform = (command: EffectCommand): void => {
    const mockName = mockedName(mocks, command.actionName);
    if (mockName !== undefined) {
      usedMocks.add(mockName);
      push(effectEvent(command, mockResult(mocks, mockName, command), clock.now()));
      return;
    }
    inflight.add(command.id);
    void executor(command, effectContext)
      .catch((error: unknown): EffectResult => ({
        status: 'Failed',
        error: { code: 'EffectFailed', message: error instanceof Error ? error.message : String(error) },
      }))
      .then((result) => {
        inflight.delete(command.id);
        push(effectEvent(command, result, clock.now()));
      })
      // Should queueing the result ever throw, the run must not wait for this effect forever.
      .catch((error: unknown) => {
        inflight.delete(command.id);
        console.error(error);
      });
  };

  const apply = (step: Step): void => {
    for (const record of step.records) actionRecords.set(record.name, record);
    for (const command of step.commands) {
      switch (command.kind) {
        case 'effect':
          perform(command);
          break;
        case 'timer':
          timers.set(command.key, command.dueAt);
          break;
        case 'awaitCallback': {
          const mockName = mockedName(mocks, actionNameOf(command.path));
          if (mockName !== undefined) {
            // A mocked webhook action: its mock outputs are the callback.
            usedMocks.add(mockName);
            push({ kind: 'callback', key: command.key, payload: mocks.get(mockName)?.outputs ?? {}, now: clock.now() });
          } else {
            callbacks.set(command.key, command.path);
          }
          break;
        }
        case 'response':
          response ??= { statusCode: command.statusCode, headers: command.headers, body: command.body };
          break;
        case 'cancelWait':
          timers.delete(command.key);
          callbacks.delete(command.key);
          break;
      }
    }
  };

  const onAbort = (): void => push({ kind: 'cancel', now: clock.now() });
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let stalled: LocalRunOutcome<Result>['stalled'];
  try {
    const started = start({
      ...init,
      trigger,
      now,
      ...(listener ? { callbackBaseUrl: listener.baseUrl } : {}),
    });
    const run = started.run;
    let step = started.step;
    apply(step);
    while (!step.done) {
      const event = ready.shift();
      if (event) {
        step = run.deliver(event);
        apply(step);
        continue;
      }
      const waitingOnListener = listener !== undefined && callbacks.size > 0;
      if (inflight.size === 0 && timers.size === 0 && !waitingOnListener) {
        if (callbacks.size > 0) stalled = { reason: 'AwaitingCallback', keys: [...callbacks.keys()] };
        break;
      }
      // Virtual time stands still while real work is in flight.
      const realWork = inflight.size > 0 || waitingOnListener;
      const due = timers.size > 0 && !(clock.virtual && realWork) ? Math.min(...timers.values()) : undefined;
      const woken = new AbortController();
      const wakeUp = new Promise<void>((resolve) => {
        wake = () => {
          woken.abort();
          resolve();
        };
      });
      if (due === undefined) await wakeUp;
      else await Promise.race([wakeUp, clock.sleep(due - clock.now(), woken.signal)]);
      wake = undefined;
      if (ready.length > 0) continue;
      fireDueTimers(timers, clock.now(), push);
    }
    return {
      result: run.result(),
      response,
      ...(stalled ? { stalled } : {}),
      unusedMocks: [...mocks.values()].filter((m) => !usedMocks.has(m.name.toLowerCase())).map((m) => m.name),
    };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await listener?.close();
  }
}

function fireDueTimers(timers: Map<string, number>, now: number, push: (event: RunEvent) => void): void {
  const due = [...timers.entries()].filter(([, at]) => at <= now).sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
  for (const [key] of due) {
    timers.delete(key);
    push({ kind: 'timer', key, now });
  }
}

function effectEvent(command: EffectCommand, result: EffectResult, now: number): RunEvent {
  return { kind: 'effectResult', id: command.id, path: command.path, attempt: command.attempt, result, now };
}

function mockedName(mocks: MockTable, actionName: string): string | undefined {
  const key = actionName.toLowerCase();
  return mocks.has(key) ? key : undefined;
}

/** A mocked action answers every operation: subscribe and unsubscribe just succeed. */
function mockResult(mocks: MockTable, key: string, command: EffectCommand): EffectResult {
  const mock = mocks.get(key)!;
  if (command.operation === 'unsubscribe') return { status: 'Succeeded' };
  if (command.operation === 'subscribe' && mock.status === 'Succeeded')
    return { status: 'Succeeded', outputs: { statusCode: 200 } };
  return {
    status: mock.status,
    ...(mock.outputs !== undefined ? { outputs: mock.outputs } : {}),
    ...(mock.error ? { error: mock.error } : {}),
    ...(mock.status !== 'Succeeded' ? { retryable: false } : {}),
  };
}

/** 'For_each[3]/Scope/Call' → 'Call'. */
function actionNameOf(path: string): string {
  const last = path.split('/').at(-1) ?? path;
  return last.replace(/\[\d+\]$/, '');
}
