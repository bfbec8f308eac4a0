// Every action type the engine knows, by lower-cased name (type names match case-insensitively:
// `Foreach`/`foreach` both appear in real exports). Each family module lists its entries; an entry
// says what the type is, how its definition is checked and how it runs. Adding a type is one
// entry in its family's list.
import { builtinActions } from './builtins.js';
import { containerActions } from './containers.js';
import { controlActions } from './control.js';
import { dataActions } from './data-operations.js';
import { effectActions } from './effect-types.js';
import type { ActionTypeInfo } from './kinds.js';
import type { ActionType } from './types.js';
import { variableActions } from './variable-actions.js';
import { waitActions } from './wait.js';

const families = [
  builtinActions,
  variableActions,
  dataActions,
  controlActions,
  containerActions,
  waitActions,
  effectActions,
];
const byLower = new Map<string, ActionType>();
/** By canonical name, for compiled actions (no lower-casing on the run's hot path). */
const byName = new Map<string, ActionType>();
for (const family of families)
  for (const t of family) {
    byLower.set(t.name.toLowerCase(), t);
    byName.set(t.name, t);
  }

/** The entry of an action type as written in a definition (any case), or undefined when unknown. */
export function lookupActionType(type: string): ActionType | undefined {
  return byLower.get(type.toLowerCase());
}

/** The entry of a compiled action's canonical type name (ActionNode.type). */
export function actionTypeOf(canonical: string): ActionType | undefined {
  return byName.get(canonical);
}

/** What the engine knows about an action type (any case): kind, effect family, request rules. */
export function actionTypeInfo(type: string): ActionTypeInfo | undefined {
  return lookupActionType(type);
}

/** Canonical names of every action type the engine knows. */
export function listActionTypes(): string[] {
  return [...byName.keys()].sort((a, b) => a.localeCompare(b));
}
