// Helpers over plain JSON as parsed (definitions, host payloads), before it becomes expression
// values.
import type { ErrorData } from './types.js';

/** A JSON object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An error object as actions and runs carry it: a string code and a string message. */
export function isErrorData(value: unknown): value is ErrorData {
  return isRecord(value) && typeof value.code === 'string' && typeof value.message === 'string';
}
