import type { AnyFunctionDef } from './types.js';

/** xml() and xpath() (spec §9.8, §9.9). Filled in by the XML work. */
export const xmlFunctions: AnyFunctionDef[] = [];
