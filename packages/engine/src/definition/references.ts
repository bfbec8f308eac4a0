// Save-time checks of what expressions refer to (spec §15 item 7): an action, variable, parameter
// or loop that does not exist, `items('X')` outside loop X, and a SetVariable whose value reads
// its own variable. Syntax errors are reported by compilation; here unparsable strings are skipped.
import { parseTemplate, type Node } from '@flowbridge/expression';
import type { DefinitionErrorCode } from '../types.js';
import type { ActionNode } from './model.js';

type Report = (pointer: string, code: DefinitionErrorCode, message: string) => void;

/** Functions whose first argument names an action. */
const ACTION_FUNCTIONS = new Set(
  [
    'actions',
    'body',
    'outputs',
    'actionBody',
    'actionOutputs',
    'result',
    'formDataValue',
    'formDataMultiValues',
    'multipartBody',
  ].map((f) => f.toLowerCase()),
);
/** Keys of an action that hold child actions (checked as their own nodes, or, for agent `tools`,
 * not modelled as actions), and keys that are never evaluated. */
const CHILD_KEYS = new Set(['actions', 'else', 'cases', 'default', 'tools']);
const NOT_EVALUATED = new Set(['description', 'metadata', 'runafter', 'type', 'kind']);

export interface ReferenceScope {
  actions: Map<string, ActionNode>;
  variables: Set<string>;
  triggers: Set<string>;
}

interface Reference {
  fn: string;
  name: string;
}

/**
 * Every function call in one definition string, as its lower-cased name and its first argument
 * when that is a literal string (`outputs('A')` → {fn: 'outputs', name: 'A'}; `triggerBody()` →
 * {fn: 'triggerbody', name: undefined}). Unparsable strings have none (compilation reports them).
 */
export function calls(text: string): Array<{ fn: string; name: string | undefined }> {
  if (!text.includes('@')) return [];
  let template;
  try {
    template = parseTemplate(text);
  } catch {
    return [];
  }
  const out: Array<{ fn: string; name: string | undefined }> = [];
  const visit = (n: Node): void => {
    if (n.kind === 'call') {
      const first = n.args[0];
      out.push({
        fn: n.name.toLowerCase(),
        name: first?.kind === 'literal' && typeof first.value === 'string' ? first.value : undefined,
      });
      n.args.forEach(visit);
    } else if (n.kind === 'access') {
      visit(n.target);
      visit(n.key);
    }
  };
  if (template.kind === 'expression') visit(template.node);
  else if (template.kind === 'interpolation') for (const p of template.parts) if (typeof p !== 'string') visit(p);
  return out;
}

/** Calls with a literal string first argument, anywhere in one definition string. */
function references(text: string): Reference[] {
  return calls(text).flatMap((c) => (c.name === undefined ? [] : [{ fn: c.fn, name: c.name }]));
}

/** Functions that read the trigger's outputs. */
const TRIGGER_FUNCTIONS = new Set(
  [
    'trigger',
    'triggerBody',
    'triggerOutputs',
    'triggerFormDataValue',
    'triggerFormDataMultiValues',
    'triggerMultipartBody',
  ].map((f) => f.toLowerCase()),
);

/**
 * What an action's inputs read: the actions named in outputs()/body()/actions()... (lower-cased)
 * and whether they read the trigger. Logic Apps hides an action's inputs in run history when they
 * use outputs that another action or the trigger secured.
 */
export function inputReads(node: ActionNode): { actions: Set<string>; trigger: boolean } {
  const actions = new Set<string>();
  let trigger = false;
  const inputs = (node.def as { inputs?: unknown }).inputs;
  for (const [text] of strings(inputs, '', false)) {
    for (const c of calls(text)) {
      if (ACTION_FUNCTIONS.has(c.fn) && c.name !== undefined) actions.add(c.name.toLowerCase());
      else if (TRIGGER_FUNCTIONS.has(c.fn)) trigger = true;
    }
  }
  return { actions, trigger };
}

/** Every string inside `value` with its JSON pointer, not descending into child-action keys at the top. */
export function* strings(value: unknown, pointer: string, skipChildren: boolean): Generator<[string, string]> {
  if (typeof value === 'string') yield [value, pointer];
  else if (Array.isArray(value))
    for (let i = 0; i < value.length; i++) yield* strings(value[i], `${pointer}/${i}`, false);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (skipChildren && (CHILD_KEYS.has(k) || NOT_EVALUATED.has(k.toLowerCase()))) continue;
      // Switch cases carry their own `case` values but their actions are child nodes.
      yield* strings(
        v,
        `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`,
        k === 'cases' || k === 'else' || k === 'default',
      );
    }
  }
}

export function checkActionReferences(node: ActionNode, scope: ReferenceScope, report: Report): void {
  const ownVariable =
    node.type === 'SetVariable'
      ? String((node.def as { inputs?: { name?: unknown } }).inputs?.name ?? '').toLowerCase()
      : '';
  for (const [text, pointer] of strings(node.def, node.pointer, true)) {
    for (const ref of references(text))
      check(ref, pointer, node, scope, report, ownVariable, pointer.startsWith(`${node.pointer}/inputs/value`));
  }
}

function check(
  ref: Reference,
  pointer: string,
  node: ActionNode,
  scope: ReferenceScope,
  report: Report,
  ownVariable: string,
  inSetValue: boolean,
): void {
  const lower = ref.name.toLowerCase();
  if (ACTION_FUNCTIONS.has(ref.fn)) {
    if (!scope.actions.has(lower) && !scope.triggers.has(lower)) {
      report(
        pointer,
        'InvalidReference',
        `The action '${ref.name}' referenced by '${node.name}' is not defined in the template.`,
      );
    }
  } else if (ref.fn === 'items') {
    if (!node.loops.some((l) => l.lower === lower && l.type === 'Foreach')) {
      report(
        pointer,
        'InvalidReference',
        `items('${ref.name}') in '${node.name}' is not inside the Foreach loop '${ref.name}'.`,
      );
    }
  } else if (ref.fn === 'iterationindexes') {
    if (!node.loops.some((l) => l.lower === lower && l.type === 'Until')) {
      report(
        pointer,
        'InvalidReference',
        `iterationIndexes('${ref.name}') in '${node.name}' is not inside the Until loop '${ref.name}'.`,
      );
    }
  } else if (ref.fn === 'variables') {
    if (!scope.variables.has(lower)) {
      report(
        pointer,
        'InvalidReference',
        `The variable '${ref.name}' used by '${node.name}' is not initialised by any InitializeVariable action.`,
      );
    } else if (inSetValue && lower === ownVariable) {
      report(
        pointer,
        'SelfReferencingVariable',
        `SetVariable '${node.name}' cannot read its own variable '${ref.name}'; use a Compose first.`,
      );
    }
  }
  // parameters('x') is not checked: Logic Apps Standard resolves names from the project's
  // parameters.json, outside the definition, so an undeclared name is only a run-time error.
}
