// The one place the engine touches the expression language, so the rest of the engine sees a
// small, stable surface: compile JSON with embedded expressions, evaluate against a context.
import { ExpressionError } from '@flowbridge/expression';

export { compileValue, compileCondition, toJson, toJsonShared, toText } from '@flowbridge/expression';
export type { Compiled } from '@flowbridge/expression';

/** A compile-time expression error, reduced to what definition errors need. */
export interface CompileFailure {
  pointer: string;
  message: string;
}

/** Reads the data an ExpressionError carries (code, expression, position, pointer). */
export function compileFailure(e: unknown): CompileFailure | undefined {
  if (!(e instanceof ExpressionError)) return undefined;
  const err = e;
  const where = err.position !== undefined ? ` (column ${err.position + 1})` : '';
  const expr = err.expression !== undefined ? ` in '${err.expression}'` : '';
  return { pointer: err.pointer ?? '', message: `${err.message}${where}${expr}` };
}

/** An evaluation error as action error data. */
export function evaluationError(e: unknown): { code: string; message: string } {
  if (e instanceof Error) {
    const err = e as Error & { expression?: string; code?: unknown };
    const expr = err.expression !== undefined ? ` Expression: '${err.expression}'.` : '';
    return {
      code: 'InvalidTemplate',
      message: `Unable to process template language expressions: ${err.message}${expr}`,
    };
  }
  return { code: 'InvalidTemplate', message: String(e) };
}
