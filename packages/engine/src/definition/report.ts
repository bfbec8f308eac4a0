// What the parts of compilation share: reporting an error at a JSON pointer, and compiling a
// definition value (an expression error is reported, not thrown).
import type { Compiled } from '../expr.js';
import type { DefinitionErrorCode } from '../types.js';

export interface Reporter {
  /** Reports an error; the pointer is relative to the definition (the wrapper prefix is added). */
  err(pointer: string, code: DefinitionErrorCode, message: string): void;
  /** Compiles a value or condition; on an expression error reports InvalidTemplate and returns undefined. */
  compile(json: unknown, pointer: string, as?: 'value' | 'condition'): Compiled | undefined;
}
