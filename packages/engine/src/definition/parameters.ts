// Definition parameters (spec §1.3): declared types, supplied or default values, and which
// parameters expressions use.
import { isRecord } from '../json.js';
import { getProp, ptr } from './load.js';
import type { ParameterDecl } from './model.js';
import type { Reporter } from './report.js';

const PARAM_TYPES = new Map([
  ['string', 'String'],
  ['securestring', 'SecureString'],
  ['int', 'Int'],
  ['integer', 'Int'],
  ['float', 'Float'],
  ['bool', 'Bool'],
  ['boolean', 'Bool'],
  ['array', 'Array'],
  ['object', 'Object'],
  ['secureobject', 'SecureObject'],
] as const);

function typeMatches(type: string, v: unknown): boolean {
  switch (type) {
    case 'String':
    case 'SecureString':
      return typeof v === 'string';
    case 'Int':
      return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
    case 'Float':
      return typeof v === 'number' || typeof v === 'bigint';
    case 'Bool':
      return typeof v === 'boolean';
    case 'Array':
      return Array.isArray(v);
    default:
      return isRecord(v);
  }
}

/** Names used in `parameters('x')` anywhere in the definition (lower-cased). */
export function referencedParameters(def: unknown): Set<string> {
  const out = new Set<string>();
  const re = /parameters\s*\(\s*'((?:[^']|'')*)'\s*\)/gi;
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      if (v.includes('@')) for (const m of v.matchAll(re)) out.add((m[1] ?? '').replace(/''/g, "'").toLowerCase());
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (isRecord(v)) for (const [k, x] of Object.entries(v)) if (k !== 'parameters') walk(x);
  };
  walk(def);
  return out;
}

/** The declared parameters with their values (supplied values override defaults). */
export function parameters(
  a: Reporter,
  decls: unknown,
  def: Record<string, unknown>,
  values: Record<string, unknown>,
): Map<string, ParameterDecl> {
  const out = new Map<string, ParameterDecl>();
  if (decls !== undefined && !isRecord(decls)) a.err('/parameters', 'InvalidProperty', 'parameters must be an object.');
  const lowerValues = new Map(Object.entries(values).map(([k, v]) => [k.toLowerCase(), v]));
  const referenced = referencedParameters(def);
  for (const [name, d] of Object.entries(isRecord(decls) ? decls : {})) {
    const p = '/parameters' + ptr(name);
    if (!isRecord(d)) {
      a.err(p, 'InvalidProperty', `Parameter '${name}' must be an object.`);
      continue;
    }
    const rawType = getProp(d, 'type');
    const type = typeof rawType === 'string' ? PARAM_TYPES.get(rawType.toLowerCase() as never) : undefined;
    if (!type) {
      a.err(
        p + '/type',
        'InvalidParameterValue',
        `Parameter '${name}' has an unknown type ${JSON.stringify(rawType)}.`,
      );
      continue;
    }
    const lower = name.toLowerCase();
    const hasSupplied = lowerValues.has(lower);
    const dv = getProp(d, 'defaultValue');
    const hasValue = hasSupplied || dv !== undefined;
    const value = hasSupplied ? lowerValues.get(lower) : dv;
    // Only supplied values are checked: defaults cut out of ARM templates often hold deployment
    // expressions ("[parameters('x')]") or placeholders that the deployment replaces.
    const isExpr = typeof value === 'string' && (value.startsWith('@') || /^\[.*\]$/s.test(value));
    if (hasSupplied && value !== null && !isExpr && !typeMatches(type, value)) {
      a.err(p, 'InvalidParameterValue', `The value of parameter '${name}' does not match its type ${type}.`);
    }
    const allowed = getProp(d, 'allowedValues');
    if (hasValue && Array.isArray(allowed) && !allowed.some((x) => JSON.stringify(x) === JSON.stringify(value))) {
      a.err(p, 'InvalidParameterValue', `The value of parameter '${name}' is not one of its allowedValues.`);
    }
    // $connections and $authentication are injected by the runtime (spec §1.3).
    if (!hasValue && referenced.has(lower) && !name.startsWith('$')) {
      a.err(
        p,
        'ParameterValueMissing',
        `Parameter '${name}' is referenced but has neither a value nor a defaultValue.`,
      );
    }
    out.set(lower, { name, type, secure: type.startsWith('Secure'), hasValue, value: hasValue ? value : null });
  }
  return out;
}
