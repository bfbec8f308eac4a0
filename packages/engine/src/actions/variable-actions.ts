// The variable actions (spec §6.2–6.5, §9): InitializeVariable declares at the top level, the
// others change a declared variable. The operations themselves are in ./variables.ts.
import type { Value } from '@flowbridge/expression';
import type { ActionNode } from '../definition/model.js';
import { getProp, ptr } from '../definition/load.js';
import { isRecord } from '../json.js';
import { fail, withInputs } from './settle.js';
import { define } from './types.js';
import type { ActionRun, ActionType, DefinitionCheck } from './types.js';
import {
  VARIABLE_TYPES,
  appendToArray,
  appendToString,
  incrementVariable,
  initializeVariable,
  setVariable,
} from './variables.js';
import type { OpResult, VariableTable } from './variables.js';

type Operation = (vars: VariableTable, inputs: Value) => OpResult;

/** The action for one variable operation: evaluate the inputs, apply, settle. */
function operation(op: Operation): ActionRun {
  return withInputs((host, rec, frame, inputs) => {
    const r = op(host.variables, inputs);
    if (!r.ok) return fail(host, rec, frame, r.code, r.message);
    const extra: { code: string; outputs?: Value } = { code: 'NotSpecified' };
    if (r.outputs !== undefined) extra.outputs = r.outputs;
    host.settle(rec, frame, 'Succeeded', extra);
  });
}

function checkInitialize(node: ActionNode, c: DefinitionCheck): void {
  const p = node.pointer;
  if (c.depth > 1)
    c.err(
      p,
      'InitializeVariableNotTopLevel',
      `InitializeVariable '${node.name}' must be at the top level of the definition.`,
    );
  const inputs = c.inputs();
  const vars = inputs ? getProp(inputs, 'variables') : undefined;
  // One variable per action in the designer; LA Standard's "Initialize variables" declares several.
  if (!Array.isArray(vars) || vars.length === 0) {
    c.err(
      p + '/inputs/variables',
      'InvalidVariableDeclaration',
      `InitializeVariable '${node.name}' must declare at least one variable.`,
    );
    return;
  }
  vars.forEach((v, i) => {
    const vname = isRecord(v) ? getProp(v, 'name') : undefined;
    const vtype = isRecord(v) ? getProp(v, 'type') : undefined;
    const vp = p + '/inputs/variables' + ptr(i);
    if (typeof vname !== 'string' || vname === '' || typeof vtype !== 'string') {
      c.err(vp, 'InvalidVariableDeclaration', `The variable of '${node.name}' needs a name and a type.`);
    } else if (!VARIABLE_TYPES.some((t) => t === vtype.toLowerCase())) {
      c.err(vp + '/type', 'InvalidVariableDeclaration', `Unknown variable type '${vtype}'.`);
    } else if (!vname.includes('@') && !c.declareVariable(vname, vtype)) {
      c.err(vp + '/name', 'DuplicateVariable', `Variable '${vname}' is initialised more than once.`);
    }
  });
}

/** The operations on a declared variable name it in inputs.name; SetVariable also needs a value. */
function checkChange(node: ActionNode, c: DefinitionCheck): void {
  const inputs = c.inputs();
  const p = node.pointer + '/inputs';
  if (!inputs || typeof getProp(inputs, 'name') !== 'string')
    c.err(p, 'MissingRequiredProperty', `${node.type} '${node.name}' requires inputs.name.`);
  else if (node.type === 'SetVariable' && getProp(inputs, 'value') === undefined)
    c.err(p, 'MissingRequiredProperty', `SetVariable '${node.name}' requires inputs.value.`);
}

const change = (name: string, op: Operation): ActionType =>
  define({ name, kind: 'variable', check: checkChange, run: operation(op) });

export const variableActions: ActionType[] = [
  define({
    name: 'InitializeVariable',
    kind: 'variable',
    notInLoop: true,
    check: checkInitialize,
    run: operation(initializeVariable),
  }),
  change('SetVariable', setVariable),
  change('IncrementVariable', (vars, inputs) => incrementVariable(vars, inputs, 1)),
  change('DecrementVariable', (vars, inputs) => incrementVariable(vars, inputs, -1)),
  change('AppendToArrayVariable', appendToArray),
  change('AppendToStringVariable', appendToString),
];
