import type { AnyFunctionDef } from './types.js';
import { isObject, type Value, type ValueObject } from '../values.js';
import { argError, kindName } from '../coerce.js';
import { copyObject, findKey, setOwn } from '../objects.js';

/**
 * JSON manipulation (spec §9.8). Keys match case-insensitively with exact-case priority; the
 * input object is never mutated (values are shared between evaluations).
 */

function targetObject(fn: string, v: Value): ValueObject {
  if (!isObject(v)) {
    throw argError(
      fn,
      `expects its first parameter to be of type object. The provided value is of type '${kindName(v)}'.`,
    );
  }
  return v;
}

function propertyName(fn: string, v: Value): string {
  if (typeof v !== 'string') {
    throw argError(
      fn,
      `expects its second parameter to be of type string. The provided value is of type '${kindName(v)}'.`,
    );
  }
  return v;
}

export const manipulationFunctions: AnyFunctionDef[] = [
  {
    name: 'addProperty',
    minArgs: 3,
    maxArgs: 3,
    impl: ([o, k, v]) => {
      const obj = targetObject('addProperty', o as Value);
      const key = propertyName('addProperty', k as Value);
      if (findKey(obj, key) !== undefined) {
        throw argError('addProperty', `expects the property to not exist in the object: '${key}' already exists.`);
      }
      const out = copyObject(obj);
      setOwn(out, key, v as Value);
      return out;
    },
  },
  {
    name: 'setProperty',
    minArgs: 3,
    maxArgs: 3,
    impl: ([o, k, v]) => {
      const obj = targetObject('setProperty', o as Value);
      const key = propertyName('setProperty', k as Value);
      // An existing key keeps its spelling but moves to the end.
      const existing = findKey(obj, key) ?? key;
      const out: ValueObject = {};
      for (const name of Object.keys(obj)) if (name !== existing) setOwn(out, name, obj[name] as Value);
      setOwn(out, existing, v as Value);
      return out;
    },
  },
  {
    name: 'removeProperty',
    minArgs: 2,
    maxArgs: 2,
    impl: ([o, k]) => {
      const obj = targetObject('removeProperty', o as Value);
      const key = propertyName('removeProperty', k as Value);
      const existing = findKey(obj, key);
      if (existing === undefined) return obj;
      const out: ValueObject = {};
      for (const name of Object.keys(obj)) if (name !== existing) setOwn(out, name, obj[name] as Value);
      return out;
    },
  },
  {
    name: 'coalesce',
    minArgs: 1,
    maxArgs: Infinity,
    lazy: true,
    impl: (args) => {
      for (const arg of args) {
        const v = arg();
        if (v !== null) return v;
      }
      return null;
    },
  },
];
