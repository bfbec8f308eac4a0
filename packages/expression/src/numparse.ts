import { ExpressionError } from './errors.js';

/**
 * .NET-style number parsing (Double/Int64/Decimal.TryParse with NumberStyles), which is what
 * `float()`, `int()`, `decimal()`, `isFloat()` and `isInt()` do (spec §9.4): surrounding white
 * space, a leading or trailing sign, group separators after the first digit, culture separators.
 */
export interface Culture {
  decimal: string;
  group: string;
  nan: string;
  positiveInfinity: string;
  negativeInfinity: string;
}

export const INVARIANT: Culture = {
  decimal: '.',
  group: ',',
  nan: 'NaN',
  positiveInfinity: 'Infinity',
  negativeInfinity: '-Infinity',
};

function culture(decimal: string, group: string): Culture {
  return { decimal, group, nan: 'NaN', positiveInfinity: '∞', negativeInfinity: '-∞' };
}

const DOT_COMMA = culture('.', ',');
const COMMA_DOT = culture(',', '.');
const COMMA_SPACE = culture(',', '\u00a0');

/** Separators by language (and a few regions that differ from their language). */
const BY_LANGUAGE: Record<string, Culture> = {
  en: DOT_COMMA,
  ja: DOT_COMMA,
  zh: DOT_COMMA,
  ko: DOT_COMMA,
  he: DOT_COMMA,
  th: DOT_COMMA,
  hi: DOT_COMMA,
  de: COMMA_DOT,
  es: COMMA_DOT,
  it: COMMA_DOT,
  nl: COMMA_DOT,
  pt: COMMA_DOT,
  id: COMMA_DOT,
  da: COMMA_DOT,
  tr: COMMA_DOT,
  is: COMMA_DOT,
  el: COMMA_DOT,
  ro: COMMA_DOT,
  hr: COMMA_DOT,
  sl: COMMA_DOT,
  sr: COMMA_DOT,
  vi: COMMA_DOT,
  fr: culture(',', '\u202f'),
  ru: COMMA_SPACE,
  uk: COMMA_SPACE,
  pl: COMMA_SPACE,
  cs: COMMA_SPACE,
  sk: COMMA_SPACE,
  sv: COMMA_SPACE,
  nb: COMMA_SPACE,
  no: COMMA_SPACE,
  fi: COMMA_SPACE,
  hu: COMMA_SPACE,
  bg: COMMA_SPACE,
  lt: COMMA_SPACE,
  lv: COMMA_SPACE,
  et: COMMA_SPACE,
};

const BY_TAG: Record<string, Culture> = {
  'de-ch': culture('.', '’'),
  'es-mx': DOT_COMMA,
  'es-us': DOT_COMMA,
  'pt-pt': COMMA_SPACE,
  'fr-ch': culture('.', '’'),
};

/** Culture for a locale argument: '' is the invariant culture; undefined the default (en-US). */
export function cultureFor(locale: string | undefined): Culture {
  if (locale === undefined) return DOT_COMMA;
  if (locale === '') return INVARIANT;
  const tag = locale.toLowerCase().replace(/_/g, '-');
  if (!/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/.test(tag)) {
    throw new ExpressionError(
      'InvalidArgument',
      `Culture is not supported: '${locale}' is an invalid culture identifier.`,
    );
  }
  return BY_TAG[tag] ?? BY_LANGUAGE[tag.split('-')[0] as string] ?? DOT_COMMA;
}

export interface Styles {
  thousands: boolean;
  decimalPoint: boolean;
  exponent: boolean;
  trailingSign: boolean;
}

/** NumberStyles.Float | NumberStyles.Number: what float() and isFloat() accept. */
export const FLOAT_STYLES: Styles = { thousands: true, decimalPoint: true, exponent: true, trailingSign: true };
/** NumberStyles.Float | AllowThousands: what int() parses through a double. */
export const INT_VIA_FLOAT_STYLES: Styles = {
  thousands: true,
  decimalPoint: true,
  exponent: true,
  trailingSign: false,
};
/** NumberStyles.Integer | AllowExponent | AllowThousands: isInt(). */
export const INTEGER_STYLES: Styles = { thousands: true, decimalPoint: false, exponent: true, trailingSign: false };
/** NumberStyles.Number: decimal(). */
export const DECIMAL_STYLES: Styles = { thousands: true, decimalPoint: true, exponent: false, trailingSign: true };

export interface ParsedNumber {
  negative: boolean;
  intDigits: string;
  fracDigits: string;
  exponent: number;
  special?: 'nan' | 'inf' | '-inf';
}

const isWhite = (c: string | undefined): boolean => c !== undefined && (c === ' ' || (c >= '\t' && c <= '\r'));

/** The parts of a number in .NET syntax, or undefined when the text is not one. */
export function parseNumberParts(text: string, styles: Styles, c: Culture): ParsedNumber | undefined {
  let start = 0;
  let end = text.length;
  while (start < end && isWhite(text[start])) start++;
  while (end > start && isWhite(text[end - 1])) end--;
  const s = text.slice(start, end);
  const lower = s.toLowerCase();
  if (styles.decimalPoint || styles.exponent) {
    if (lower === c.nan.toLowerCase())
      return { negative: false, intDigits: '', fracDigits: '', exponent: 0, special: 'nan' };
    const inf = c.positiveInfinity.toLowerCase();
    if (lower === inf || lower === `+${inf}`) {
      return { negative: false, intDigits: '', fracDigits: '', exponent: 0, special: 'inf' };
    }
    if (lower === c.negativeInfinity.toLowerCase() || lower === `-${inf}`) {
      return { negative: true, intDigits: '', fracDigits: '', exponent: 0, special: '-inf' };
    }
  }
  let i = 0;
  let negative = false;
  let signSeen = false;
  if (s[i] === '+' || s[i] === '-') {
    negative = s[i] === '-';
    signSeen = true;
    i++;
  }
  let intDigits = '';
  let fracDigits = '';
  let inFraction = false;
  while (i < s.length) {
    const ch = s[i] as string;
    if (ch >= '0' && ch <= '9') {
      if (inFraction) fracDigits += ch;
      else intDigits += ch;
      i++;
    } else if (!inFraction && styles.decimalPoint && s.startsWith(c.decimal, i)) {
      inFraction = true;
      i += c.decimal.length;
    } else if (!inFraction && styles.thousands && intDigits !== '' && s.startsWith(c.group, i)) {
      i += c.group.length;
    } else {
      break;
    }
  }
  if (intDigits === '' && fracDigits === '') return undefined;
  let exponent = 0;
  if (styles.exponent && (s[i] === 'e' || s[i] === 'E')) {
    const m = /^[eE]([+-]?)(\d+)/.exec(s.slice(i));
    if (m) {
      const digits = (m[2] as string).replace(/^0+(?=\d)/, '');
      exponent = digits.length > 6 ? 9999999 : Number(digits);
      if (m[1] === '-') exponent = -exponent;
      i += m[0].length;
    }
  }
  if (!signSeen && styles.trailingSign && (s[i] === '+' || s[i] === '-')) {
    negative = s[i] === '-';
    i++;
  }
  if (i !== s.length) return undefined;
  return { negative, intDigits, fracDigits, exponent };
}

/** The double value of a .NET number text, or undefined. */
export function parseDouble(text: string, styles: Styles, c: Culture): number | undefined {
  const p = parseNumberParts(text, styles, c);
  if (!p) return undefined;
  if (p.special === 'nan') return NaN;
  if (p.special === 'inf') return Infinity;
  if (p.special === '-inf') return -Infinity;
  const v = Number(`${p.intDigits || '0'}.${p.fracDigits || '0'}e${p.exponent}`);
  return p.negative ? -v : v;
}

/** The exact integer value of a number text, or undefined when it has a fraction. */
export function exactInteger(p: ParsedNumber): bigint | undefined {
  if (p.special) return undefined;
  let digits = p.intDigits + p.fracDigits;
  let exp = p.exponent - p.fracDigits.length;
  if (exp < 0) {
    const cut = digits.length + exp;
    const dropped = cut > 0 ? digits.slice(cut) : digits;
    if (/[^0]/.test(dropped)) return undefined;
    digits = cut > 0 ? digits.slice(0, cut) : '0';
    exp = 0;
  }
  if (exp > 40) return /[^0]/.test(digits) ? 10n ** 40n : 0n;
  const v = BigInt(digits || '0') * 10n ** BigInt(exp);
  return p.negative ? -v : v;
}
