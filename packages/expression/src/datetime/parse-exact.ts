// Exact parse (DateTime.ParseExact) against a standard or custom format; parse.ts re-exports it.
import { ExpressionError } from '../errors.js';
import { partsOf, type DateTimeValue } from './core.js';
import { type Culture } from './cultures.js';
import { expandStandardFormat } from './format.js';
import { build, fullYear, noFields, notADate, type Today } from './parse-fields.js';

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}
  digits(min: number, max: number): string | undefined {
    let j = this.pos;
    while (j < this.text.length && j - this.pos < max && /\d/.test(this.text[j] as string)) j++;
    if (j - this.pos < min) return undefined;
    const s = this.text.slice(this.pos, j);
    this.pos = j;
    return s;
  }
  literal(s: string, ignoreCase = false): boolean {
    const part = this.text.slice(this.pos, this.pos + s.length);
    if (ignoreCase ? part.toLowerCase() !== s.toLowerCase() : part !== s) return false;
    this.pos += s.length;
    return true;
  }
  /** The longest of `names` found here (case-insensitive); its index or -1. */
  name(names: readonly string[]): number {
    let best = -1;
    let bestLen = 0;
    names.forEach((n, idx) => {
      if (n.length > bestLen && this.text.slice(this.pos, this.pos + n.length).toLowerCase() === n.toLowerCase()) {
        best = idx;
        bestLen = n.length;
      }
    });
    this.pos += bestLen;
    return best;
  }
}

export function parseDateTimeExact(text: string, format: string, culture: Culture, today?: Today): DateTimeValue {
  let pattern = format;
  let useCulture = culture;
  if (format.length === 1) {
    const std = expandStandardFormat(format, culture);
    if (std === undefined) throw new ExpressionError('InvalidArgument', `The format '${format}' is not valid.`);
    pattern = std.pattern;
    useCulture = std.culture;
  }
  if (pattern === '') throw new ExpressionError('InvalidArgument', 'The format string is empty.');
  const f = noFields();
  let dayOfWeek: number | undefined;
  let ampm: 'am' | 'pm' | undefined;
  let hour12: number | undefined;
  const cur = new Cursor(text);
  const fail = (): never => {
    throw notADate(text);
  };
  const num = (len: number, max = 2): number => {
    const s = len === 1 ? cur.digits(1, max) : cur.digits(len, len);
    return s === undefined ? fail() : Number(s);
  };

  const matchFormat = (fmt: string): void => {
    let i = 0;
    while (i < fmt.length) {
      const ch = fmt[i] as string;
      let len = 1;
      while (fmt[i + len] === ch && /[dMyhHmsfFtzKg]/.test(ch)) len++;
      switch (ch) {
        case 'd':
          if (len <= 2) f.day = num(len);
          else {
            const idx = cur.name(len === 3 ? useCulture.abbreviatedDayNames : useCulture.dayNames);
            if (idx < 0) fail();
            dayOfWeek = idx;
          }
          break;
        case 'M':
          if (len <= 2) f.month = num(len);
          else {
            const idx = cur.name(len === 3 ? useCulture.abbreviatedMonthNames : useCulture.monthNames);
            if (idx < 0) fail();
            f.month = idx + 1;
          }
          break;
        case 'y': {
          const s = len <= 2 ? cur.digits(len === 1 ? 1 : 2, 2) : cur.digits(len, len);
          if (s === undefined) fail();
          f.year = len <= 2 ? fullYear(Number(s), 2) : Number(s);
          break;
        }
        case 'h':
          hour12 = num(len);
          break;
        case 'H':
          f.hour = num(len);
          break;
        case 'm':
          f.minute = num(len);
          break;
        case 's':
          f.second = num(len);
          break;
        case 'f':
        case 'F': {
          if (len > 7) throw new ExpressionError('InvalidArgument', `The format '${format}' is not valid.`);
          const s = ch === 'f' ? cur.digits(len, len) : cur.digits(0, len);
          if (s === undefined) fail();
          f.fraction = Number((s as string).padEnd(7, '0') || '0');
          break;
        }
        case 't': {
          const am = len === 1 ? useCulture.am.slice(0, 1) : useCulture.am;
          const pm = len === 1 ? useCulture.pm.slice(0, 1) : useCulture.pm;
          if (am !== '' && cur.literal(am, true)) ampm = 'am';
          else if (pm !== '' && cur.literal(pm, true)) ampm = 'pm';
          else fail();
          break;
        }
        case 'z':
        case 'K': {
          if (ch === 'K' && cur.pos >= text.length) break;
          if (cur.literal('Z', true) && ch === 'K') {
            f.kind = 'utc';
            break;
          }
          const sign = text[cur.pos];
          if (sign !== '+' && sign !== '-') fail();
          cur.pos++;
          const hours = len === 1 && ch === 'z' ? num(1) : num(2);
          let minutes = 0;
          if (ch === 'K' || len >= 3) {
            if (!cur.literal(':')) fail();
            minutes = num(2);
          }
          if (hours > 14 || minutes > 59) fail();
          f.kind = 'offset';
          f.offsetMinutes = (sign === '-' ? -1 : 1) * (hours * 60 + minutes);
          break;
        }
        case 'g':
          if (!cur.literal(useCulture.eraName, true)) fail();
          break;
        case ':':
          if (!cur.literal(useCulture.timeSeparator)) fail();
          break;
        case '/':
          if (!cur.literal(useCulture.dateSeparator)) fail();
          break;
        case "'":
        case '"': {
          let j = i + 1;
          let lit = '';
          while (j < fmt.length && fmt[j] !== ch) {
            if (fmt[j] === '\\') j++;
            lit += fmt[j] ?? '';
            j++;
          }
          if (j >= fmt.length) throw new ExpressionError('InvalidArgument', `The format '${format}' is not valid.`);
          if (!cur.literal(lit)) fail();
          len = j - i + 1;
          break;
        }
        case '%':
          if (fmt[i + 1] === undefined || fmt[i + 1] === '%') {
            throw new ExpressionError('InvalidArgument', `The format '${format}' is not valid.`);
          }
          matchFormat(fmt[i + 1] as string);
          len = 2;
          break;
        case '\\':
          if (fmt[i + 1] === undefined)
            throw new ExpressionError('InvalidArgument', `The format '${format}' is not valid.`);
          if (!cur.literal(fmt[i + 1] as string)) fail();
          len = 2;
          break;
        default:
          if (/\s/.test(ch)) {
            // A space in the format matches one white-space character.
            if (!/\s/.test(text[cur.pos] ?? '')) fail();
            cur.pos++;
          } else if (!cur.literal(ch)) fail();
      }
      i += len;
    }
  };
  matchFormat(pattern);
  if (cur.pos !== text.length) fail();
  if (hour12 !== undefined) {
    if (hour12 < 1 || hour12 > 12) fail();
    f.hour = hour12 % 12;
    if (ampm === 'pm') f.hour += 12;
  } else if (ampm !== undefined) {
    if (ampm === 'am' && f.hour >= 12) fail();
    if (ampm === 'pm' && f.hour < 12) f.hour += 12;
  }
  const value = build(text, f, today);
  if (dayOfWeek !== undefined && partsOf(value.ticks).dayOfWeek !== dayOfWeek) fail();
  return value;
}
