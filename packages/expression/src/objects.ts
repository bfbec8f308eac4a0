import type { Value, ValueObject } from './values.js';

/**
 * Object keys in WDL match case-insensitively; an exact-case match wins, otherwise the first
 * case-insensitive match in insertion order (spec §6).
 */
export function findKey(obj: ValueObject, key: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(obj, key)) return key;
  return findKeyIgnoreCase(obj, key.toLowerCase());
}

/** The first key equal to `lower` ignoring case. `lower` must already be lower-cased. */
export function findKeyIgnoreCase(obj: ValueObject, lower: string): string | undefined {
  for (const k in obj) {
    if (k.length === lower.length && k.toLowerCase() === lower) return k;
  }
  return undefined;
}

/** Sets an own property, also for the key `__proto__` (which plain assignment would not). */
export function setOwn(obj: ValueObject, key: string, value: Value): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/** A shallow copy that keeps key order (and `__proto__` keys). */
export function copyObject(obj: ValueObject): ValueObject {
  const out: ValueObject = {};
  for (const k of Object.keys(obj)) setOwn(out, k, obj[k] as Value);
  return out;
}
