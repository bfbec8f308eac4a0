import { ExpressionError } from '../errors.js';
import type { NumberCulture } from './cultures.js';

/**
 * .NET numeric formatting (`number.ToString(format, culture)`), for formatNumber.
 *
 * Numbers become a digit buffer like .NET's NumberBuffer: `digits` without leading zeros, `scale`
 * the position of the decimal point (value = 0.digits × 10^scale). How the digits are produced
 * depends on the input kind, because .NET does it differently per type:
 * - int64 and decimal: exact digits; rounding is half away from zero;
 * - double with a standard format: exactly and correctly rounded to the requested precision
 *   (ties to even, as .NET's Dragon4), or the shortest round-trip digits for 'G'/'R';
 * - double with a custom format: first 15 significant digits, then rounded half-up again at the
 *   format's precision (.NET's documented double rounding).
 */
export type NumberInput =
  | { kind: 'integer'; value: bigint }
  | { kind: 'double'; value: number }
  | { kind: 'decimal'; mantissa: bigint; scale: number };

interface NumBuf {
  negative: boolean;
  digits: string;
  scale: number;
  floating: boolean;
}

export function invalidNumberFormat(format: string): ExpressionError {
  return new ExpressionError('InvalidArgument', `The format '${format}' is not a valid .NET numeric format string.`);
}

// ------------------------------------------------------------------------------------------
// Digit generation.

/** The exact decimal expansion of a finite, non-negative double. */
function exactDigits(x: number): { digits: string; scale: number } {
  if (x === 0) return { digits: '', scale: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) exp = -1074;
  else {
    mantissa |= 1n << 52n;
    exp = biased - 1075;
  }
  let digits: string;
  let scale: number;
  if (exp >= 0) {
    digits = (mantissa << BigInt(exp)).toString();
    scale = digits.length;
  } else {
    // m / 2^k = m·5^k / 10^k
    digits = (mantissa * 5n ** BigInt(-exp)).toString();
    scale = digits.length + exp;
  }
  return { digits: digits.replace(/0+$/, ''), scale };
}

/** Keeps `keep` leading digits, rounding to nearest with ties to even (correct rounding). */
function roundEven(digits: string, scale: number, keep: number): { digits: string; scale: number } {
  if (keep >= digits.length) return { digits, scale };
  if (keep < 0) return { digits: '', scale: 0 };
  const head = digits.slice(0, keep);
  const rest = digits.slice(keep);
  const first = rest.charCodeAt(0) - 48;
  let up = first > 5 || (first === 5 && /[1-9]/.test(rest.slice(1)));
  if (first === 5 && !up && !/[1-9]/.test(rest.slice(1))) {
    const last = keep > 0 ? head.charCodeAt(keep - 1) - 48 : 0;
    up = last % 2 === 1;
  }
  return up ? increment(head, scale) : { digits: head.replace(/0+$/, ''), scale: head === '' ? 0 : scale };
}

/** Adds one unit in the last place of `head`. */
function increment(head: string, scale: number): { digits: string; scale: number } {
  const chars = head.split('');
  let i = chars.length - 1;
  while (i >= 0 && chars[i] === '9') {
    chars[i] = '0';
    i--;
  }
  if (i < 0) return { digits: '1', scale: scale + 1 };
  chars[i] = String.fromCharCode((chars[i] as string).charCodeAt(0) + 1);
  return { digits: chars.join('').slice(0, i + 1), scale };
}

function shortestDigits(x: number): { digits: string; scale: number } {
  if (x === 0) return { digits: '', scale: 0 };
  // toExponential() without an argument gives the shortest round-trip digits.
  const [mant, e] = x.toExponential().split('e') as [string, string];
  return { digits: mant.replace('.', '').replace(/0+$/, ''), scale: Number(e) + 1 };
}

/** .NET RoundNumber: keep `pos` digits, half away from zero unless already correctly rounded. */
function roundNumber(n: NumBuf, pos: number, correctlyRounded: boolean): void {
  let i = 0;
  while (i < pos && i < n.digits.length) i++;
  let digits = n.digits.slice(0, i);
  if (i === pos && !correctlyRounded && i < n.digits.length && n.digits.charCodeAt(i) >= 53) {
    const r = increment(digits, n.scale);
    digits = r.digits;
    n.scale = r.scale;
  } else {
    digits = digits.replace(/0+$/, '');
  }
  if (digits === '') {
    // int64 and decimal have no negative zero; doubles keep theirs ("-0.00").
    if (!n.floating) n.negative = false;
    n.scale = 0;
  }
  n.digits = digits;
}

type DoubleMode = { shortest: true } | { significant: number } | { fraction: number };

function bufferOf(input: NumberInput, mode: DoubleMode): NumBuf {
  if (input.kind === 'integer') {
    const negative = input.value < 0n;
    const digits = (negative ? -input.value : input.value).toString().replace(/^0+/, '');
    return { negative, digits, scale: digits.length, floating: false };
  }
  if (input.kind === 'decimal') {
    const negative = input.mantissa < 0n;
    const raw = (negative ? -input.mantissa : input.mantissa).toString().replace(/^0+/, '');
    return { negative, digits: raw, scale: raw.length - input.scale, floating: false };
  }
  const x = input.value;
  const negative = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  let r: { digits: string; scale: number };
  if ('shortest' in mode) r = shortestDigits(abs);
  else {
    const exact = exactDigits(abs);
    const keep = 'significant' in mode ? mode.significant : exact.scale + mode.fraction;
    r = roundEven(exact.digits, exact.scale, keep);
  }
  return { negative, digits: r.digits, scale: r.digits === '' ? 0 : r.scale, floating: true };
}

// ------------------------------------------------------------------------------------------
// Standard formats.

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

function exponent(value: number, expChar: string, minDigits: number, positiveSign: boolean, c: NumberCulture): string {
  let out = expChar;
  if (value < 0) out += c.negativeSign;
  else if (positiveSign) out += c.positiveSign;
  return out + String(Math.abs(value)).padStart(minDigits, '0');
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

// ------------------------------------------------------------------------------------------
// Custom formats (.NET NumberToStringFormat).

/** Start index of section 0, 1 or 2; an empty or missing section falls back to section 0. */
function findSection(format: string, section: number): number {
  if (section === 0) return 0;
  let src = 0;
  let remaining = section;
  while (src < format.length) {
    const ch = format[src++];
    if (ch === "'" || ch === '"') {
      while (src < format.length && format[src++] !== ch);
    } else if (ch === '\\') {
      if (src < format.length) src++;
    } else if (ch === ';') {
      if (--remaining !== 0) continue;
      if (src < format.length && format[src] !== ';') return src;
      return 0;
    }
  }
  return 0;
}

function formatCustom(input: NumberInput, format: string, c: NumberCulture): string {
  // Doubles get 15 significant digits first; int64 and decimal keep all of theirs.
  const n = bufferOf(input, { significant: 15 });
  let section = findSection(format, n.digits === '' ? 2 : n.negative ? 1 : 0);
  let digitCount = 0;
  let decimalPos = -1;
  let firstDigit = 0x7fffffff;
  let lastDigit = 0;
  let sci = false;
  let thousandSeps = false;
  for (;;) {
    digitCount = 0;
    decimalPos = -1;
    firstDigit = 0x7fffffff;
    lastDigit = 0;
    sci = false;
    let thousandPos = -1;
    let thousandCount = 0;
    thousandSeps = false;
    let scaleAdjust = 0;
    let src = section;
    while (src < format.length) {
      const ch = format[src++] as string;
      if (ch === ';') break;
      switch (ch) {
        case '#':
          digitCount++;
          break;
        case '0':
          if (firstDigit === 0x7fffffff) firstDigit = digitCount;
          digitCount++;
          lastDigit = digitCount;
          break;
        case '.':
          if (decimalPos < 0) decimalPos = digitCount;
          break;
        case ',':
          if (digitCount > 0 && decimalPos < 0) {
            if (thousandPos >= 0) {
              if (thousandPos === digitCount) {
                thousandCount++;
                break;
              }
              thousandSeps = true;
            }
            thousandPos = digitCount;
            thousandCount = 1;
          }
          break;
        case '%':
          scaleAdjust += 2;
          break;
        case '\u2030':
          scaleAdjust += 3;
          break;
        case "'":
        case '"':
          while (src < format.length && format[src++] !== ch);
          break;
        case '\\':
          if (src < format.length) src++;
          break;
        case 'E':
        case 'e':
          if (
            format[src] === '0' ||
            (src + 1 < format.length && (format[src] === '+' || format[src] === '-') && format[src + 1] === '0')
          ) {
            while (++src < format.length && format[src] === '0');
            sci = true;
          }
          break;
      }
    }
    if (decimalPos < 0) decimalPos = digitCount;
    if (thousandPos >= 0) {
      // Commas right before the decimal point divide by 1000 each instead of grouping.
      if (thousandPos === decimalPos) scaleAdjust -= thousandCount * 3;
      else thousandSeps = true;
    }
    if (n.digits !== '') {
      n.scale += scaleAdjust;
      const pos = sci ? digitCount : n.scale + digitCount - decimalPos;
      roundNumber(n, pos, false);
      if (n.digits === '') {
        const zeroSection = findSection(format, 2);
        if (zeroSection !== section) {
          section = zeroSection;
          continue;
        }
      }
    } else {
      if (!n.floating) n.negative = false;
      n.scale = 0;
    }
    break;
  }

  firstDigit = firstDigit < decimalPos ? decimalPos - firstDigit : 0;
  lastDigit = lastDigit > decimalPos ? decimalPos - lastDigit : 0;
  let digPos: number;
  let adjust: number;
  if (sci) {
    digPos = decimalPos;
    adjust = 0;
  } else {
    digPos = n.scale > decimalPos ? n.scale : decimalPos;
    adjust = n.scale - decimalPos;
  }

  // Positions (counted from the decimal point) after which a group separator goes.
  const sepPositions: number[] = [];
  if (thousandSeps && c.groupSeparator !== '') {
    const totalDigits = digPos + (adjust < 0 ? adjust : 0);
    const numDigits = firstDigit > totalDigits ? firstDigit : totalDigits;
    for (let total = 3; numDigits > total; total += 3) sepPositions.push(total);
  }
  let sepIdx = sepPositions.length - 1;

  let out = '';
  if (n.negative && section === 0 && n.scale !== 0) out += c.negativeSign;
  let decimalWritten = false;
  let cur = 0;
  const digitAt = (): string | undefined => (cur < n.digits.length ? n.digits[cur] : undefined);
  const groupAfter = (): void => {
    if (thousandSeps && digPos > 1 && sepIdx >= 0 && digPos === (sepPositions[sepIdx] as number) + 1) {
      out += c.groupSeparator;
      sepIdx--;
    }
  };
  let src = section;
  while (src < format.length) {
    const ch = format[src++] as string;
    if (ch === ';') break;
    if (adjust > 0 && (ch === '#' || ch === '0' || ch === '.')) {
      // More integer digits than placeholders: the first placeholder prints them all.
      while (adjust > 0) {
        const d = digitAt();
        out += d ?? '0';
        if (d !== undefined) cur++;
        groupAfter();
        digPos--;
        adjust--;
      }
    }
    switch (ch) {
      case '#':
      case '0': {
        let emit: string | undefined;
        if (adjust < 0) {
          adjust++;
          emit = digPos <= firstDigit ? '0' : undefined;
        } else {
          const d = digitAt();
          if (d !== undefined) {
            emit = d;
            cur++;
          } else emit = digPos > lastDigit ? '0' : undefined;
        }
        if (emit !== undefined) {
          out += emit;
          groupAfter();
        }
        digPos--;
        break;
      }
      case '.':
        if (digPos !== 0 || decimalWritten) break;
        if (lastDigit < 0 || (decimalPos < digitCount && digitAt() !== undefined)) {
          out += c.decimalSeparator;
          decimalWritten = true;
        }
        break;
      case '\u2030':
        out += c.perMilleSymbol;
        break;
      case '%':
        out += c.percentSymbol;
        break;
      case ',':
        break;
      case "'":
      case '"':
        while (src < format.length && format[src] !== ch) out += format[src++];
        if (src < format.length) src++;
        break;
      case '\\':
        if (src < format.length) out += format[src++];
        break;
      case 'E':
      case 'e': {
        let positiveSign = false;
        let zeros = 0;
        if (sci) {
          if (format[src] === '0') zeros++;
          else if (format[src] === '+' && format[src + 1] === '0') positiveSign = true;
          else if (!(format[src] === '-' && format[src + 1] === '0')) {
            out += ch;
            break;
          }
          while (++src < format.length && format[src] === '0') zeros++;
          if (zeros > 10) zeros = 10;
          const exp = n.digits === '' ? 0 : n.scale - decimalPos;
          out += exponent(exp, ch, zeros, positiveSign, c);
          sci = false;
        } else {
          out += ch;
          if (src < format.length) {
            if (format[src] === '+' || format[src] === '-') out += format[src++];
            while (src < format.length && format[src] === '0') out += format[src++];
          }
        }
        break;
      }
      default:
        out += ch;
    }
  }
  if (n.negative && section === 0 && n.scale === 0 && out.length > 0) out = c.negativeSign + out;
  return out;
}

// ------------------------------------------------------------------------------------------

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
