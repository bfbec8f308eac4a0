import { ExpressionError } from '../errors.js';
import { partsOf, utcTicks, type DateParts, type DateTimeValue } from './core.js';
import { INVARIANT, type Culture } from './cultures.js';

/**
 * .NET DateTime.ToString(format, culture): standard one-letter formats and custom patterns.
 * The host runs in UTC, so a value without an explicit offset reports +00:00 for `z`/`zzz`.
 */

export function invalidFormat(format: string): ExpressionError {
  return new ExpressionError(
    'InvalidArgument',
    `The provided date time format '${format}' is not valid. It must be a standard or custom .NET date and time format string.`,
  );
}

export const ROUND_TRIP_PATTERN = "yyyy'-'MM'-'dd'T'HH':'mm':'ss.fffffffK";
const RFC1123_PATTERN = "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'";
const SORTABLE_PATTERN = "yyyy'-'MM'-'dd'T'HH':'mm':'ss";
const UNIVERSAL_SORTABLE_PATTERN = "yyyy'-'MM'-'dd HH':'mm':'ss'Z'";

/**
 * The custom pattern a standard format letter stands for, the culture to render it with, and
 * whether the value is converted to UTC first ('r', 'u', 'U').
 */
export function expandStandardFormat(
  letter: string,
  culture: Culture,
): { pattern: string; culture: Culture; toUtc: boolean } | undefined {
  switch (letter) {
    case 'd':
      return { pattern: culture.shortDatePattern, culture, toUtc: false };
    case 'D':
      return { pattern: culture.longDatePattern, culture, toUtc: false };
    case 'f':
      return { pattern: `${culture.longDatePattern} ${culture.shortTimePattern}`, culture, toUtc: false };
    case 'F':
      return { pattern: `${culture.longDatePattern} ${culture.longTimePattern}`, culture, toUtc: false };
    case 'g':
      return { pattern: `${culture.shortDatePattern} ${culture.shortTimePattern}`, culture, toUtc: false };
    case 'G':
      return { pattern: `${culture.shortDatePattern} ${culture.longTimePattern}`, culture, toUtc: false };
    case 'm':
    case 'M':
      return { pattern: culture.monthDayPattern, culture, toUtc: false };
    case 'o':
    case 'O':
      return { pattern: ROUND_TRIP_PATTERN, culture: INVARIANT, toUtc: false };
    case 'r':
    case 'R':
      return { pattern: RFC1123_PATTERN, culture: INVARIANT, toUtc: true };
    case 's':
      return { pattern: SORTABLE_PATTERN, culture: INVARIANT, toUtc: false };
    case 't':
      return { pattern: culture.shortTimePattern, culture, toUtc: false };
    case 'T':
      return { pattern: culture.longTimePattern, culture, toUtc: false };
    case 'u':
      return { pattern: UNIVERSAL_SORTABLE_PATTERN, culture: INVARIANT, toUtc: true };
    case 'U':
      return { pattern: `${culture.longDatePattern} ${culture.longTimePattern}`, culture, toUtc: true };
    case 'y':
    case 'Y':
      return { pattern: culture.yearMonthPattern, culture, toUtc: false };
    default:
      return undefined;
  }
}

/** Format a value; `format` undefined means the round-trip 'o' form. */
export function formatDateTime(value: DateTimeValue, format: string | undefined, culture: Culture): string {
  let fmt = format ?? 'o';
  // .NET treats an empty format as 'G'.
  if (fmt === '') fmt = 'G';
  let pattern = fmt;
  let useCulture = culture;
  let v = value;
  if (fmt.length === 1) {
    const std = expandStandardFormat(fmt, culture);
    if (std === undefined) throw invalidFormat(fmt);
    pattern = std.pattern;
    useCulture = std.culture;
    if (std.toUtc && v.kind === 'offset') v = { ticks: utcTicks(v), kind: 'utc', offsetMinutes: 0 };
  }
  return formatCustom(v, pattern, useCulture, fmt);
}

function repeatCount(format: string, pos: number): number {
  const ch = format[pos];
  let n = 1;
  while (format[pos + n] === ch) n++;
  return n;
}

/** .NET FormatDigits: at most two digits are padded, longer runs still print two. */
function digits(value: number, len: number): string {
  return String(value).padStart(Math.min(len, 2), '0');
}

function offsetText(minutes: number, len: number, timeSeparator = ':'): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  const h = Math.floor(abs / 60);
  const m = abs % 60;
  if (len <= 1) return `${sign}${h}`;
  if (len === 2) return `${sign}${String(h).padStart(2, '0')}`;
  return `${sign}${String(h).padStart(2, '0')}${timeSeparator}${String(m).padStart(2, '0')}`;
}

/** Reads a quoted literal starting at `pos` (the quote); returns the text and the next index. */
function quoted(format: string, pos: number, original: string): [string, number] {
  const quote = format[pos];
  let out = '';
  let i = pos + 1;
  while (i < format.length) {
    const c = format[i] as string;
    if (c === quote) return [out, i + 1];
    if (c === '\\') {
      // Inside quotes a backslash still escapes the next character.
      i++;
      if (i >= format.length) throw invalidFormat(original);
      out += format[i];
    } else {
      out += c;
    }
    i++;
  }
  throw invalidFormat(original);
}

/** .NET DateTimeFormat.FormatCustomized. */
export function formatCustom(value: DateTimeValue, format: string, culture: Culture, original = format): string {
  const p: DateParts = partsOf(value.ticks);
  let out = '';
  let i = 0;
  while (i < format.length) {
    const ch = format[i] as string;
    let len = 1;
    switch (ch) {
      case 'g':
        len = repeatCount(format, i);
        out += culture.eraName;
        break;
      case 'h': {
        len = repeatCount(format, i);
        const h12 = p.hour % 12 === 0 ? 12 : p.hour % 12;
        out += digits(h12, len);
        break;
      }
      case 'H':
        len = repeatCount(format, i);
        out += digits(p.hour, len);
        break;
      case 'm':
        len = repeatCount(format, i);
        out += digits(p.minute, len);
        break;
      case 's':
        len = repeatCount(format, i);
        out += digits(p.second, len);
        break;
      case 'f':
      case 'F': {
        len = repeatCount(format, i);
        if (len > 7) throw invalidFormat(original);
        let fraction = Math.floor(p.fraction / 10 ** (7 - len));
        if (ch === 'f') {
          out += String(fraction).padStart(len, '0');
        } else {
          let effective = len;
          while (effective > 0 && fraction % 10 === 0) {
            fraction = Math.floor(fraction / 10);
            effective--;
          }
          if (effective > 0) out += String(fraction).padStart(effective, '0');
          // Nothing to print: .NET also drops a decimal point right before it.
          else if (out.endsWith('.')) out = out.slice(0, -1);
        }
        break;
      }
      case 't': {
        len = repeatCount(format, i);
        const designator = p.hour < 12 ? culture.am : culture.pm;
        out += len === 1 ? designator.slice(0, 1) : designator;
        break;
      }
      case 'd':
        len = repeatCount(format, i);
        if (len <= 2) out += digits(p.day, len);
        else if (len === 3) out += culture.abbreviatedDayNames[p.dayOfWeek];
        else out += culture.dayNames[p.dayOfWeek];
        break;
      case 'M':
        len = repeatCount(format, i);
        if (len <= 2) out += digits(p.month, len);
        else if (len === 3) out += culture.abbreviatedMonthNames[p.month - 1];
        else out += culture.monthNames[p.month - 1];
        break;
      case 'y':
        len = repeatCount(format, i);
        out += len <= 2 ? digits(p.year % 100, len) : String(p.year).padStart(len, '0');
        break;
      case 'z':
        len = repeatCount(format, i);
        out += offsetText(value.kind === 'offset' ? value.offsetMinutes : 0, len);
        break;
      case 'K':
        if (value.kind === 'utc') out += 'Z';
        else if (value.kind === 'offset') out += offsetText(value.offsetMinutes, 3);
        break;
      case ':':
        out += culture.timeSeparator;
        break;
      case '/':
        out += culture.dateSeparator;
        break;
      case "'":
      case '"': {
        const [text, next] = quoted(format, i, original);
        out += text;
        len = next - i;
        break;
      }
      case '%': {
        // '%c' formats c as a single custom specifier.
        const next = format[i + 1];
        if (next === undefined || next === '%') throw invalidFormat(original);
        out += formatCustom(value, next, culture, original);
        len = 2;
        break;
      }
      case '\\': {
        const next = format[i + 1];
        if (next === undefined) throw invalidFormat(original);
        out += next;
        len = 2;
        break;
      }
      default:
        out += ch;
        break;
    }
    i += len;
  }
  return out;
}
