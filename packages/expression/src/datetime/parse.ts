// Reading timestamps the way .NET DateTime.Parse does (this module: the ISO 8601 fast path and the
// lenient, culture-aware parse) and DateTime.ParseExact does (parse-exact.ts), keeping the zone
// kind (`Z` → utc, an offset → offset, nothing → unspecified) instead of converting to local time.
import type { DateTimeValue } from './core.js';
import { type Culture } from './cultures.js';
import { build, fractionTicks, fullYear, noFields, notADate, type Fields, type Today } from './parse-fields.js';

export { parseDateTimeExact } from './parse-exact.js';
export { notADate, type Today } from './parse-fields.js';

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
  const f = noFields();
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
