import type { Value } from './values.js';

/**
 * What workflow functions read. The engine implements it for a running action; `flowbridge eval`
 * implements it from a context file. Every member is optional: a function whose source is absent
 * fails with InvalidReference when it is reached. Nothing here does I/O: the clock and the random
 * source are injected too, so evaluation stays deterministic under replay.
 */
export interface WorkflowContext {
  /** The trigger record: {name, inputs, outputs, startTime, endTime, status, trackingId, ...}. */
  trigger?(): Value;
  /** The record of an action that has run ({name, inputs, outputs, status, startTime, ...}), or undefined. */
  action?(name: string): Value | undefined;
  /** The current action's record (webhook unsubscribe, Until condition, trackedProperties). */
  currentAction?(): Value | undefined;
  /** Current item of the named Foreach, or of the innermost loop when name is undefined. */
  item?(loopName: string | undefined): Value | undefined;
  /** Current iteration index of the named Until/Foreach loop. */
  iterationIndex?(loopName: string): number | undefined;
  variable?(name: string): Value | undefined;
  parameter?(name: string): Value | undefined;
  /** Records of the top-level actions inside a Scope/Foreach/Until (for `result()`). */
  result?(scopeName: string): Value | undefined;
  workflow?(): Value;
  listCallbackUrl?(): string | undefined;
  appsetting?(key: string): string | undefined;
  /** The current time in milliseconds since the epoch (utcNow, getFutureTime, getPastTime). */
  now?(): number;
  /** A new GUID string (guid()). */
  newGuid?(): string;
  /** A random float in [0, 1) (rand()). */
  random?(): number;
}
