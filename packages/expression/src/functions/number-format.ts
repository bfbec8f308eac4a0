import type { AnyFunctionDef } from './types.js';

/** formatNumber (.NET numeric format strings, cultures). Filled in by the formatting work. */
export const numberFormatFunctions: AnyFunctionDef[] = [];
