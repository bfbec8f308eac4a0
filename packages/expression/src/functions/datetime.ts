import type { AnyFunctionDef } from './types.js';

/** Date and time functions (spec §9.6, §10). Filled in by the date/time work. */
export const datetimeFunctions: AnyFunctionDef[] = [];
