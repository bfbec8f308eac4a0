import type { AnyFunctionDef } from './types.js';
import { isObject, type Value, type ValueObject } from '../values.js';
import { argError, expectArray, expectInteger, expectString, kindName, nth } from '../coerce.js';
import { deepEquals, compareOrdinal } from '../compare.js';
import { findKey, setOwn } from '../objects.js';
import { toText } from '../text.js';
import { compareNumbers, numericRank } from '../numbers.js';
import { isEnvelope } from '../binary.js';

/** Collection functions (spec §9.2). */

function arrayOrString(fn: string, v: Value): string | Value[] {
  if (typeof v === 'string' || Array.isArray(v)) return v;
  throw argError(
    fn,
    `expects its parameter to be an array or a string. The provided value is of type '${kindName(v)}'.`,
  );
}

function distinctInto(out: Value[], items: Value[]): void {
  for (const item of items) if (!out.some((x) => deepEquals(x, item))) out.push(item);
}

function sameTypeError(fn: string): Error {
  return argError(fn, 'expects parameters of same type: all arrays or all objects.');
}

function union(args: Value[]): Value {
  const first = args[0] as Value;
  if (Array.isArray(first)) {
    const out: Value[] = [];
    for (const a of args) {
      if (!Array.isArray(a)) throw sameTypeError('union');
      distinctInto(out, a);
    }
    return out;
  }
  if (isObject(first)) {
    const out: ValueObject = {};
    for (const a of args) {
      if (!isObject(a)) throw sameTypeError('union');
      // A later value wins, but the key keeps the position of its first appearance.
      for (const k of Object.keys(a)) setOwn(out, k, a[k] as Value);
    }
    return out;
  }
  throw argError(
    'union',
    `expects its parameters to be arrays or objects. The provided value is of type '${kindName(first)}'.`,
  );
}

function intersection(args: Value[]): Value {
  const first = args[0] as Value;
  if (Array.isArray(first)) {
    for (const a of args) if (!Array.isArray(a)) throw sameTypeError('intersection');
    const out: Value[] = [];
    distinctInto(out, first);
    return out.filter((item) => args.slice(1).every((a) => (a as Value[]).some((x) => deepEquals(x, item))));
  }
  if (isObject(first)) {
    for (const a of args) if (!isObject(a)) throw sameTypeError('intersection');
    const out: ValueObject = {};
    for (const k of Object.keys(first)) {
      const v = first[k] as Value;
      const everywhere = args.slice(1).every((a) => {
        const o = a as ValueObject;
        return Object.prototype.hasOwnProperty.call(o, k) && deepEquals(o[k] as Value, v);
      });
      if (everywhere) setOwn(out, k, v);
    }
    return out;
  }
  throw argError(
    'intersection',
    `expects its parameters to be arrays or objects. The provided value is of type '${kindName(first)}'.`,
  );
}

/** Sort order for primitives: numbers by value, strings ordinally, booleans false < true. */
function compareForSort(a: Value, b: Value): number {
  const ra = numericRank(a);
  const rb = numericRank(b);
  if (ra >= 0 && rb >= 0) return compareNumbers(a, b) || 0;
  if (typeof a === 'string' && typeof b === 'string') return compareOrdinal(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  throw argError(
    'sort',
    `can only sort arrays of integers, floats, strings or booleans of one kind; found '${kindName(a)}' and '${kindName(b)}'.`,
  );
}

export const collectionFunctions: AnyFunctionDef[] = [
  {
    name: 'contains',
    minArgs: 2,
    maxArgs: 2,
    impl: ([collection, value]) => {
      const v = value as Value;
      if (typeof collection === 'string') {
        if (typeof v !== 'string') return collection.includes(toText(v));
        return collection.includes(v);
      }
      if (Array.isArray(collection)) return collection.some((x) => deepEquals(x, v));
      if (isObject(collection as Value)) {
        if (typeof v !== 'string') {
          throw argError('contains', 'expects its second parameter to be a string when the first is an object.');
        }
        return findKey(collection as ValueObject, v) !== undefined;
      }
      throw argError(
        'contains',
        `expects its first parameter to be a dictionary (object), an array or a string. The provided value is of type '${kindName(collection as Value)}'.`,
      );
    },
  },
  {
    name: 'empty',
    minArgs: 1,
    maxArgs: 1,
    impl: ([v]) => {
      if (v === null) return true;
      if (typeof v === 'string' || Array.isArray(v)) return v.length === 0;
      if (isObject(v as Value)) return Object.keys(v as ValueObject).length === 0;
      throw argError(
        'empty',
        `expects its parameter to be an object, an array or a string. The provided value is of type '${kindName(v as Value)}'.`,
      );
    },
  },
  {
    name: 'first',
    minArgs: 1,
    maxArgs: 1,
    impl: ([v]) => {
      const c = arrayOrString('first', v as Value);
      if (typeof c === 'string') return c.slice(0, 1);
      return c.length === 0 ? null : (c[0] as Value);
    },
  },
  {
    name: 'last',
    minArgs: 1,
    maxArgs: 1,
    impl: ([v]) => {
      const c = arrayOrString('last', v as Value);
      if (typeof c === 'string') return c.slice(-1);
      return c.length === 0 ? null : (c[c.length - 1] as Value);
    },
  },
  {
    name: 'length',
    minArgs: 1,
    maxArgs: 1,
    impl: ([v]) => arrayOrString('length', v as Value).length,
  },
  { name: 'intersection', minArgs: 2, maxArgs: Infinity, impl: intersection },
  { name: 'union', minArgs: 2, maxArgs: Infinity, impl: union },
  {
    name: 'join',
    minArgs: 2,
    maxArgs: 2,
    impl: ([collection, delimiter]) => {
      if (!Array.isArray(collection)) {
        throw argError(
          'join',
          `expects its first parameter to be an array. The provided value is of type '${kindName(collection as Value)}'.`,
        );
      }
      const sep = expectString('join', delimiter as Value, nth(1));
      return collection.map(toText).join(sep);
    },
  },
  {
    name: 'reverse',
    minArgs: 1,
    maxArgs: 1,
    impl: ([v]) => [...expectArray('reverse', v as Value)].reverse(),
  },
  {
    name: 'skip',
    minArgs: 2,
    maxArgs: 2,
    impl: ([collection, count]) => {
      const n = Math.max(0, expectInteger('skip', count as Value, nth(1)));
      if (typeof collection === 'string') return collection.slice(n);
      return expectArray('skip', collection as Value, nth(0)).slice(n);
    },
  },
  {
    name: 'take',
    minArgs: 2,
    maxArgs: 2,
    impl: ([collection, count]) => {
      const c = arrayOrString('take', collection as Value);
      const n = expectInteger('take', count as Value, nth(1));
      if (n < 0) throw argError('take', 'expects its second parameter to be a positive integer.');
      return c.slice(0, n);
    },
  },
  {
    name: 'sort',
    minArgs: 1,
    maxArgs: 2,
    impl: (args) => {
      const items = [...expectArray('sort', args[0] as Value, nth(0))];
      if (args.length < 2) return items.sort(compareForSort);
      const key = expectString('sort', args[1] as Value, nth(1));
      const keyOf = (item: Value): Value => {
        if (!isObject(item) || isEnvelope(item)) {
          throw argError('sort', `expects the array elements to be objects when sorting by '${key}'.`);
        }
        const k = findKey(item, key);
        if (k === undefined) throw argError('sort', `found an element without the property '${key}'.`);
        return item[k] as Value;
      };
      return items.sort((a, b) => compareForSort(keyOf(a), keyOf(b)));
    },
  },
];
