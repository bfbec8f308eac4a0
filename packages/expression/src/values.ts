/**
 * The WDL value model.
 *
 * JSON numbers alone cannot tell an integer from a float (`30` vs `30.0`), and WDL integers are
 * int64, beyond what a double holds exactly. So:
 * - an integer is a JS `number` that is a safe integer, or a `bigint` when outside ±2^53
 *   (always within int64; arithmetic past int64 is an error);
 * - a float is a JS `number` that is not a safe integer (1.5, NaN, Infinity, 1e300), or a `Float`
 *   box when its value is integral (`30.0`, `float('5')`), so that its kind survives;
 * - a decimal (.NET System.Decimal, from `decimal()`) is a `Decimal` instance;
 * - binary and XML values are plain objects (content envelopes) with `$content-type` and `$content`.
 * Plain JSON parsed from outside is a valid Value as it is; `toJson` turns a Value back into
 * plain JSON for storage and output.
 */
export class Float {
  constructor(public readonly value: number) {}
}

/** Implemented in decimal.ts; declared here so every module can recognise it. */
export interface DecimalLike {
  readonly kind: 'decimal';
  /** Unscaled integer digits. */
  readonly mantissa: bigint;
  /** Number of digits after the decimal point (0–28). */
  readonly scale: number;
  toString(): string;
  toNumber(): number;
}

export type Value = null | boolean | string | number | bigint | Float | DecimalLike | Value[] | ValueObject;
export interface ValueObject {
  [key: string]: Value;
}

export const isString = (v: Value): v is string => typeof v === 'string';
export const isBoolean = (v: Value): v is boolean => typeof v === 'boolean';
export const isArray = (v: Value): v is Value[] => Array.isArray(v);
export const isFloatBox = (v: Value): v is Float => v instanceof Float;
export const isDecimal = (v: Value): v is DecimalLike =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  (v as { kind?: unknown }).kind === 'decimal' &&
  !(v instanceof Float) &&
  typeof (v as DecimalLike).mantissa === 'bigint';
export const isInteger = (v: Value): v is number | bigint =>
  typeof v === 'bigint' || (typeof v === 'number' && Number.isSafeInteger(v));
export const isFloat = (v: Value): v is number | Float =>
  v instanceof Float || (typeof v === 'number' && !Number.isSafeInteger(v));
export const isNumber = (v: Value): v is number | bigint | Float | DecimalLike =>
  typeof v === 'number' || typeof v === 'bigint' || v instanceof Float || isDecimal(v);
/** A JSON object (not null, not an array, not a number box). Binary/XML envelopes are objects. */
export const isObject = (v: Value): v is ValueObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Float) && !isDecimal(v);

/** The kind of a value, for error messages and dispatch. */
export type Kind = 'null' | 'boolean' | 'string' | 'integer' | 'float' | 'decimal' | 'array' | 'object';
export function kindOf(v: Value): Kind {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  if (isInteger(v)) return 'integer';
  if (isFloat(v)) return 'float';
  if (isDecimal(v)) return 'decimal';
  if (Array.isArray(v)) return 'array';
  return 'object';
}
