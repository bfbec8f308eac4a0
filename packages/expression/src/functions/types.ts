import type { WorkflowContext } from '../context.js';
import type { Value } from '../values.js';

/**
 * One entry of the function library. Each category file exports an array of these; the registry
 * indexes them by lower-cased name (function names are case-insensitive).
 */
export interface FunctionDef {
  /** Canonical name as documented, e.g. 'formatDateTime'. */
  name: string;
  minArgs: number;
  /** Infinity for variadic functions. */
  maxArgs: number;
  /**
   * Eager functions get evaluated arguments. Lazy ones (and, or, if, coalesce) get thunks and
   * evaluate only what they need, so errors in unreached arguments never surface.
   */
  lazy?: false;
  impl: (args: Value[], ctx: WorkflowContext) => Value;
}

export interface LazyFunctionDef {
  name: string;
  minArgs: number;
  maxArgs: number;
  lazy: true;
  impl: (args: Array<() => Value>, ctx: WorkflowContext) => Value;
}

export type AnyFunctionDef = FunctionDef | LazyFunctionDef;
