import { isObject, type Value } from './values.js';
import { compareNumbers, numericRank } from './numbers.js';
import { findKey } from './objects.js';

/**
 * Deep equality for equals(), contains(), union() and intersection(): numbers compare by value
 * across int/float/decimal, strings case-sensitively, objects by keys (case-insensitive lookup)
 * and values, arrays element by element.
 */
export function deepEquals(a: Value, b: Value): boolean {
  if (a === b) return true;
  const ra = numericRank(a);
  const rb = numericRank(b);
  if (ra >= 0 || rb >= 0) return ra >= 0 && rb >= 0 && compareNumbers(a, b) === 0;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEquals(a[i] as Value, b[i] as Value)) return false;
    return true;
  }
  if (Array.isArray(b) || !isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) {
    const other = findKey(b, k);
    if (other === undefined || !deepEquals(a[k] as Value, b[other] as Value)) return false;
  }
  return true;
}

/** Ordinal comparison of strings by UTF-16 code unit (so 'B' < 'a'). */
export function compareOrdinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
