// The ARM template functions an import can evaluate, as a table: adding one is one entry. Names
// are matched without regard to case. Functions that need a live Azure deployment (reference,
// list*, environment, ...) are absent on purpose and fail with ArmUnsupportedFunction.
import { ArmError } from './errors.js';
import { formatComposite } from './format.js';
import { armGuid, uniqueString } from './hash.js';
import type { ArmNode } from './parse.js';
import {
  argumentError,
  deepEqual,
  expectArray,
  expectInt,
  expectString,
  isObj,
  propOf,
  toText,
  typeName,
  type Obj,
} from './values.js';

/** Where the template is deployed: what resourceGroup(), subscription() and resourceId() return. */
export interface ArmDeployment {
  subscriptionId: string;
  tenantId: string;
  resourceGroup: string;
  location: string;
  deploymentName: string;
}

export interface ArmScope {
  parameter(name: string): unknown;
  variable(name: string): unknown;
  deployment: ArmDeployment;
}

type Eager = { min: number; max?: number; call: (args: unknown[], scope: ArmScope, fn: string) => unknown };
/** Functions that decide which arguments to evaluate (if). */
type Lazy = { min: number; max: number; lazy: (args: ArmNode[], evaluate: (node: ArmNode) => unknown) => unknown };
export type ArmFunction = Eager | Lazy;

const str = (fn: string, args: unknown[], i: number): string => expectString(fn, args[i], i);
const int = (fn: string, args: unknown[], i: number): number => expectInt(fn, args[i], i);
const strings = (fn: string, args: unknown[]): string[] => args.map((a, i) => expectString(fn, a, i));

/** `/subscriptions/{s}/resourceGroups/{rg}/providers/{type}/{name}[/{childType}/{childName}...]`. */
function resourceIdOf(
  fn: string,
  args: unknown[],
  scope: ArmScope,
  level: 'group' | 'subscription' | 'tenant',
): string {
  const all = strings(fn, args);
  const typeAt = all.findIndex((a) => a.includes('/'));
  if (typeAt < 0)
    throw new ArmError('InvalidArmExpression', `'${fn}' needs a resource type such as 'Microsoft.Web/connections'.`);
  const scopeArgs = all.slice(0, typeAt);
  const maxScope = level === 'group' ? 2 : level === 'subscription' ? 1 : 0;
  if (scopeArgs.length > maxScope)
    throw new ArmError(
      'InvalidArmExpression',
      `'${fn}' takes at most ${maxScope} argument(s) before the resource type.`,
    );
  const [namespace, ...types] = all[typeAt]!.split('/');
  const names = all.slice(typeAt + 1);
  if (names.length !== types.length)
    throw new ArmError(
      'InvalidArmExpression',
      `'${fn}': the type '${all[typeAt]}' needs ${types.length} resource name(s), not ${names.length}.`,
    );
  const path = types.map((t, i) => `${t}/${names[i]}`).join('/');
  const subscription =
    level === 'group' && scopeArgs.length === 2
      ? scopeArgs[0]!
      : scopeArgs.length === 1 && level === 'subscription'
        ? scopeArgs[0]!
        : scope.deployment.subscriptionId;
  const group = level === 'group' ? (scopeArgs.at(-1) ?? scope.deployment.resourceGroup) : undefined;
  const prefix =
    level === 'tenant' ? '' : `/subscriptions/${subscription}${group !== undefined ? `/resourceGroups/${group}` : ''}`;
  return `${prefix}/providers/${namespace}/${path}`;
}

function union(fn: string, args: unknown[]): unknown {
  if (args.every(Array.isArray)) {
    const out: unknown[] = [];
    for (const a of args as unknown[][]) for (const v of a) if (!out.some((o) => deepEqual(o, v))) out.push(v);
    return out;
  }
  if (!args.every(isObj))
    throw new ArmError(
      'InvalidArmExpression',
      `'${fn}' needs all arrays or all objects, not ${args.map(typeName).join(', ')}.`,
    );
  // Nested objects merge too (ARM since 2022); later arguments win.
  const merge = (into: Obj, from: Obj): Obj => {
    const out: Obj = { ...into };
    for (const [k, v] of Object.entries(from)) {
      const existing = Object.keys(out).find((key) => key.toLowerCase() === k.toLowerCase());
      const prior = existing !== undefined ? out[existing] : undefined;
      if (existing !== undefined) delete out[existing];
      out[k] = isObj(prior) && isObj(v) ? merge(prior, v) : v;
    }
    return out;
  };
  return (args as Obj[]).reduce<Obj>((acc, o) => merge(acc, o), {});
}

function contains(fn: string, container: unknown, item: unknown): boolean {
  if (typeof container === 'string') return container.includes(toText(item));
  if (Array.isArray(container)) return container.some((v) => deepEqual(v, item));
  if (isObj(container)) return propOf(container, expectString(fn, item, 1)).found;
  throw argumentError(fn, 0, 'a string, an array or an object', container);
}

function sized(fn: string, v: unknown): string | unknown[] {
  if (typeof v === 'string' || Array.isArray(v)) return v;
  throw argumentError(fn, 0, 'a string or an array', v);
}

function toBool(fn: string, v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  throw argumentError(fn, 0, "a bool, a number or 'true'/'false'", v);
}

function toInt(fn: string, v: unknown): number {
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)) return Number(v);
  throw argumentError(fn, 0, 'an integer or a string of one', v);
}

const arithmetic =
  (op: (a: number, b: number) => number): Eager['call'] =>
  (args, _scope, fn) =>
    op(int(fn, args, 0), int(fn, args, 1));

function divide(a: number, b: number): number {
  if (b === 0) throw new ArmError('InvalidArmExpression', 'Division by zero.');
  return Math.trunc(a / b);
}

const table: Record<string, ArmFunction> = {
  // Deployment
  parameters: { min: 1, max: 1, call: (args, scope, fn) => scope.parameter(str(fn, args, 0)) },
  variables: { min: 1, max: 1, call: (args, scope, fn) => scope.variable(str(fn, args, 0)) },
  resourceGroup: {
    min: 0,
    max: 0,
    call: (_args, { deployment: d }) => ({
      id: `/subscriptions/${d.subscriptionId}/resourceGroups/${d.resourceGroup}`,
      name: d.resourceGroup,
      type: 'Microsoft.Resources/resourceGroups',
      location: d.location,
      tags: {},
      properties: { provisioningState: 'Succeeded' },
    }),
  },
  subscription: {
    min: 0,
    max: 0,
    call: (_args, { deployment: d }) => ({
      id: `/subscriptions/${d.subscriptionId}`,
      subscriptionId: d.subscriptionId,
      tenantId: d.tenantId,
      displayName: d.subscriptionId,
    }),
  },
  deployment: { min: 0, max: 0, call: (_args, { deployment: d }) => ({ name: d.deploymentName, properties: {} }) },
  resourceId: { min: 2, call: (args, scope, fn) => resourceIdOf(fn, args, scope, 'group') },
  subscriptionResourceId: { min: 2, call: (args, scope, fn) => resourceIdOf(fn, args, scope, 'subscription') },
  tenantResourceId: { min: 2, call: (args, scope, fn) => resourceIdOf(fn, args, scope, 'tenant') },
  uniqueString: { min: 1, call: (args, _scope, fn) => uniqueString(strings(fn, args)) },
  guid: { min: 1, call: (args, _scope, fn) => armGuid(strings(fn, args)) },
  // Strings
  concat: {
    min: 1,
    call: (args) => (args.every(Array.isArray) ? (args as unknown[][]).flat() : args.map(toText).join('')),
  },
  format: { min: 1, call: (args, _scope, fn) => formatComposite(str(fn, args, 0), args.slice(1)) },
  toLower: { min: 1, max: 1, call: (args, _scope, fn) => str(fn, args, 0).toLowerCase() },
  toUpper: { min: 1, max: 1, call: (args, _scope, fn) => str(fn, args, 0).toUpperCase() },
  replace: {
    min: 3,
    max: 3,
    call: (args, _scope, fn) =>
      str(fn, args, 0)
        .split(str(fn, args, 1))
        .join(str(fn, args, 2)),
  },
  trim: { min: 1, max: 1, call: (args, _scope, fn) => str(fn, args, 0).trim() },
  split: {
    min: 2,
    max: 2,
    call: (args, _scope, fn) => {
      const s = str(fn, args, 0);
      const seps = Array.isArray(args[1]) ? args[1].map((d, i) => expectString(fn, d, i)) : [str(fn, args, 1)];
      return seps.reduce<string[]>((parts, sep) => parts.flatMap((p) => p.split(sep)), [s]);
    },
  },
  startsWith: {
    min: 2,
    max: 2,
    call: (a, _s, fn) =>
      str(fn, a, 0)
        .toLowerCase()
        .startsWith(str(fn, a, 1).toLowerCase()),
  },
  endsWith: {
    min: 2,
    max: 2,
    call: (a, _s, fn) =>
      str(fn, a, 0)
        .toLowerCase()
        .endsWith(str(fn, a, 1).toLowerCase()),
  },
  indexOf: {
    min: 2,
    max: 2,
    call: (a, _s, fn) =>
      str(fn, a, 0)
        .toLowerCase()
        .indexOf(str(fn, a, 1).toLowerCase()),
  },
  padLeft: {
    min: 2,
    max: 3,
    call: (args, _scope, fn) =>
      toText(args[0]).padStart(int(fn, args, 1), args[2] === undefined ? ' ' : str(fn, args, 2)),
  },
  substring: {
    min: 2,
    max: 3,
    call: (args, _scope, fn) => {
      const s = str(fn, args, 0);
      const start = int(fn, args, 1);
      const length = args[2] === undefined ? s.length - start : int(fn, args, 2);
      if (start < 0 || length < 0 || start + length > s.length)
        throw new ArmError(
          'InvalidArmExpression',
          `substring: start ${start} and length ${length} must lie within the string (length ${s.length}).`,
        );
      return s.substr(start, length);
    },
  },
  base64: { min: 1, max: 1, call: (a, _s, fn) => Buffer.from(str(fn, a, 0), 'utf8').toString('base64') },
  base64ToString: { min: 1, max: 1, call: (a, _s, fn) => Buffer.from(str(fn, a, 0), 'base64').toString('utf8') },
  uriComponent: { min: 1, max: 1, call: (a, _s, fn) => encodeURIComponent(str(fn, a, 0)) },
  uriComponentToString: { min: 1, max: 1, call: (a, _s, fn) => decodeURIComponent(str(fn, a, 0)) },
  // Conversion
  string: { min: 1, max: 1, call: (args) => toText(args[0]) },
  int: { min: 1, max: 1, call: (args, _scope, fn) => toInt(fn, args[0]) },
  bool: { min: 1, max: 1, call: (args, _scope, fn) => toBool(fn, args[0]) },
  json: {
    min: 1,
    max: 1,
    call: (args, _scope, fn) => {
      try {
        return JSON.parse(str(fn, args, 0)) as unknown;
      } catch {
        throw new ArmError('InvalidArmExpression', `json: '${str(fn, args, 0)}' is not valid JSON.`);
      }
    },
  },
  array: { min: 1, max: 1, call: (args) => (Array.isArray(args[0]) ? args[0] : [args[0]]) },
  createArray: { min: 0, call: (args) => args },
  createObject: {
    min: 0,
    call: (args, _scope, fn) => {
      if (args.length % 2 !== 0) throw new ArmError('InvalidArmExpression', `'${fn}' needs pairs of name and value.`);
      const out: Obj = {};
      for (let i = 0; i < args.length; i += 2) out[str(fn, args, i)] = args[i + 1];
      return out;
    },
  },
  null: { min: 0, max: 0, call: () => null },
  true: { min: 0, max: 0, call: () => true },
  false: { min: 0, max: 0, call: () => false },
  // Logic and comparison
  if: {
    min: 3,
    max: 3,
    lazy: ([cond, then, otherwise], evaluate) =>
      toBool('if', evaluate(cond!)) ? evaluate(then!) : evaluate(otherwise!),
  },
  equals: { min: 2, max: 2, call: (args) => deepEqual(args[0], args[1]) },
  not: { min: 1, max: 1, call: (args) => !toBool('not', args[0]) },
  and: { min: 2, call: (args) => args.every((a) => toBool('and', a)) },
  or: { min: 2, call: (args) => args.some((a) => toBool('or', a)) },
  empty: {
    min: 1,
    max: 1,
    call: ([v]) =>
      v === null ||
      v === undefined ||
      v === '' ||
      (Array.isArray(v) && v.length === 0) ||
      (isObj(v) && Object.keys(v).length === 0),
  },
  coalesce: { min: 1, call: (args) => args.find((a) => a !== null && a !== undefined) ?? null },
  less: { min: 2, max: 2, call: (args, _scope, fn) => compare(fn, args) < 0 },
  lessOrEquals: { min: 2, max: 2, call: (args, _scope, fn) => compare(fn, args) <= 0 },
  greater: { min: 2, max: 2, call: (args, _scope, fn) => compare(fn, args) > 0 },
  greaterOrEquals: { min: 2, max: 2, call: (args, _scope, fn) => compare(fn, args) >= 0 },
  // Numbers
  add: { min: 2, max: 2, call: arithmetic((a, b) => a + b) },
  sub: { min: 2, max: 2, call: arithmetic((a, b) => a - b) },
  mul: { min: 2, max: 2, call: arithmetic((a, b) => a * b) },
  div: { min: 2, max: 2, call: arithmetic(divide) },
  mod: { min: 2, max: 2, call: arithmetic((a, b) => a - divide(a, b) * b) },
  // Collections
  length: {
    min: 1,
    max: 1,
    call: ([v], _scope, fn) => (isObj(v) ? Object.keys(v).length : sized(fn, v).length),
  },
  first: {
    min: 1,
    max: 1,
    call: ([v], _scope, fn) => (typeof v === 'string' ? v.slice(0, 1) : (sized(fn, v)[0] ?? null)),
  },
  last: {
    min: 1,
    max: 1,
    call: ([v], _scope, fn) => (typeof v === 'string' ? v.slice(-1) : (sized(fn, v).at(-1) ?? null)),
  },
  skip: { min: 2, max: 2, call: (args, _scope, fn) => sized(fn, args[0]).slice(Math.max(0, int(fn, args, 1))) },
  take: { min: 2, max: 2, call: (args, _scope, fn) => sized(fn, args[0]).slice(0, Math.max(0, int(fn, args, 1))) },
  join: {
    min: 2,
    max: 2,
    call: (args, _scope, fn) =>
      expectArray(fn, args[0], 0)
        .map(toText)
        .join(str(fn, args, 1)),
  },
  union: { min: 1, call: (args, _scope, fn) => union(fn, args) },
  contains: { min: 2, max: 2, call: (args, _scope, fn) => contains(fn, args[0], args[1]) },
};

function compare(fn: string, [a, b]: unknown[]): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new ArmError(
    'InvalidArmExpression',
    `'${fn}' compares two integers or two strings, not ${typeName(a)} and ${typeName(b)}.`,
  );
}

const byLowerName = new Map(Object.entries(table).map(([name, f]) => [name.toLowerCase(), { name, f }]));

/** The function of that name (any case), or undefined when the import cannot evaluate it. */
export function armFunction(name: string): { name: string; f: ArmFunction } | undefined {
  return byLowerName.get(name.toLowerCase());
}

export const armFunctionNames: readonly string[] = Object.keys(table);
