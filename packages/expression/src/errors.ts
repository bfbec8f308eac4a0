/**
 * Expression errors are plain data with a code from a closed union. Tests assert codes, not
 * messages. `position` is the 0-based offset of the failing token in `expression`.
 */
export type ExpressionErrorCode =
  /** The expression text does not parse (syntax, literal out of range, unterminated @{...}). */
  | 'InvalidTemplate'
  /** A function name that is not defined, reached during evaluation. */
  | 'UnknownFunction'
  /** Wrong number of arguments for a known function. */
  | 'InvalidArgumentCount'
  /** An argument of the wrong type or value (e.g. int('x'), take(-1)). */
  | 'InvalidArgument'
  /** A missing property, member access on null or a scalar, an index out of range. */
  | 'InvalidProperty'
  /** int64 or decimal overflow, integer division by zero. */
  | 'ArithmeticError'
  /** A workflow function that the context cannot answer (unknown action, variable, parameter, loop). */
  | 'InvalidReference'
  /** Calls and indexes nested deeper than MAX_EXPRESSION_DEPTH (parser.ts): refused before they overflow the stack. */
  | 'NestingTooDeep';

export interface ExpressionErrorData {
  code: ExpressionErrorCode;
  message: string;
  expression?: string;
  position?: number;
  /** JSON pointer of the failing string inside the compiled value (compileValue). */
  pointer?: string;
}

export class ExpressionError extends Error {
  readonly code: ExpressionErrorCode;
  expression: string | undefined;
  position: number | undefined;
  /** JSON pointer of the failing string inside the value given to compileValue. */
  pointer: string | undefined;
  constructor(code: ExpressionErrorCode, message: string, expression?: string, position?: number) {
    super(message);
    this.name = 'ExpressionError';
    this.code = code;
    this.expression = expression;
    this.position = position;
  }
  toData(): ExpressionErrorData {
    const data: ExpressionErrorData = { code: this.code, message: this.message };
    if (this.expression !== undefined) data.expression = this.expression;
    if (this.position !== undefined) data.position = this.position;
    if (this.pointer !== undefined) data.pointer = this.pointer;
    return data;
  }
}

/** Shorthand used by function implementations for a bad argument. */
export function invalidArgument(message: string): ExpressionError {
  return new ExpressionError('InvalidArgument', message);
}
