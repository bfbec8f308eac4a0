// Small helpers over expression Values that the built-in actions share.
import { deepEquals as libDeepEquals, isDecimal, isFloatBox, isInteger, isObject } from '@flowbridge/expression';
import type { Value } from '@flowbridge/expression';

/** The numeric value of a number-kind Value, or undefined for anything else. */
export function numeric(v: Value): number | bigint | undefined {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (isFloatBox(v)) return v.value;
  if (isDecimal(v)) return v.toNumber();
  return undefined;
}

/** Whether a Value is an integer (safe integer number or bigint). */
export const isIntegerValue = (v: Value): boolean => isInteger(v);

export const isPlainObject = (v: unknown): v is Record<string, Value> =>
  typeof v === 'object' && v !== null && isObject(v as Value);

/** Equality as `equals()` defines it (Switch cases): deep, strings case-sensitive, numbers by value. */
export const deepEquals = (a: Value, b: Value): boolean => libDeepEquals(a, b);

/** Case-insensitive property read on an evaluated inputs object. */
export function prop(obj: unknown, key: string): Value | undefined {
  if (!isPlainObject(obj)) return undefined;
  if (Object.prototype.hasOwnProperty.call(obj, key)) return obj[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}
