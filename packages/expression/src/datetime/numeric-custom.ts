// .NET custom numeric formats (NumberToStringFormat), for numeric.ts: sections, digit
// placeholders, grouping, scaling, percent and per-mille, exponents and literals.
import type { NumberCulture } from './cultures.js';
import { bufferOf, roundNumber, type NumberInput } from './numeric-digits.js';

/** The exponent part of a scientific format: `expChar`, its sign and at least `minDigits` digits. */
export function exponent(
  value: number,
  expChar: string,
  minDigits: number,
  positiveSign: boolean,
  c: NumberCulture,
): string {
  let out = expChar;
  if (value < 0) out += c.negativeSign;
  else if (positiveSign) out += c.positiveSign;
  return out + String(Math.abs(value)).padStart(minDigits, '0');
}

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

/** `number.ToString(format, culture)` for a custom format string (numeric.ts takes the standard ones). */
export function formatCustom(input: NumberInput, format: string, c: NumberCulture): string {
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
