// What an action sees of the run it belongs to. Action implementations (../actions/*) get an
// ActionHost and the records and frames the run hands them; they never see the run's own state,
// so the run can change how it keeps records, queues work or waits without touching them.
import type { Value, WorkflowContext } from '@flowbridge/expression';
import type { ActionNode, ContainerDef } from '../definition/model.js';
import type { Compiled } from '../expr.js';
import type { ActionStatus, HaltStatus, Outcome } from '../statuses.js';
import type { Command, ErrorData, RetryAttempt, RunEvent, RunResult } from '../types.js';
import type { VariableTable } from '../actions/variables.js';
import type { LoopCtx } from './context.js';

/** The run's record of one action (one repetition); values stay expression values until emitted. */
export interface Rec {
  node: ActionNode;
  name: string;
  path: string;
  status: ActionStatus;
  code?: string;
  error?: ErrorData | null;
  inputs?: Value;
  outputs?: Value;
  startTime?: string;
  endTime?: string;
  retryHistory?: RetryAttempt[];
  trackedProperties?: Value;
  repetitionIndexes?: Array<{ scopeName: string; itemIndex: number }>;
  repetitionCount?: number;
  /** Cached expression view of the record (cleared on every change). */
  view?: Value;
  /** Whether the record changed since the last step (it is emitted with the next). */
  changed: boolean;
  /** The JSON of the inputs / outputs last emitted, and the value it was made from. */
  inputsJson?: JsonMemo & { recorded: unknown };
  outputsJson?: JsonMemo;
}

/** Plain JSON made from a value: the same value (they never change in place) gives it again.
 * `recorded` is the inputs' JSON with credentials masked (./credential-mask.ts). */
export interface JsonMemo {
  of: Value;
  json: unknown;
}

/** One running action map (the top level, a Scope, a branch, a loop iteration). */
export interface Frame {
  def: ContainerDef;
  /** Path prefix of the actions in this frame (`Loop[2]/` inside a loop). */
  prefix: string;
  loop: LoopCtx | undefined;
  /** Run-after edges each action of `def` (by ActionNode.index) still waits for. */
  unmet: number[];
  remaining: number;
  onDone: (outcome: Outcome) => void;
}

/** An action that waits on the host (effects, timers, callbacks), so it can be settled or cancelled. */
export interface Waiting {
  rec: Rec;
  frame: Frame;
  keys: Set<string>;
}

/** How an action ends: what is recorded besides its status. */
export interface Settlement {
  outputs?: Value;
  error?: ErrorData | null;
  code?: string;
}

export type Evaluated = { value: Value } | undefined;

export interface ActionHost {
  readonly runId: string;
  /** Where awaitCallback URLs live (RunInit.callbackBaseUrl). */
  readonly callbackBaseUrl: string | undefined;
  /** The time of the event being processed (epoch ms). */
  readonly now: number;
  /** The next deterministic draw in [0, 1) of this run (retry jitter). */
  random(): number;
  readonly variables: VariableTable;
  /** Foreach parallelism when a loop sets none. */
  readonly defaultForeachConcurrency: number;
  /** Whether a Terminate or a cancel has stopped the run: nothing new starts. */
  readonly halted: boolean;

  // ---- evaluation in a frame's context; on failure the action fails with InvalidTemplate

  /** Evaluates one compiled role of the action (`{value: null}` when it has none). */
  eval(role: string, rec: Rec, frame: Frame, dataItem?: { value: Value }, callbackUrl?: string): Evaluated;
  evalCompiled(c: Compiled, rec: Rec, frame: Frame, dataItem?: { value: Value }): Evaluated;
  /** The expression context of the action, for evaluations whose failure the action handles itself. */
  context(frame: Frame, rec: Rec): WorkflowContext;

  // ---- records

  /** Marks a record changed (it is emitted with the next step). */
  touch(rec: Rec): void;
  /** Adds one request attempt to the action's retry history (not yet marking it changed). */
  addAttempt(rec: Rec, attempt: RetryAttempt): void;
  /** Finishes an action now and starts what runs after it. */
  settle(rec: Rec, frame: Frame, status: ActionStatus, extra?: Settlement): void;
  /** Records every action inside the node's containers Skipped with this code. */
  skipBodies(node: ActionNode, prefix: string, code: string): void;
  skipContainer(body: ContainerDef, prefix: string, code: string): void;
  /** Runs an action map; `onDone` gets its outcome once every action in it is terminal. */
  startFrame(def: ContainerDef, prefix: string, loop: LoopCtx | undefined, onDone: (outcome: Outcome) => void): void;

  // ---- waiting on the host

  wait(rec: Rec, frame: Frame): Waiting;
  /** Sends a command whose answer (effect result, timer, callback) is delivered to `fn`. */
  issue(w: Waiting, cmd: Command, key: string, fn: (ev: RunEvent) => void): void;
  timer(w: Waiting, key: string, dueAt: number, fn: () => void): void;
  /** Settles a waiting action, dropping its outstanding timers and callbacks. */
  settleWaiting(w: Waiting, status: ActionStatus, extra?: Settlement): void;
  /** Sends a command that expects no answer. */
  emitCommand(cmd: Command): void;

  // ---- the run as a whole

  /** Terminate / cancel: nothing new starts, everything waiting is cancelled. */
  halt(status: HaltStatus, error: ErrorData | null): void;
  /** Whether a Response has answered the trigger's caller. */
  readonly responded: boolean;
  respond(path: string, response: NonNullable<RunResult['response']>): void;
}
