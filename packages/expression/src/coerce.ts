import { Float, isDecimal, isObject, type Value, type ValueObject } from './values.js';
import { ExpressionError } from './errors.js';

/**
 * Argument checks shared by the function library. Each failure is an InvalidArgument error whose
 * text follows the engine's wording where it is known (spec §11).
 */
export function kindName(v: Value): string {
  if (v === null) return 'Null';
  if (typeof v === 'boolean') return 'Boolean';
  if (typeof v === 'string') return 'String';
  if (typeof v === 'bigint') return 'Integer';
  if (typeof v === 'number') return Number.isSafeInteger(v) ? 'Integer' : 'Float';
  if (v instanceof Float) return 'Float';
  if (isDecimal(v)) return 'Decimal';
  if (Array.isArray(v)) return 'Array';
  return 'Object';
}

export function argError(fn: string, message: string): ExpressionError {
  return new ExpressionError('InvalidArgument', `The template language function '${fn}' ${message}`);
}

export function expectString(fn: string, v: Value, which = 'parameter'): string {
  if (typeof v !== 'string') {
    throw argError(fn, `expects its ${which} to be of type string. The provided value is of type '${kindName(v)}'.`);
  }
  return v;
}

export function expectArray(fn: string, v: Value, which = 'parameter'): Value[] {
  if (!Array.isArray(v)) {
    throw argError(fn, `expects its ${which} to be of type array. The provided value is of type '${kindName(v)}'.`);
  }
  return v;
}

export function expectObject(fn: string, v: Value, which = 'parameter'): ValueObject {
  if (!isObject(v)) {
    throw argError(fn, `expects its ${which} to be of type object. The provided value is of type '${kindName(v)}'.`);
  }
  return v;
}

export function expectBoolean(fn: string, v: Value, which = 'parameter'): boolean {
  if (typeof v !== 'boolean') {
    throw argError(fn, `expects its ${which} to be of type boolean. The provided value is of type '${kindName(v)}'.`);
  }
  return v;
}

/** An integer argument as a JS number (int64 values beyond ±2^53 are out of any useful range). */
export function expectInteger(fn: string, v: Value, which = 'parameter'): number {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  throw argError(fn, `expects its ${which} to be an integer. The provided value is of type '${kindName(v)}'.`);
}

export const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth'];
export function nth(i: number): string {
  return `${ORDINALS[i] ?? `#${i + 1}`} parameter`;
}
