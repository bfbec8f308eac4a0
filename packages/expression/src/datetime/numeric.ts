import { ExpressionError } from '../errors.js';
import type { NumberCulture } from './cultures.js';
import { exponent, formatCustom } from './numeric-custom.js';
import { bufferOf, roundNumber, type NumBuf, type NumberInput } from './numeric-digits.js';

export type { NumberInput } from './numeric-digits.js';

/**
 * .NET numeric formatting (`number.ToString(format, culture)`), for formatNumber.
 *
 * Numbers become a digit buffer like .NET's NumberBuffer (numeric-digits.ts): `digits` without
 * leading zeros, `scale` the position of the decimal point (value = 0.digits × 10^scale). How the
 * digits are produced depends on the input kind, because .NET does it differently per type:
 * - int64 and decimal: exact digits; rounding is half away from zero;
 * - double with a standard format: exactly and correctly rounded to the requested precision
 *   (ties to even, as .NET's Dragon4), or the shortest round-trip digits for 'G'/'R';
 * - double with a custom format: first 15 significant digits, then rounded half-up again at the
 *   format's precision (.NET's documented double rounding).
 *
 * Standard formats are here; custom formats are numeric-custom.ts.
 */

export function invalidNumberFormat(format: string): ExpressionError {
  return new ExpressionError('InvalidArgument', `The format '${format}' is not a valid .NET numeric format string.`);
}

const CURRENCY_POSITIVE = ['$n', 'n$', '$ n', 'n $'];
const CURRENCY_NEGATIVE = [
  '($n)',
  '-$n',
  '$-n',
  '$n-',
  '(n$)',
  '-n$',
  'n-$',
  'n$-',
  '-n $',
  '-$ n',
  'n $-',
  '$ n-',
  '$ -n',
  'n- $',
  '($ n)',
  '(n $)',
  '$- n',
];
const PERCENT_POSITIVE = ['n %', 'n%', '%n', '% n'];
const PERCENT_NEGATIVE = ['-n %', '-n%', '-%n', '%-n', '%n-', 'n-%', 'n%-', '-% n', 'n %-', '% n-', '% -n', 'n- %'];
const NUMBER_NEGATIVE = ['(n)', '-n', '- n', 'n-', 'n -'];

/** .NET FormatFixed: integer part (grouped by 3 when `group` is given), then `decimals` digits. */
function fixed(n: NumBuf, decimals: number, decimalSep: string, group: string | undefined): string {
  let digPos = n.scale;
  let idx = 0;
  const next = (): string => (idx < n.digits.length ? (n.digits[idx++] as string) : '0');
  let intPart = '';
  if (digPos > 0) {
    while (digPos > 0) {
      intPart += next();
      digPos--;
    }
  } else intPart = '0';
  if (group !== undefined && intPart.length > 3) {
    let grouped = '';
    for (let i = 0; i < intPart.length; i++) {
      if (i > 0 && (intPart.length - i) % 3 === 0) grouped += group;
      grouped += intPart[i];
    }
    intPart = grouped;
  }
  if (decimals <= 0) return intPart;
  let frac = '';
  let remaining = decimals;
  while (digPos < 0 && remaining > 0) {
    frac += '0';
    digPos++;
    remaining--;
  }
  while (remaining > 0) {
    frac += next();
    remaining--;
  }
  return `${intPart}${decimalSep}${frac}`;
}

function scientific(n: NumBuf, digits: number, expChar: string, c: NumberCulture): string {
  let idx = 0;
  const next = (): string => (idx < n.digits.length ? (n.digits[idx++] as string) : '0');
  let out = next();
  if (digits !== 1) out += c.decimalSeparator;
  for (let k = 1; k < digits; k++) out += next();
  const e = n.digits === '' ? 0 : n.scale - 1;
  return out + exponent(e, expChar, 3, true, c);
}

function general(n: NumBuf, maxDigits: number, expChar: string, suppressScientific: boolean, c: NumberCulture): string {
  let digPos = n.scale;
  let sci = false;
  if (!suppressScientific && (digPos > maxDigits || digPos < -3)) {
    digPos = 1;
    sci = true;
  }
  let idx = 0;
  let out = '';
  if (digPos > 0) {
    while (digPos > 0) {
      out += idx < n.digits.length ? n.digits[idx++] : '0';
      digPos--;
    }
  } else out = '0';
  if (idx < n.digits.length || digPos < 0) {
    out += c.decimalSeparator;
    while (digPos < 0) {
      out += '0';
      digPos++;
    }
    out += n.digits.slice(idx);
  }
  if (sci) out += exponent(n.scale - 1, expChar, 2, true, c);
  return out;
}

function applyPattern(pattern: string, body: string, symbol: string, symbolChar: string, c: NumberCulture): string {
  let out = '';
  for (const ch of pattern) {
    if (ch === 'n') out += body;
    else if (ch === '-') out += c.negativeSign;
    else if (ch === symbolChar) out += symbol;
    else out += ch;
  }
  return out;
}

function formatStandard(
  input: NumberInput,
  letter: string,
  precision: number | undefined,
  c: NumberCulture,
  format: string,
): string {
  const upper = letter.toUpperCase();
  const isDouble = input.kind === 'double';
  if (upper === 'D' || upper === 'X') {
    if (input.kind !== 'integer') throw invalidNumberFormat(format);
    const v = input.value;
    if (upper === 'D') {
      const digits = (v < 0n ? -v : v).toString().padStart(precision ?? 0, '0');
      return v < 0n ? c.negativeSign + digits : digits;
    }
    // Hexadecimal of the 64-bit two's complement.
    const hex = BigInt.asUintN(64, v)
      .toString(16)
      .padStart(precision ?? 0, '0');
    return letter === 'X' ? hex.toUpperCase() : hex;
  }
  let n: NumBuf;
  switch (upper) {
    case 'C':
    case 'F':
    case 'N': {
      const decimals = precision ?? (upper === 'C' ? c.currencyDecimalDigits : c.numberDecimalDigits);
      n = bufferOf(input, { fraction: decimals });
      roundNumber(n, n.scale + decimals, isDouble);
      if (upper === 'F') return (n.negative ? c.negativeSign : '') + fixed(n, decimals, c.decimalSeparator, undefined);
      const body = fixed(n, decimals, c.decimalSeparator, c.groupSeparator);
      if (upper === 'N')
        return n.negative ? applyPattern(NUMBER_NEGATIVE[c.numberNegativePattern] ?? '-n', body, '', '\0', c) : body;
      const pattern = n.negative
        ? (CURRENCY_NEGATIVE[c.currencyNegativePattern] ?? '-$n')
        : (CURRENCY_POSITIVE[c.currencyPositivePattern] ?? '$n');
      return applyPattern(pattern, body, c.currencySymbol, '$', c);
    }
    case 'P': {
      const decimals = precision ?? c.percentDecimalDigits;
      n = bufferOf(input, { fraction: decimals + 2 });
      n.scale += n.digits === '' ? 0 : 2;
      roundNumber(n, n.scale + decimals, isDouble);
      const body = fixed(n, decimals, c.decimalSeparator, c.groupSeparator);
      const pattern = n.negative
        ? (PERCENT_NEGATIVE[c.percentNegativePattern] ?? '-n %')
        : (PERCENT_POSITIVE[c.percentPositivePattern] ?? 'n %');
      return applyPattern(pattern, body, c.percentSymbol, '%', c);
    }
    case 'E': {
      const digits = (precision ?? 6) + 1;
      n = bufferOf(input, { significant: digits });
      roundNumber(n, digits, isDouble);
      return (n.negative ? c.negativeSign : '') + scientific(n, digits, letter, c);
    }
    case 'G':
    case 'R': {
      const expChar = letter === 'g' || letter === 'r' ? 'e' : 'E';
      if (upper === 'R' || precision === undefined || precision === 0) {
        if (input.kind === 'decimal' && upper === 'G') {
          // Decimal 'G' keeps its trailing zeros, never switches to exponent form, has no -0.
          n = bufferOf(input, { shortest: true });
          return (n.negative && n.digits !== '' ? c.negativeSign : '') + general(n, 0, expChar, true, c);
        }
        n = bufferOf(input, { shortest: true });
        const maxDigits = isDouble ? Math.max(n.digits.length, 15) : Math.max(n.digits.length, 1);
        roundNumber(n, maxDigits, isDouble);
        return (n.negative ? c.negativeSign : '') + general(n, maxDigits, expChar, !isDouble, c);
      }
      n = bufferOf(input, { significant: precision });
      roundNumber(n, precision, isDouble);
      return (n.negative ? c.negativeSign : '') + general(n, precision, expChar, false, c);
    }
    default:
      throw invalidNumberFormat(format);
  }
}

/** `number.ToString(format, culture)`. */
export function formatNumberValue(input: NumberInput, format: string, c: NumberCulture): string {
  if (input.kind === 'double' && !Number.isFinite(input.value)) {
    if (Number.isNaN(input.value)) return c.nanSymbol;
    return input.value > 0 ? c.positiveInfinity : c.negativeInfinity;
  }
  const fmt = format === '' ? 'G' : format;
  const std = /^([A-Za-z])(\d{0,9})$/.exec(fmt);
  if (std !== null) {
    const precision = std[2] === '' ? undefined : Number(std[2]);
    return formatStandard(input, std[1] as string, precision, c, format);
  }
  return formatCustom(input, fmt, c);
}
