import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateString } from '../template.js';
import { stringifyValue } from '../text.js';
import { ExpressionError, type ExpressionErrorCode } from '../errors.js';
import type { WorkflowContext } from '../context.js';

/**
 * Table-driven expression tests. Each row is [definition string, expected], where expected is
 * the compact JSON text of the result (`stringifyValue`, so `5.0` differs from `5`), or
 * `{ error: code }` (any code when `true`).
 */
export type Expected = string | { error: ExpressionErrorCode | true };
export type Row = readonly [string, Expected];

export function runCases(title: string, rows: readonly Row[], ctx: WorkflowContext = {}): void {
  test(title, async (t) => {
    for (const [expression, expected] of rows) {
      await t.test(expression, () => {
        if (typeof expected === 'string') {
          assert.equal(stringifyValue(evaluateString(expression, ctx)), expected);
        } else {
          assert.throws(
            () => evaluateString(expression, ctx),
            (e: unknown) => e instanceof ExpressionError && (expected.error === true || e.code === expected.error),
          );
        }
      });
    }
  });
}

/** Shorthand for a JSON string result. */
export const str = (s: string): string => JSON.stringify(s);
export const err = (code: ExpressionErrorCode | true = true): { error: ExpressionErrorCode | true } => ({
  error: code,
});
