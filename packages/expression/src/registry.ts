import type { AnyFunctionDef } from './functions/types.js';
import { stringFunctions } from './functions/string.js';
import { collectionFunctions } from './functions/collection.js';
import { logicalFunctions } from './functions/logical.js';
import { conversionFunctions } from './functions/conversion.js';
import { mathFunctions } from './functions/math.js';
import { manipulationFunctions } from './functions/manipulation.js';
import { workflowFunctions } from './functions/workflow.js';
import { datetimeFunctions } from './functions/datetime.js';
import { numberFormatFunctions } from './functions/number-format.js';
import { xmlFunctions } from './functions/xml.js';
import { uriFunctions } from './functions/uri.js';

/**
 * The function library indexed by lower-cased name (function names are case-insensitive).
 * Built lazily on first lookup so that the category modules' arrays are complete by then.
 */
let table: Map<string, AnyFunctionDef> | undefined;

function build(): Map<string, AnyFunctionDef> {
  const map = new Map<string, AnyFunctionDef>();
  const groups = [
    stringFunctions,
    collectionFunctions,
    logicalFunctions,
    conversionFunctions,
    mathFunctions,
    manipulationFunctions,
    workflowFunctions,
    datetimeFunctions,
    numberFormatFunctions,
    xmlFunctions,
    uriFunctions,
  ];
  for (const group of groups) for (const def of group) map.set(def.name.toLowerCase(), def);
  return map;
}

export function lookupFunction(name: string): AnyFunctionDef | undefined {
  table ??= build();
  return table.get(name.toLowerCase());
}

/** Canonical names of every function in the registry. */
export function listFunctions(): string[] {
  table ??= build();
  return [...table.values()].map((d) => d.name).sort((a, b) => a.localeCompare(b));
}
