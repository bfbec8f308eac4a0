import { Float, isDecimal, type DecimalLike, type Value } from './values.js';
import { ExpressionError } from './errors.js';
import {
  Decimal,
  decimalAdd,
  decimalCompare,
  decimalDiv,
  decimalFromDouble,
  decimalFromInt,
  decimalMod,
  decimalMul,
  decimalSub,
} from './decimal.js';

/**
 * Numeric kinds and checked arithmetic (spec §8): int64 overflow is an error, float never is,
 * decimal overflow is. Operands are promoted int → float → decimal.
 */
export const INT64_MIN = -(1n << 63n);
export const INT64_MAX = (1n << 63n) - 1n;

/** The canonical integer Value: a number inside ±2^53, a bigint outside. */
export function normInt(b: bigint): number | bigint {
  if (b >= -9007199254740991n && b <= 9007199254740991n) return Number(b);
  return b;
}

/** An integer Value, or an ArithmeticError outside int64. */
export function checkedInt(b: bigint): number | bigint {
  if (b < INT64_MIN || b > INT64_MAX) {
    throw new ExpressionError('ArithmeticError', 'Arithmetic operation resulted in an overflow.');
  }
  return normInt(b);
}

/** The canonical float Value: a Float box when integral (so 30.0 stays a float). */
export function mkFloat(x: number): number | Float {
  return Number.isSafeInteger(x) ? new Float(x) : x;
}

export function toDecimal(v: DecimalLike): Decimal {
  return v instanceof Decimal ? v : new Decimal(v.mantissa, v.scale);
}

/** 0 = integer, 1 = float, 2 = decimal, -1 = not a number. */
export function numericRank(v: Value): number {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? 0 : 1;
  if (typeof v === 'bigint') return 0;
  if (v instanceof Float) return 1;
  if (isDecimal(v)) return 2;
  return -1;
}

export function intOf(v: Value): bigint {
  return typeof v === 'bigint' ? v : BigInt(v as number);
}

export function floatOf(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Float) return v.value;
  if (isDecimal(v)) return v.toNumber();
  return NaN;
}

export function decimalOf(v: Value): Decimal {
  if (isDecimal(v)) return toDecimal(v);
  if (typeof v === 'bigint') return decimalFromInt(v);
  if (typeof v === 'number' && Number.isSafeInteger(v)) return decimalFromInt(v);
  return decimalFromDouble(floatOf(v));
}

export type ArithOp = 'add' | 'sub' | 'mul' | 'div' | 'mod';

function divideByZero(): ExpressionError {
  return new ExpressionError('ArithmeticError', 'Attempted to divide by zero.');
}

function intArith(op: ArithOp, a: Value, b: Value): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    // Fast path: exact while the result stays a safe integer.
    let r: number;
    switch (op) {
      case 'add':
        r = a + b;
        break;
      case 'sub':
        r = a - b;
        break;
      case 'mul':
        r = a * b;
        break;
      case 'div':
        if (b === 0) throw divideByZero();
        r = Math.trunc(a / b);
        // a/b may round for large operands; fall back to bigint unless clearly exact.
        if (Math.abs(a) >= 2 ** 52) r = NaN;
        break;
      case 'mod':
        if (b === 0) throw divideByZero();
        r = a % b;
        if (Object.is(r, -0)) r = 0;
        break;
    }
    if (Number.isSafeInteger(r)) return r;
  }
  const x = intOf(a);
  const y = intOf(b);
  switch (op) {
    case 'add':
      return checkedInt(x + y);
    case 'sub':
      return checkedInt(x - y);
    case 'mul':
      return checkedInt(x * y);
    case 'div':
      if (y === 0n) throw divideByZero();
      return checkedInt(x / y);
    case 'mod':
      if (y === 0n) throw divideByZero();
      return checkedInt(x % y);
  }
}

function floatArith(op: ArithOp, x: number, y: number): number {
  switch (op) {
    case 'add':
      return x + y;
    case 'sub':
      return x - y;
    case 'mul':
      return x * y;
    case 'div':
      return x / y;
    case 'mod':
      return x % y;
  }
}

function decimalArith(op: ArithOp, x: Decimal, y: Decimal): Decimal {
  switch (op) {
    case 'add':
      return decimalAdd(x, y);
    case 'sub':
      return decimalSub(x, y);
    case 'mul':
      return decimalMul(x, y);
    case 'div':
      return decimalDiv(x, y);
    case 'mod':
      return decimalMod(x, y);
  }
}

/** Binary arithmetic with promotion. Operands must already be numbers (numericRank ≥ 0). */
export function arith(op: ArithOp, a: Value, b: Value): Value {
  const rank = Math.max(numericRank(a), numericRank(b));
  if (rank === 0) return intArith(op, a, b);
  if (rank === 1) return mkFloat(floatArith(op, floatOf(a), floatOf(b)));
  return decimalArith(op, decimalOf(a), decimalOf(b));
}

/** Converts a number to the given rank (for min/max results, which follow promotion). */
export function promote(v: Value, rank: number): Value {
  const own = numericRank(v);
  if (own === rank) return v;
  if (rank === 1) return mkFloat(floatOf(v));
  if (rank === 2) return decimalOf(v);
  return v;
}

/** Numeric comparison across kinds; NaN compares as unordered (returns NaN). */
export function compareNumbers(a: Value, b: Value): number {
  const rank = Math.max(numericRank(a), numericRank(b));
  if (rank === 0) {
    if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
    const x = intOf(a);
    const y = intOf(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (rank === 1) {
    const x = floatOf(a);
    const y = floatOf(b);
    if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return decimalCompare(decimalOf(a), decimalOf(b));
}
