import type { DecimalLike } from './values.js';
import { ExpressionError } from './errors.js';

/**
 * .NET System.Decimal: a 96-bit unsigned mantissa, a sign and a scale of 0–28. Only `decimal()`
 * produces one, and arithmetic with a decimal operand stays decimal (spec §8). The scale is kept
 * (`decimal('5.0000')` prints `5.0000`), which is why this is not just a bigint.
 */
const MAX_MANTISSA = (1n << 96n) - 1n;
const MAX_SCALE = 28;

export class Decimal implements DecimalLike {
  readonly kind = 'decimal' as const;
  constructor(
    readonly mantissa: bigint,
    readonly scale: number,
  ) {}

  toString(): string {
    const negative = this.mantissa < 0n;
    let digits = (negative ? -this.mantissa : this.mantissa).toString();
    if (this.scale > 0) {
      digits = digits.padStart(this.scale + 1, '0');
      digits = `${digits.slice(0, digits.length - this.scale)}.${digits.slice(digits.length - this.scale)}`;
    }
    return negative ? `-${digits}` : digits;
  }

  toNumber(): number {
    return Number(this.toString());
  }

  isZero(): boolean {
    return this.mantissa === 0n;
  }
}

function overflow(): ExpressionError {
  return new ExpressionError('ArithmeticError', 'Value was either too large or too small for a Decimal.');
}

const abs = (v: bigint): bigint => (v < 0n ? -v : v);
const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** Divides by 10^n rounding half to even, as .NET does when a decimal result loses digits. */
function roundDiv(m: bigint, n: number): bigint {
  if (n <= 0) return m;
  const d = pow10(n);
  const q = m / d;
  const r = abs(m % d);
  const twice = r * 2n;
  if (twice > d || (twice === d && (q & 1n) !== 0n)) return m < 0n ? q - 1n : q + 1n;
  return q;
}

/** Brings a raw (mantissa, scale) into range, dropping fractional digits first; overflow otherwise. */
export function makeDecimal(mantissa: bigint, scale: number): Decimal {
  let m = mantissa;
  let s = scale;
  if (s < 0) {
    m *= pow10(-s);
    s = 0;
  }
  if (s > MAX_SCALE) {
    m = roundDiv(m, s - MAX_SCALE);
    s = MAX_SCALE;
  }
  while (abs(m) > MAX_MANTISSA && s > 0) {
    m = roundDiv(m, 1);
    s--;
  }
  if (abs(m) > MAX_MANTISSA) throw overflow();
  return new Decimal(m, s);
}

export function decimalFromInt(v: number | bigint): Decimal {
  return makeDecimal(BigInt(v), 0);
}

/**
 * .NET's decimal(double) keeps 15 significant digits and no trailing zeros
 * (`decimal(100000.000009)` → 100000.000009, `decimal(float('0'))` → 0).
 */
export function decimalFromDouble(x: number): Decimal {
  if (!Number.isFinite(x) || Math.abs(x) >= 7.922816251426434e28) throw overflow();
  if (x === 0) return new Decimal(0n, 0);
  const [mant = '0', expText = '0'] = x.toExponential(14).split('e');
  const negative = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  // digits represent d.dddddddddddddd × 10^exp: the scale is 14 - exp.
  let m = BigInt(digits);
  let s = 14 - Number(expText);
  while (s > 0 && m % 10n === 0n) {
    m /= 10n;
    s--;
  }
  return makeDecimal(negative ? -m : m, s);
}

/** Parses the text of a plain decimal number (`-12.50`, no exponent, no separators). */
export function decimalFromPlainText(text: string): Decimal {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) {
    throw new ExpressionError('InvalidArgument', `Could not parse ${text} as decimal`);
  }
  const frac = match[3] ?? '';
  const m = BigInt(`${match[2] ?? ''}${frac}` || '0');
  return makeDecimal(match[1] === '-' ? -m : m, frac.length);
}

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  if (a.scale === b.scale) return [a.mantissa, b.mantissa, a.scale];
  if (a.scale > b.scale) return [a.mantissa, b.mantissa * pow10(a.scale - b.scale), a.scale];
  return [a.mantissa * pow10(b.scale - a.scale), b.mantissa, b.scale];
}

export function decimalAdd(a: Decimal, b: Decimal): Decimal {
  const [x, y, s] = align(a, b);
  return makeDecimal(x + y, s);
}

export function decimalSub(a: Decimal, b: Decimal): Decimal {
  const [x, y, s] = align(a, b);
  return makeDecimal(x - y, s);
}

export function decimalMul(a: Decimal, b: Decimal): Decimal {
  return makeDecimal(a.mantissa * b.mantissa, a.scale + b.scale);
}

function divideByZero(): ExpressionError {
  return new ExpressionError('ArithmeticError', 'Attempted to divide by zero.');
}

/** Exact quotient when it fits in 28 fractional digits, else rounded at the precision limit. */
export function decimalDiv(a: Decimal, b: Decimal): Decimal {
  if (b.mantissa === 0n) throw divideByZero();
  // a/b = (ma / mb) × 10^(sb - sa). Find the smallest result scale ≥ the natural one that is exact.
  const natural = Math.max(0, a.scale - b.scale);
  for (let scale = natural; scale <= MAX_SCALE; scale++) {
    // quotient mantissa q = ma × 10^(scale - sa + sb) / mb
    const shift = scale - a.scale + b.scale;
    const num = shift >= 0 ? a.mantissa * pow10(shift) : a.mantissa;
    const den = shift >= 0 ? b.mantissa : b.mantissa * pow10(-shift);
    if (num % den === 0n) return makeDecimal(num / den, scale);
    if (abs(num / den) > MAX_MANTISSA) break;
  }
  // Not exact: round at the largest scale that still fits in 96 bits.
  for (let scale = MAX_SCALE; scale >= 0; scale--) {
    const shift = scale - a.scale + b.scale;
    const num = shift >= 0 ? a.mantissa * pow10(shift + 1) : a.mantissa * 10n;
    const den = shift >= 0 ? b.mantissa : b.mantissa * pow10(-shift);
    const q10 = num / den; // one extra digit for rounding
    const q = roundDiv(q10, 1);
    if (abs(q) <= MAX_MANTISSA) return new Decimal(q, scale);
  }
  throw overflow();
}

export function decimalMod(a: Decimal, b: Decimal): Decimal {
  if (b.mantissa === 0n) throw divideByZero();
  const [x, y, s] = align(a, b);
  return makeDecimal(x % y, s);
}

export function decimalCompare(a: Decimal, b: Decimal): number {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** An int64 from a decimal when it has no fractional part, else undefined. */
export function decimalToBigInt(d: Decimal): bigint | undefined {
  const unit = pow10(d.scale);
  if (d.mantissa % unit !== 0n) return undefined;
  return d.mantissa / unit;
}
