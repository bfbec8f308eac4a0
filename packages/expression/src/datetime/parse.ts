import { ExpressionError } from '../errors.js';
import { partsOf, ticksFromParts, type DateKind, type DateTimeValue } from './core.js';
import { type Culture } from './cultures.js';
import { expandStandardFormat } from './format.js';

/**
 * Reading timestamps the way .NET DateTime.Parse / ParseExact do, keeping the zone kind
 * (`Z` → utc, an offset → offset, nothing → unspecified) instead of converting to local time.
 *
 * `today` supplies the current UTC date for texts that lack date parts ("3/15" takes the
 * current year, a bare time takes today's date); it is only called when needed, so a pure
 * caller without a clock still parses complete timestamps.
 */
export type Today = () => { year: number; month: number; day: number };

export function notADate(text: string): ExpressionError {
  return new ExpressionError('InvalidArgument', `The string '${text}' was not recognized as a valid DateTime.`);
}

interface Fields {
  year?: number;
  month?: number;
  day?: number;
  hour: number;
  minute: number;
  second: number;
  fraction: number;
  /** Seconds past 59 of the fraction rounding (8+ fractional digits). */
  carry: number;
  kind: DateKind;
  offsetMinutes: number;
}

/** Two-digit years as .NET's Gregorian TwoDigitYearMax (2049) reads them. */
function fullYear(year: number, digits: number): number {
  if (digits > 2) return year;
  return year < 50 ? 2000 + year : 1900 + year;
}

/** Ticks within a second from fractional digits; 8+ digits round to even like Math.Round. */
function fractionTicks(digits: string): { ticks: number; carry: number } {
  const head = Number(digits.slice(0, 7).padEnd(7, '0'));
  if (digits.length <= 7) return { ticks: head, carry: 0 };
  const rest = digits.slice(7);
  const half = '5'.padEnd(rest.length, '0');
  let ticks = head;
  if (rest > half || (rest === half && head % 2 === 1)) ticks++;
  return ticks === 10_000_000 ? { ticks: 0, carry: 1 } : { ticks, carry: 0 };
}

function build(text: string, f: Fields, today: Today | undefined): DateTimeValue {
  let { year, month, day } = f;
  if (year === undefined || month === undefined || day === undefined) {
    // .NET CheckDefaultDateTime: nothing of the date → today; otherwise fill the year from
    // today and missing month/day with 1.
    if (month === undefined && day === undefined) {
      if (year === undefined) {
        if (today === undefined) throw noClock();
        ({ year, month, day } = today());
      } else {
        month = 1;
        day = 1;
      }
    } else {
      if (year === undefined) {
        if (today === undefined) throw noClock();
        year = today().year;
      }
      month ??= 1;
      day ??= 1;
    }
  }
  const ticks = ticksFromParts(year, month, day, f.hour, f.minute, f.second, f.fraction);
  if (ticks === undefined) throw notADate(text);
  return { ticks: ticks + BigInt(f.carry) * 10_000_000n, kind: f.kind, offsetMinutes: f.offsetMinutes };
}

function noClock(): ExpressionError {
  return new ExpressionError('InvalidReference', 'The current time is not available in this context.');
}

// ---------------------------------------------------------------------------------------------
// ISO 8601 fast path: the common case, and the only one that carries 'T'.

const ISO =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt ]\s*(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d+))?)?)?\s*(?:([Zz])|([+-])(\d{1,2})(?::?(\d{2}))?)?$/;

function parseIso(text: string): Fields | undefined {
  const m = ISO.exec(text);
  if (m === null) return undefined;
  const frac = m[7] !== undefined ? fractionTicks(m[7]) : { ticks: 0, carry: 0 };
  const f: Fields = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    fraction: frac.ticks,
    carry: frac.carry,
    kind: 'unspecified',
    offsetMinutes: 0,
  };
  if (m[8] !== undefined) f.kind = 'utc';
  else if (m[9] !== undefined) {
    const minutes = Number(m[10]) * 60 + Number(m[11] ?? 0);
    if (Number(m[10]) > 14 || Number(m[11] ?? 0) > 59) return undefined;
    f.kind = 'offset';
    f.offsetMinutes = m[9] === '-' ? -minutes : minutes;
  }
  return f;
}

// ---------------------------------------------------------------------------------------------
// Lenient, culture-aware parse (DateTime.Parse).

type Token = { t: 'num'; value: number; text: string } | { t: 'word'; text: string } | { t: 'sep'; text: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\d/.test(c)) {
      let j = i;
      while (j < text.length && /\d/.test(text[j] as string)) j++;
      const s = text.slice(i, j);
      tokens.push({ t: 'num', value: Number(s), text: s });
      i = j;
    } else if (/[\p{L}]/u.test(c)) {
      let j = i;
      // Abbreviations carry dots ("janv.", "a. m."): keep a trailing dot on the word.
      while (j < text.length && /[\p{L}\p{M}]/u.test(text[j] as string)) j++;
      if (text[j] === '.') j++;
      tokens.push({ t: 'word', text: text.slice(i, j) });
      i = j;
    } else if (/\s/.test(c)) {
      i++;
    } else {
      tokens.push({ t: 'sep', text: c });
      i++;
    }
  }
  return tokens;
}

const fold = (s: string): string => s.toLowerCase().replace(/\.$/, '');

function matchName(word: string, names: readonly string[]): number {
  const w = fold(word);
  return names.findIndex((n) => n !== '' && fold(n) === w);
}

const PATTERN_WORDS = new WeakMap<Culture, Set<string>>();

/** Literal words of the culture's patterns ("de", "年") that DateTime.Parse skips. */
function patternWords(culture: Culture): Set<string> {
  const cached = PATTERN_WORDS.get(culture);
  if (cached !== undefined) return cached;
  const words = new Set<string>();
  PATTERN_WORDS.set(culture, words);
  for (const p of [culture.longDatePattern, culture.monthDayPattern, culture.yearMonthPattern]) {
    for (const m of p.matchAll(/'([^']*)'/g)) {
      for (const w of (m[1] ?? '').split(/\s+/)) if (w !== '') words.add(fold(w));
    }
  }
  return words;
}

/** Order of day, month and year in the culture's short date pattern. */
function dateOrder(culture: Culture): 'MDY' | 'DMY' | 'YMD' {
  const p = culture.shortDatePattern;
  const y = p.indexOf('y');
  const m = p.indexOf('M');
  const d = p.indexOf('d');
  if (y < m && y < d) return 'YMD';
  return m < d ? 'MDY' : 'DMY';
}

function parseLenient(text: string, culture: Culture): Fields | undefined {
  const tokens = tokenize(text);
  const f: Fields = {
    hour: 0,
    minute: 0,
    second: 0,
    fraction: 0,
    carry: 0,
    kind: 'unspecified',
    offsetMinutes: 0,
  };
  const dateNums: Array<{ value: number; digits: number }> = [];
  let monthFromName: number | undefined;
  let monthIsDayName = false;
  let haveTime = false;
  let ampm: 'am' | 'pm' | undefined;
  const skip = patternWords(culture);
  const ams = [culture.am, 'AM', 'A', culture.am.replace(/\s/g, '')];
  const pms = [culture.pm, 'PM', 'P', culture.pm.replace(/\s/g, '')];

  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] as Token;
    const next = tokens[i + 1];
    if (tok.t === 'num') {
      if (next?.t === 'sep' && next.text === culture.timeSeparator && !haveTime && tokens[i + 2]?.t === 'num') {
        // A time: h:mm[:ss[.fffffff]]
        haveTime = true;
        f.hour = tok.value;
        f.minute = (tokens[i + 2] as { value: number }).value;
        i += 2;
        if (tokens[i + 1]?.t === 'sep' && tokens[i + 1]?.text === culture.timeSeparator && tokens[i + 2]?.t === 'num') {
          f.second = (tokens[i + 2] as { value: number }).value;
          i += 2;
          const dot = tokens[i + 1];
          const fracTok = tokens[i + 2];
          if (dot?.t === 'sep' && (dot.text === '.' || dot.text === ',') && fracTok?.t === 'num') {
            const fr = fractionTicks(fracTok.text);
            f.fraction = fr.ticks;
            f.carry = fr.carry;
            i += 2;
          }
        }
        continue;
      }
      dateNums.push({ value: tok.value, digits: tok.text.length });
      continue;
    }
    if (tok.t === 'sep') {
      if ((tok.text === '+' || tok.text === '-') && haveTime && next?.t === 'num' && f.kind === 'unspecified') {
        // A UTC offset after the time: +hh, +hhmm, +hh:mm.
        let hours: number;
        let minutes = 0;
        if (next.text.length > 2) {
          hours = Math.floor(next.value / 100);
          minutes = next.value % 100;
          i += 1;
        } else {
          hours = next.value;
          i += 1;
          if (tokens[i + 1]?.t === 'sep' && tokens[i + 1]?.text === ':' && tokens[i + 2]?.t === 'num') {
            minutes = (tokens[i + 2] as { value: number }).value;
            i += 2;
          }
        }
        if (hours > 14 || minutes > 59) return undefined;
        f.kind = 'offset';
        f.offsetMinutes = (tok.text === '-' ? -1 : 1) * (hours * 60 + minutes);
        continue;
      }
      // Date separators, commas and stray dots carry no meaning of their own.
      if (['/', '-', '.', ',', culture.dateSeparator].includes(tok.text)) continue;
      return undefined;
    }
    // Words: month names, day names, designators, zone names, pattern literals.
    const word = tok.text;
    const lower = fold(word);
    let month = matchName(word, culture.monthNames);
    if (month < 0) month = matchName(word, culture.abbreviatedMonthNames);
    const isDayName = matchName(word, culture.dayNames) >= 0 || matchName(word, culture.abbreviatedDayNames) >= 0;
    // Some abbreviations name both a month and a day (es "mar."): a later month name wins.
    if (month >= 0 && (monthFromName === undefined || monthIsDayName) && !/^\d+$/.test(word)) {
      monthFromName = month + 1;
      monthIsDayName = isDayName;
      continue;
    }
    if (isDayName) continue;
    if (lower === 'z' || lower === 'gmt' || lower === 'utc') {
      if (f.kind !== 'unspecified') return undefined;
      f.kind = 'utc';
      continue;
    }
    if (lower === 't' && dateNums.length > 0 && !haveTime) continue;
    // Designators, possibly split by the tokenizer ("a." "m.").
    const pair = next?.t === 'word' ? `${word} ${next.text}` : undefined;
    if (pair !== undefined && ams.some((a) => fold(a) === fold(pair))) {
      ampm = 'am';
      i++;
      continue;
    }
    if (pair !== undefined && pms.some((a) => fold(a) === fold(pair))) {
      ampm = 'pm';
      i++;
      continue;
    }
    if (ams.some((a) => a !== '' && fold(a) === lower)) {
      ampm = 'am';
      continue;
    }
    if (pms.some((a) => a !== '' && fold(a) === lower)) {
      ampm = 'pm';
      continue;
    }
    if (skip.has(lower)) continue;
    return undefined;
  }

  if (ampm !== undefined) {
    if (!haveTime && dateNums.length > 0) {
      // "3 PM": the last bare number is the hour.
      const last = dateNums.pop() as { value: number };
      f.hour = last.value;
      haveTime = true;
    }
    if (f.hour > 12) return undefined;
    if (ampm === 'am' && f.hour === 12) f.hour = 0;
    if (ampm === 'pm' && f.hour < 12) f.hour += 12;
  }

  if (!assignDate(f, dateNums, monthFromName, dateOrder(culture))) return undefined;
  if (dateNums.length === 0 && monthFromName === undefined && !haveTime) return undefined;
  return f;
}

function assignDate(
  f: Fields,
  nums: Array<{ value: number; digits: number }>,
  monthFromName: number | undefined,
  order: 'MDY' | 'DMY' | 'YMD',
): boolean {
  const isYear = (n: { value: number; digits: number }): boolean => n.digits >= 3 || n.value > 31;
  if (monthFromName !== undefined) {
    f.month = monthFromName;
    if (nums.length === 0) return false;
    if (nums.length === 1) {
      const n = nums[0] as { value: number; digits: number };
      if (isYear(n)) f.year = fullYear(n.value, n.digits);
      else f.day = n.value;
      return true;
    }
    if (nums.length !== 2) return false;
    const [a, b] = nums as [{ value: number; digits: number }, { value: number; digits: number }];
    if (isYear(a) && !isYear(b)) {
      f.year = fullYear(a.value, a.digits);
      f.day = b.value;
    } else {
      f.day = a.value;
      f.year = fullYear(b.value, b.digits);
    }
    return true;
  }
  if (nums.length === 3) {
    const [a, b, c] = nums as Array<{ value: number; digits: number }> as [
      { value: number; digits: number },
      { value: number; digits: number },
      { value: number; digits: number },
    ];
    if (a.digits >= 3 || order === 'YMD') {
      f.year = fullYear(a.value, a.digits);
      f.month = b.value;
      f.day = c.value;
    } else if (order === 'MDY') {
      f.month = a.value;
      f.day = b.value;
      f.year = fullYear(c.value, c.digits);
    } else {
      f.day = a.value;
      f.month = b.value;
      f.year = fullYear(c.value, c.digits);
    }
    return true;
  }
  if (nums.length === 2) {
    const [a, b] = nums as [{ value: number; digits: number }, { value: number; digits: number }];
    if (isYear(a)) {
      f.year = fullYear(a.value, a.digits);
      f.month = b.value;
    } else if (isYear(b)) {
      f.month = a.value;
      f.year = fullYear(b.value, b.digits);
    } else if (order === 'DMY') {
      f.day = a.value;
      f.month = b.value;
    } else {
      f.month = a.value;
      f.day = b.value;
    }
    return true;
  }
  return nums.length === 0;
}

/** DateTime.Parse(text, culture) keeping the zone kind. */
export function parseDateTime(text: string, culture: Culture, today?: Today): DateTimeValue {
  const trimmed = text.trim();
  if (trimmed === '') throw notADate(text);
  const fields = parseIso(trimmed) ?? parseLenient(trimmed, culture);
  if (fields === undefined) throw notADate(text);
  return build(text, fields, today);
}

// ---------------------------------------------------------------------------------------------
// Exact parse (DateTime.ParseExact) against a standard or custom format.

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
  const f: Fields = {
    hour: 0,
    minute: 0,
    second: 0,
    fraction: 0,
    carry: 0,
    kind: 'unspecified',
    offsetMinutes: 0,
  };
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
