import type { Node } from './ast.js';
import type { WorkflowContext } from './context.js';
import type { AnyFunctionDef } from './functions/types.js';
import { ExpressionError } from './errors.js';
import { findKey, findKeyIgnoreCase } from './objects.js';
import { lookupFunction } from './registry.js';
import { isObject, type Value } from './values.js';
import { kindName } from './coerce.js';

/**
 * Compiles the AST to closures once, so evaluation does no lookups by name and no tree walking.
 * Function names are resolved here; an unknown one (or a wrong argument count) becomes a
 * closure that fails only when reached, because `and(false, nope())` must succeed (spec §7).
 */
export type Evaluator = (ctx: WorkflowContext) => Value;

export function compileNode(node: Node, source: string): Evaluator {
  switch (node.kind) {
    case 'literal': {
      const value = node.value;
      return () => value;
    }
    case 'access':
      return compileAccess(node.target, node.key, node.nullSafe, node.pos, source);
    case 'call':
      return compileCall(
        node.name,
        node.args.map((a) => compileNode(a, source)),
        node.pos,
        source,
      );
  }
}

/** Attaches the expression text and position to an error that has none yet. */
export function locate(error: unknown, source: string, pos: number): ExpressionError {
  const e =
    error instanceof ExpressionError
      ? error
      : new ExpressionError('InvalidArgument', error instanceof Error ? error.message : String(error));
  if (e.position === undefined) {
    e.expression = source;
    e.position = pos;
  }
  return e;
}

const NUMBER_WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six'];

function arityMessage(def: AnyFunctionDef): string {
  const word = (n: number): string => NUMBER_WORDS[n] ?? String(n);
  const plural = (n: number): string => (n === 1 ? 'parameter' : 'parameters');
  const head = `The template language function '${def.name}'`;
  if (def.name === 'and' || def.name === 'or') return `${head}: Expected at least one argument.`;
  if (def.minArgs === def.maxArgs) return `${head} expects ${word(def.minArgs)} ${plural(def.minArgs)}.`;
  if (def.maxArgs === Infinity) return `${head} expects at least ${word(def.minArgs)} ${plural(def.minArgs)}.`;
  return `${head} expects between ${word(def.minArgs)} and ${word(def.maxArgs)} parameters.`;
}

/** A call of `name` with compiled arguments; used by the parser's AST and by condition objects. */
export function compileCall(name: string, args: Evaluator[], pos: number, source: string): Evaluator {
  const def = lookupFunction(name);
  if (def === undefined) {
    return () => {
      throw new ExpressionError(
        'UnknownFunction',
        `The template function '${name}' is not defined or not valid.`,
        source,
        pos,
      );
    };
  }
  if (args.length < def.minArgs || args.length > def.maxArgs) {
    const message = arityMessage(def);
    return () => {
      throw new ExpressionError('InvalidArgumentCount', message, source, pos);
    };
  }
  if (def.lazy === true) {
    const impl = def.impl;
    return (ctx) => {
      const thunks = args.map((a) => () => a(ctx));
      try {
        return impl(thunks, ctx);
      } catch (e) {
        throw locate(e, source, pos);
      }
    };
  }
  const impl = def.impl;
  switch (args.length) {
    case 0:
      return (ctx) => {
        try {
          return impl([], ctx);
        } catch (e) {
          throw locate(e, source, pos);
        }
      };
    case 1: {
      const a0 = args[0] as Evaluator;
      return (ctx) => {
        const v0 = a0(ctx);
        try {
          return impl([v0], ctx);
        } catch (e) {
          throw locate(e, source, pos);
        }
      };
    }
    case 2: {
      const a0 = args[0] as Evaluator;
      const a1 = args[1] as Evaluator;
      return (ctx) => {
        const v0 = a0(ctx);
        const v1 = a1(ctx);
        try {
          return impl([v0, v1], ctx);
        } catch (e) {
          throw locate(e, source, pos);
        }
      };
    }
    default:
      return (ctx) => {
        const values = new Array<Value>(args.length);
        for (let i = 0; i < args.length; i++) values[i] = (args[i] as Evaluator)(ctx);
        try {
          return impl(values, ctx);
        } catch (e) {
          throw locate(e, source, pos);
        }
      };
  }
}

function propertyError(message: string, source: string, pos: number): ExpressionError {
  return new ExpressionError('InvalidProperty', message, source, pos);
}

/** Reads `key` of `target` (spec §6). Null-safe access turns a missing member into null. */
export function accessMember(target: Value, key: Value, nullSafe: boolean, source = '', pos = 0): Value {
  if (target === null) {
    if (nullSafe) return null;
    throw propertyError(
      `The template language expression cannot be evaluated because property '${String(key)}' cannot be selected on a null value.`,
      source,
      pos,
    );
  }
  if (Array.isArray(target)) {
    let index: number | undefined;
    if (typeof key === 'number' && Number.isSafeInteger(key)) index = key;
    else if (typeof key === 'bigint') index = -1;
    if (index === undefined) {
      throw propertyError(
        `The template language expression cannot be evaluated because an array cannot be indexed by a value of type '${kindName(key)}'.`,
        source,
        pos,
      );
    }
    if (index >= 0 && index < target.length) return target[index] as Value;
    if (nullSafe) return null;
    throw propertyError(
      `The template language expression cannot be evaluated because array index '${String(key)}' is outside bounds (0, ${target.length - 1}) of array.`,
      source,
      pos,
    );
  }
  if (isObject(target)) {
    if (typeof key !== 'string') {
      throw propertyError(
        `The template language expression cannot be evaluated because an object property cannot be selected by a value of type '${kindName(key)}'.`,
        source,
        pos,
      );
    }
    const found = findKey(target, key);
    if (found !== undefined) return target[found] as Value;
    // Power Automate writes nested lookups as slash paths (`?['body/outcome']`): when no property
    // has the literal name, each segment selects one level down with the same null-safety.
    if (key.includes('/') && key.length > 1) {
      let current: Value = target;
      for (const segment of key.split('/')) {
        if (segment === '') continue;
        current = accessMember(current, segment, nullSafe, source, pos);
      }
      return current;
    }
    if (nullSafe) return null;
    throw propertyError(
      `The template language expression cannot be evaluated because property '${key}' doesn't exist, available properties are '${Object.keys(target).join(', ')}'.`,
      source,
      pos,
    );
  }
  throw propertyError(
    `The template language expression cannot be evaluated because property '${toKeyText(key)}' cannot be selected. Property selection is not supported on values of type '${kindName(target)}'.`,
    source,
    pos,
  );
}

function toKeyText(key: Value): string {
  return typeof key === 'string' || typeof key === 'number' || typeof key === 'bigint' ? String(key) : kindName(key);
}

function compileAccess(targetNode: Node, keyNode: Node, nullSafe: boolean, pos: number, source: string): Evaluator {
  const target = compileNode(targetNode, source);
  if (keyNode.kind === 'literal' && typeof keyNode.value === 'string') {
    // The common case `x.name` / `x['name']`: precompute the lower-cased key.
    const key = keyNode.value;
    const lower = key.toLowerCase();
    return (ctx) => {
      const t = target(ctx);
      if (t !== null && typeof t === 'object' && !Array.isArray(t) && isObject(t)) {
        const direct = t[key];
        if (direct !== undefined && Object.prototype.hasOwnProperty.call(t, key)) return direct;
        const found = findKeyIgnoreCase(t, lower);
        if (found !== undefined) return t[found] as Value;
      }
      return accessMember(t, key, nullSafe, source, pos);
    };
  }
  const key = compileNode(keyNode, source);
  return (ctx) => accessMember(target(ctx), key(ctx), nullSafe, source, pos);
}
