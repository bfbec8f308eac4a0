// The engine's public data shapes (API.md is the contract; keep these in step with it).
//
// Refinements of API.md made here (all additive):
// - ActionRecord also carries `trackingId` (deterministic, from runId + path) and, for loop
//   containers, `repetitionCount`.
// - RunResult.actions entries carry `code` and `retryHistory` next to the DESIGN §4 fields.
// - awaitCallback.callbackUrl is `${callbackBaseUrl}/${encodeURIComponent(key)}` when
//   RunInit.callbackBaseUrl is given; the host routes a POST there to deliver({kind:'callback'}).
// - RetryAttempt.error is the ErrorData the host reported for that attempt.
// - `Run` is not a class: `Run.start` returns a RunHandle (deliver, pending, result) and `Run` is
//   also the name of that type, so hosts hold no mutable run state.
// - RunResult.outputs maps each definition output to its value; an output whose expression
//   failed maps to `{ error: {code, message} }` (spec §1.4) and the run status is unchanged.
// - The JSON values in records, commands and the run result are shared, not copied: with the
//   run's own values (the trigger outputs the host gave, what expressions built), between a
//   record's inputs and outputs (a Compose's are one object) and between the records of steps and
//   of results. Hosts read and serialize them and never change them in place.

import type { ActionStatus, EffectStatus, RunStatus } from './statuses.js';

export type DefinitionErrorCode =
  | 'InvalidJson'
  | 'NoDefinition'
  | 'InvalidDefinition'
  | 'MissingType'
  | 'UnknownActionType'
  | 'UnknownTriggerType'
  | 'MissingRequiredProperty'
  | 'InvalidProperty'
  | 'RunAfterUnknownAction'
  | 'RunAfterCycle'
  | 'RunAfterEmptyStatuses'
  | 'RunAfterInvalidStatus'
  | 'DuplicateActionName'
  | 'ActionNameTooLong'
  | 'NestingTooDeep'
  | 'TooManyActions'
  | 'TooManySwitchCases'
  | 'DuplicateSwitchCase'
  | 'InitializeVariableNotTopLevel'
  | 'InvalidVariableDeclaration'
  | 'DuplicateVariable'
  | 'ActionNotAllowedInLoop'
  | 'InvalidConcurrency'
  | 'InvalidTemplate'
  | 'ParameterValueMissing'
  | 'InvalidParameterValue'
  | 'RelativePathWithoutMethod'
  /** An expression names an action, variable, parameter or loop that does not exist (or is not around it). */
  | 'InvalidReference'
  /** A SetVariable value reads the variable it sets. */
  | 'SelfReferencingVariable'
  /** An expression calls a function the language does not have. */
  | 'UnknownFunction'
  /** parameters('x') where the definition declares no parameter x. */
  | 'UndeclaredParameter'
  /** An expression longer than the limit (8,192 characters). */
  | 'ExpressionTooLong'
  /** A trigger name longer than the limit (80 characters). */
  | 'TriggerNameTooLong'
  /** The definition's JSON is larger than the limit. */
  | 'DefinitionTooLarge'
  /** ARM template import (definition/arm/): an expression "[...]" that does not parse or fails. */
  | 'InvalidArmExpression'
  /** ARM template import: a function that needs a live Azure deployment (reference, listKeys, ...). */
  | 'ArmUnsupportedFunction'
  /** ARM template import: parameters('x') of a template parameter with no value and no defaultValue. */
  | 'ArmParameterMissing'
  /** ARM template import: the ARM parameters file is malformed, or given for a file that is no ARM template. */
  | 'InvalidArmParameters';

/** A save-time error. `pointer` is a JSON pointer into the file as given (wrapper included). */
export interface DefinitionError {
  pointer: string;
  code: DefinitionErrorCode;
  message: string;
}

/** The bare definition object (spec §1.2). Unknown keys are kept and ignored. */
export interface WorkflowDefinition {
  $schema?: string;
  contentVersion?: string;
  parameters?: Record<string, unknown>;
  triggers?: Record<string, unknown>;
  actions?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  staticResults?: Record<string, unknown>;
  description?: string;
  [key: string]: unknown;
}

export interface LoadedDefinition {
  definition: WorkflowDefinition;
  pointerPrefix: string;
  wrapper: 'bare' | 'arm' | 'standard' | 'powerautomate' | 'clientdata';
  kind?: 'Stateful' | 'Stateless';
  parameterValues?: Record<string, unknown>;
  /**
   * The file was an ARM deployment template whose "[...]" expressions were evaluated at load:
   * `definition` and `parameterValues` hold the results, and are what a host should store (loading
   * the template again would evaluate `[[` escapes a second time).
   */
  armEvaluated?: boolean;
}

// Statuses are listed once, in ./statuses.ts.
export type { ActionStatus, EffectStatus, RunStatus, TerminalStatus } from './statuses.js';

/**
 * Run-time error codes the engine itself produces (connector/HTTP codes from effects are passed
 * through as the host reports them).
 */
export type RunErrorCode =
  | 'InvalidTemplate'
  | 'ActionFailed'
  | 'ActionTimedOut'
  | 'ActionConditionFailed'
  | 'ActionBranchingConditionNotSatisfied'
  | 'ActionSkipped'
  | 'Terminated'
  | 'Cancelled'
  | 'InvalidVariableType'
  | 'InvalidVariableOperation'
  | 'VariableAlreadyInitialized'
  | 'VariableNotInitialized'
  | 'SchemaValidationFailed'
  | 'InvalidJson'
  | 'InvalidInput'
  | 'ResponseAlreadySent'
  | 'InvalidResponseStatusCode'
  | 'NoHostForAction'
  | 'UntilLimitReached'
  | 'OutputEvaluationFailed';

export interface ErrorData {
  code: string;
  message: string;
}

export interface RunInit {
  runId: string;
  workflow: { id: string; name: string; version?: string };
  trigger: {
    name: string;
    outputs: unknown;
    inputs?: unknown;
    startTime: string;
    clientTrackingId?: string;
    /** Recurrence: the occurrence this run was scheduled for (`trigger().scheduledTime`). */
    scheduledTime?: string;
  };
  parameters?: Record<string, unknown>;
  /**
   * The app settings `appsetting('name')` reads (a snapshot taken when the run starts, so a replay
   * reads the same values). Names match exactly first, then case-insensitively; unknown → null.
   */
  appSettings?: Record<string, string>;
  now: number;
  /**
   * Where the run's callback URLs start. A function is called when a URL is first needed (most runs
   * need none, and a host's URL may be signed, which costs an HMAC): being a function, it is also
   * left out of the init's JSON, so a host that stores the init derives it again when it replays.
   */
  callbackBaseUrl?: string | (() => string);
}

export type Command =
  | {
      kind: 'effect';
      id: string;
      path: string;
      actionName: string;
      actionType: string;
      operation?: 'subscribe' | 'unsubscribe' | 'poll';
      inputs: unknown;
      attempt: number;
      idempotencyKey: string;
      timeoutAt?: number;
    }
  | { kind: 'timer'; key: string; dueAt: number }
  | { kind: 'awaitCallback'; key: string; path: string; callbackUrl?: string }
  | { kind: 'response'; path: string; statusCode: number; headers: Record<string, string>; body: unknown }
  | { kind: 'cancelWait'; key: string };

export type RunEvent =
  | { kind: 'effectResult'; id: string; path: string; attempt: number; result: EffectResult; now: number }
  | { kind: 'timer'; key: string; now: number }
  | { kind: 'callback'; key: string; payload: unknown; now: number }
  | { kind: 'cancel'; now: number };

export interface EffectResult {
  status: EffectStatus;
  outputs?: unknown;
  error?: ErrorData;
  retryable?: boolean;
  retryAfterMs?: number;
  startTime?: string;
  endTime?: string;
}

export interface RetryAttempt {
  startTime?: string;
  endTime?: string;
  code?: string;
  error?: ErrorData;
  idempotencyKey: string;
}

export interface ActionRecord {
  name: string;
  path: string;
  type: string;
  status: ActionStatus;
  code?: string;
  error?: ErrorData | null;
  inputs?: unknown;
  outputs?: unknown;
  startTime?: string;
  endTime?: string;
  retryHistory?: RetryAttempt[];
  trackedProperties?: unknown;
  repetitionIndexes?: Array<{ scopeName: string; itemIndex: number }>;
  trackingId?: string;
  repetitionCount?: number;
}

export interface Step {
  commands: Command[];
  records: ActionRecord[];
  status: RunStatus;
  done: boolean;
}

export interface RunResultAction {
  status: ActionStatus;
  code?: string;
  inputs?: unknown;
  outputs?: unknown;
  error: ErrorData | null;
  startTime?: string;
  endTime?: string;
  retryHistory?: RetryAttempt[];
  trackedProperties?: unknown;
  repetitions?: ActionRecord[];
}

export interface RunResult {
  status: RunStatus;
  error: ErrorData | null;
  trigger: { name: string; outputs: unknown };
  actions: Record<string, RunResultAction>;
  response: { statusCode: number; headers: Record<string, string>; body: unknown } | null;
  outputs: Record<string, unknown>;
}

/** How a run ended, as its host records it: the run result without the trigger and the actions. */
export type RunOutcome = Pick<RunResult, 'status' | 'error' | 'response' | 'outputs'>;

/** What a host holds of a run (made by Run.start and replay): feed it events, read its state. */
export interface RunHandle {
  /** Feeds one event; returns what to do next. */
  deliver(event: RunEvent): Step;
  /** Commands issued and not yet answered (after a replay, the host issues these again). */
  pending(): Command[];
  /** The run result JSON of DESIGN §4. */
  result(): RunResult;
  /** result()'s status, error, response and outputs, without building its actions (a run's end reads only these). */
  outcome(): RunOutcome;
}
