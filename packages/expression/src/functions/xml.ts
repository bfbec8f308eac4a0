import type { Value } from '../values.js';
import { toXmlValue, xpathOf } from '../xml/value.js';
import type { AnyFunctionDef } from './types.js';

/** xml() and xpath() (spec §9.8, §9.9). The work is in ../xml/. */
export const xmlFunctions: AnyFunctionDef[] = [
  { name: 'xml', minArgs: 1, maxArgs: 1, impl: (args: Value[]) => toXmlValue(args[0] ?? null) },
  { name: 'xpath', minArgs: 2, maxArgs: 2, impl: (args: Value[]) => xpathOf(args[0] ?? null, args[1] ?? null) },
];
