import type { AnyFunctionDef } from './types.js';

/** uriHost, uriPath, uriPathAndQuery, uriPort, uriQuery, uriScheme (spec §9.10). */
export const uriFunctions: AnyFunctionDef[] = [];
