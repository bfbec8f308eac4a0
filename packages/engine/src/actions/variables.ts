// Variable actions (spec §6.2–6.5, §9) as pure functions over the run's variable table. The
// executor applies each one inside a single step, so every read-modify-write is atomic even when
// iterations of a parallel Foreach interleave.
import type { Value } from '@flowbridge/expression';
import { toText } from '../expr.js';
import { isIntegerValue, isPlainObject, numeric, prop } from './values.js';

export const VARIABLE_TYPES = ['boolean', 'integer', 'float', 'string', 'array', 'object'] as const;
export type VariableType = (typeof VARIABLE_TYPES)[number];
export interface Variable {
  name: string;
  type: VariableType;
  value: Value;
}
export type VariableTable = Map<string, Variable>;
export type OpResult = { ok: true; outputs?: Value } | { ok: false; code: string; message: string };

function typeOk(type: VariableType, v: Value): boolean {
  switch (type) {
    case 'boolean':
      return typeof v === 'boolean';
    case 'integer':
      return isIntegerValue(v);
    case 'float':
      return numeric(v) !== undefined;
    case 'string':
      return typeof v === 'string';
    case 'array':
      return Array.isArray(v);
    case 'object':
      return isPlainObject(v);
  }
}

const kindName = (v: Value): string =>
  v === null
    ? 'Null'
    : Array.isArray(v)
      ? 'Array'
      : typeof v === 'string'
        ? 'String'
        : typeof v === 'boolean'
          ? 'Boolean'
          : isIntegerValue(v)
            ? 'Integer'
            : numeric(v) !== undefined
              ? 'Float'
              : 'Object';

const mismatch = (name: string, type: VariableType, v: Value): OpResult => ({
  ok: false,
  code: 'InvalidVariableType',
  message: `The variable '${name}' of type '${type}' cannot be initialized or updated with a value of type '${kindName(v)}'.`,
});

export function initializeVariable(vars: VariableTable, inputs: Value): OpResult {
  const list = prop(inputs, 'variables');
  if (!Array.isArray(list) || list.length === 0)
    return { ok: false, code: 'InvalidInput', message: 'InitializeVariable needs inputs.variables.' };
  for (const decl of list) {
    const r = initializeOne(vars, decl);
    if (!r.ok) return r;
  }
  return { ok: true };
}

function initializeOne(vars: VariableTable, decl: Value): OpResult {
  const name = prop(decl, 'name');
  const rawType = prop(decl, 'type');
  if (typeof name !== 'string' || typeof rawType !== 'string')
    return { ok: false, code: 'InvalidInput', message: 'InitializeVariable needs variables[0].name and .type.' };
  const lowerType = rawType.toLowerCase();
  const type = VARIABLE_TYPES.find((t) => t === lowerType);
  if (!type) return { ok: false, code: 'InvalidInput', message: `Unknown variable type '${rawType}'.` };
  if (vars.has(name.toLowerCase()))
    return { ok: false, code: 'VariableAlreadyInitialized', message: `The variable '${name}' is already initialized.` };
  const value = prop(decl, 'value');
  const v = value === undefined ? null : value;
  if (v !== null && !typeOk(type, v)) return mismatch(name, type, v);
  vars.set(name.toLowerCase(), { name, type, value: v });
  return { ok: true };
}

function lookup(vars: VariableTable, inputs: Value): Variable | OpResult {
  const name = prop(inputs, 'name');
  if (typeof name !== 'string')
    return { ok: false, code: 'InvalidInput', message: 'The variable name must be a string.' };
  const v = vars.get(name.toLowerCase());
  if (!v) return { ok: false, code: 'VariableNotInitialized', message: `The variable '${name}' is not initialized.` };
  return v;
}
const isVar = (x: Variable | OpResult): x is Variable => 'type' in x;
const done = (v: Variable): OpResult => ({ ok: true, outputs: { body: { name: v.name, value: v.value } } });

export function setVariable(vars: VariableTable, inputs: Value): OpResult {
  const v = lookup(vars, inputs);
  if (!isVar(v)) return v;
  const value = prop(inputs, 'value') ?? null;
  // null is accepted for string/array/object variables [obs].
  const nullOk = value === null && (v.type === 'string' || v.type === 'array' || v.type === 'object');
  if (!nullOk && !typeOk(v.type, value)) return mismatch(v.name, v.type, value);
  v.value = value;
  return done(v);
}

export function incrementVariable(vars: VariableTable, inputs: Value, sign: 1 | -1): OpResult {
  const v = lookup(vars, inputs);
  if (!isVar(v)) return v;
  if (v.type !== 'integer' && v.type !== 'float') {
    return {
      ok: false,
      code: 'InvalidVariableOperation',
      message: `The variable '${v.name}' of type '${v.type}' cannot be incremented or decremented: only integer and float variables can.`,
    };
  }
  const raw = prop(inputs, 'value');
  const step = raw === undefined || raw === null ? 1 : raw;
  const by = numeric(step);
  if (by === undefined)
    return {
      ok: false,
      code: 'InvalidVariableType',
      message: `The increment value must be a number, not ${kindName(step)}.`,
    };
  if (v.type === 'integer' && !isIntegerValue(step)) return mismatch(v.name, v.type, step);
  const cur = v.value === null ? 0 : (numeric(v.value) ?? 0);
  if (typeof cur === 'bigint' || typeof by === 'bigint') {
    if (v.type === 'integer') v.value = BigInt(cur) + BigInt(sign) * BigInt(by);
    else v.value = Number(cur) + sign * Number(by);
  } else {
    const r = cur + sign * by;
    v.value = v.type === 'integer' && !Number.isSafeInteger(r) ? BigInt(cur) + BigInt(sign) * BigInt(by) : r;
  }
  return done(v);
}

export function appendToArray(vars: VariableTable, inputs: Value): OpResult {
  const v = lookup(vars, inputs);
  if (!isVar(v)) return v;
  if (v.type !== 'array')
    return {
      ok: false,
      code: 'InvalidVariableOperation',
      message: `Only array variables can be appended to with AppendToArrayVariable; '${v.name}' is ${v.type}.`,
    };
  const value = prop(inputs, 'value');
  if (value === undefined) return { ok: false, code: 'InvalidInput', message: 'AppendToArrayVariable needs a value.' };
  // The service rejects appending an array or null (spec §6.5 [obs]): one element per action.
  if (value === null || Array.isArray(value)) return mismatch(v.name, v.type, value);
  // Copy on write: earlier records that captured the array must not change.
  v.value = [...(Array.isArray(v.value) ? v.value : []), value];
  return done(v);
}

export function appendToString(vars: VariableTable, inputs: Value): OpResult {
  const v = lookup(vars, inputs);
  if (!isVar(v)) return v;
  if (v.type !== 'string')
    return {
      ok: false,
      code: 'InvalidVariableOperation',
      message: `Only string variables can be appended to with AppendToStringVariable; '${v.name}' is ${v.type}.`,
    };
  const value = prop(inputs, 'value');
  const text = value === undefined || value === null ? '' : toText(value);
  v.value = (typeof v.value === 'string' ? v.value : '') + text;
  return done(v);
}
