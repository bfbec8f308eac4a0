// Save-time checks over every definition string and name (spec §10, §15): functions the language
// does not have, parameters('x') of an undeclared parameter, expressions and names past their
// length limits. Syntax errors are reported by compilation; unparsable strings are skipped here.
import { lookupFunction, parseTemplate } from '@flowbridge/expression';
import { isRecord } from '../json.js';
import type { DefinitionErrorCode, LoadedDefinition } from '../types.js';
import { LIMITS } from './limits.js';
import { getProp, ptr } from './load.js';
import type { ActionNode, TriggerNode } from './model.js';
import { calls, strings } from './references.js';

type Report = (pointer: string, code: DefinitionErrorCode, message: string) => void;

export interface ExpressionScope {
  /** Lower-cased names of the declared parameters; undefined = parameters('x') is not checked. */
  parameters: Set<string> | undefined;
}

/**
 * Whether parameters('x') can be checked against the definition's own declarations: only when the
 * definition declares parameters (one that declares some is expected to declare all it reads) and
 * arrives bare or in a Power Automate wrapper. A Logic Apps Standard workflow.json, and a bare
 * definition without declarations, reads them from the project's parameters.json, outside the
 * definition; ARM deployment templates in the wild read names their deployment never declares
 * (gallery templates), which Logic Apps only fails when the expression runs. There an undeclared
 * name stays a run-time error.
 */
export function declaredParameterScope(
  loaded: LoadedDefinition,
  declared: Iterable<string>,
  supplied: Iterable<string> = [],
): ExpressionScope {
  const names = new Set(declared);
  if (loaded.wrapper === 'standard' || loaded.wrapper === 'arm' || names.size === 0) return { parameters: undefined };
  for (const k of [...supplied, ...Object.keys(loaded.parameterValues ?? {}), ...PLATFORM_PARAMETERS])
    names.add(k.toLowerCase());
  return { parameters: names };
}

/** Parameters the platform supplies to every flow (connections, Power Automate's run-as authentication). */
const PLATFORM_PARAMETERS = ['$connections', '$authentication'];

/** Template gallery placeholders (`name_#workflowname#`) are replaced when a workflow is created from the template. */
function isPlaceholder(name: string): boolean {
  return /#\w+#/.test(name);
}

/**
 * Functions of the service that Flowbridge does not evaluate (agent channels of Logic Apps
 * Standard): known names, so not a save-time error; calling one fails the action at run time.
 */
const SERVICE_ONLY_FUNCTIONS = new Set(['channeltriggerbody', 'assistantmessage']);

/**
 * The characters of expression a definition string holds: all of `@...`, or what the `@{...}`
 * parts of an interpolated string add up to (its literal text is no expression). 0 = a literal.
 */
function expressionLength(text: string): number {
  if (!text.includes('@')) return 0;
  let template;
  try {
    template = parseTemplate(text);
  } catch {
    return 0; // compilation reports it
  }
  if (template.kind === 'expression') return text.length;
  if (template.kind !== 'interpolation') return 0;
  const literal = template.parts.reduce((n, p) => n + (typeof p === 'string' ? p.length : 0), 0);
  return Math.max(0, text.length - literal);
}

function checkString(text: string, pointer: string, scope: ExpressionScope, report: Report): void {
  const length = expressionLength(text);
  if (length === 0) return;
  if (length > LIMITS.expressionLength) {
    report(
      pointer,
      'ExpressionTooLong',
      `The expression is ${length} characters long; the limit is ${LIMITS.expressionLength}.`,
    );
    return;
  }
  for (const c of calls(text)) checkCall(c.fn, c.name, pointer, scope, report);
}

function checkCall(
  fn: string,
  name: string | undefined,
  pointer: string,
  scope: ExpressionScope,
  report: Report,
): void {
  if (!lookupFunction(fn) && !SERVICE_ONLY_FUNCTIONS.has(fn)) {
    report(pointer, 'UnknownFunction', `The template function '${fn}' is not defined or not valid.`);
  } else if (
    fn === 'parameters' &&
    name !== undefined &&
    scope.parameters &&
    !scope.parameters.has(name.toLowerCase()) &&
    !isPlaceholder(name)
  ) {
    report(pointer, 'UndeclaredParameter', `The parameter '${name}' is not declared in the definition's parameters.`);
  }
}

/** The function names of a condition in the designer's object form (`{"and": [{"equals": [...]}]}`). */
function checkConditionObject(json: unknown, pointer: string, scope: ExpressionScope, report: Report): void {
  if (!isRecord(json)) return;
  const keys = Object.keys(json);
  if (keys.length !== 1) return;
  const fn = keys[0] as string;
  const value = json[fn];
  const operands = Array.isArray(value) ? value : fn.toLowerCase() === 'not' && isRecord(value) ? [value] : undefined;
  if (!operands) return;
  checkCall(fn.toLowerCase(), undefined, pointer + ptr(fn), scope, report);
  operands.forEach((o, i) =>
    checkConditionObject(o, pointer + ptr(fn) + (Array.isArray(value) ? ptr(i) : ''), scope, report),
  );
}

/** Checks the strings of every action (its own envelope; nested actions are nodes of their own). */
export function checkActionExpressions(node: ActionNode, scope: ExpressionScope, report: Report): void {
  for (const [text, pointer] of strings(node.def, node.pointer, true)) checkString(text, pointer, scope, report);
  const expression = getProp(node.def, 'expression');
  if (isRecord(expression)) checkConditionObject(expression, node.pointer + '/expression', scope, report);
}

/** Checks a trigger's strings, its condition objects and its name. */
export function checkTriggerExpressions(trigger: TriggerNode, scope: ExpressionScope, report: Report): void {
  const pointer = '/triggers' + ptr(trigger.name);
  if (trigger.name.length > LIMITS.nameLength)
    report(
      pointer,
      'TriggerNameTooLong',
      `Trigger name '${trigger.name}' is longer than ${LIMITS.nameLength} characters.`,
    );
  for (const [text, p] of strings(trigger.def, pointer, true)) checkString(text, p, scope, report);
  const conditions = getProp(trigger.def, 'conditions');
  if (Array.isArray(conditions))
    conditions.forEach((c, i) => {
      const e = isRecord(c) ? getProp(c, 'expression') : undefined;
      if (isRecord(e)) checkConditionObject(e, `${pointer}/conditions/${i}/expression`, scope, report);
    });
}

/** Checks the strings of the definition's outputs. */
export function checkOutputExpressions(outputs: unknown, scope: ExpressionScope, report: Report): void {
  if (!isRecord(outputs)) return;
  for (const [text, pointer] of strings(outputs, '/outputs', false)) checkString(text, pointer, scope, report);
}

/** The definition's size against the limit (UTF-8 bytes of its JSON). */
export function checkDefinitionSize(definition: unknown, report: Report): void {
  let bytes: number;
  try {
    bytes = new TextEncoder().encode(JSON.stringify(definition)).length;
  } catch {
    // Too deep to serialise: far past any limit a real definition reaches.
    report('', 'DefinitionTooLarge', 'The definition is too deeply nested to be measured.');
    return;
  }
  if (bytes > LIMITS.definitionBytes)
    report('', 'DefinitionTooLarge', `The definition is ${bytes} bytes; the limit is ${LIMITS.definitionBytes}.`);
}
