import type { AnyFunctionDef } from './types.js';
import type { Value } from '../values.js';
import { ExpressionError } from '../errors.js';
import { argError, expectInteger, expectString, kindName, nth } from '../coerce.js';
import { toText } from '../text.js';
import {
  cultureFor,
  exactInteger,
  FLOAT_STYLES,
  INTEGER_STYLES,
  INVARIANT,
  parseDouble,
  parseNumberParts,
} from '../numparse.js';
import { INT64_MAX, INT64_MIN } from '../numbers.js';

/** String functions (spec §9.1). Lengths and indexes count UTF-16 code units, as .NET does. */

const MAX_STRING = 104_857_600;

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** .NET invariant simple case mapping: no Turkish İ/ı mapping and no length-changing mapping. */
function mapCase(text: string, upper: boolean): string {
  if (isAscii(text)) return upper ? text.toUpperCase() : text.toLowerCase();
  let out = '';
  for (const ch of text) {
    if ((upper && ch === '\u0131') || (!upper && ch === '\u0130')) {
      out += ch;
      continue;
    }
    const mapped = upper ? ch.toUpperCase() : ch.toLowerCase();
    out += mapped.length === ch.length ? mapped : ch;
  }
  return out;
}

/** Case-insensitive search (the docs call indexOf/startsWith/endsWith case-insensitive); keeps lengths. */
const fold = (s: string): string => mapCase(s, false);

/** White space as .NET's String.Trim() sees it (JS \s also strips U+FEFF and misses U+0085). */
const TRIM =
  /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

function twoStrings(fn: string, args: Value[]): [string, string] {
  return [expectString(fn, args[0] as Value, nth(0)), expectString(fn, args[1] as Value, nth(1))];
}

function guidFormat(raw: string, format: string): string {
  const hex = raw.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
  if (hex.length !== 32) throw new ExpressionError('InvalidArgument', 'The GUID source returned an invalid GUID.');
  const d = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  switch (format) {
    case '':
    case 'D':
    case 'd':
      return d;
    case 'N':
    case 'n':
      return hex;
    case 'B':
    case 'b':
      return `{${d}}`;
    case 'P':
    case 'p':
      return `(${d})`;
    case 'X':
    case 'x': {
      const bytes = hex.slice(16).match(/../g) ?? [];
      return `{0x${hex.slice(0, 8)},0x${hex.slice(8, 12)},0x${hex.slice(12, 16)},{${bytes.map((b) => `0x${b}`).join(',')}}}`;
    }
    default:
      throw argError('guid', `has an invalid format '${format}': it must be one of 'N', 'D', 'B', 'P' or 'X'.`);
  }
}

/** .NET LastIndexOf(value, startIndex): the match must end at or before startIndex. */
function lastIndexBefore(text: string, search: string, startIndex: number): number {
  const from = startIndex - search.length + 1;
  if (from < 0) return -1;
  return text.lastIndexOf(search, from);
}

export const stringFunctions: AnyFunctionDef[] = [
  {
    name: 'chunk',
    minArgs: 2,
    maxArgs: 2,
    impl: ([collection, size]) => {
      const n = expectInteger('chunk', size as Value, nth(1));
      if (n <= 0) throw argError('chunk', 'expects its second parameter to be a positive integer.');
      if (typeof collection === 'string') {
        const out: Value[] = [];
        for (let i = 0; i < collection.length; i += n) out.push(collection.slice(i, i + n));
        return out;
      }
      if (Array.isArray(collection)) {
        const out: Value[] = [];
        for (let i = 0; i < collection.length; i += n) out.push(collection.slice(i, i + n));
        return out;
      }
      throw argError(
        'chunk',
        `expects its first parameter to be an array or a string. The provided value is of type '${kindName(collection as Value)}'.`,
      );
    },
  },
  {
    name: 'concat',
    minArgs: 1,
    maxArgs: Infinity,
    impl: (args) => {
      let out = '';
      for (const a of args) {
        out += toText(a);
        if (out.length > MAX_STRING) {
          throw argError('concat', `produced a string longer than the limit of ${MAX_STRING} characters.`);
        }
      }
      return out;
    },
  },
  {
    name: 'endsWith',
    minArgs: 2,
    maxArgs: 2,
    impl: (args) => {
      const [text, search] = twoStrings('endsWith', args);
      return fold(text).endsWith(fold(search));
    },
  },
  {
    name: 'startsWith',
    minArgs: 2,
    maxArgs: 2,
    impl: (args) => {
      const [text, search] = twoStrings('startsWith', args);
      return fold(text).startsWith(fold(search));
    },
  },
  {
    name: 'guid',
    minArgs: 0,
    maxArgs: 1,
    impl: (args, ctx) => {
      const format = args.length > 0 ? expectString('guid', args[0] as Value) : 'D';
      if (!ctx.newGuid)
        throw new ExpressionError('InvalidReference', 'guid() needs a GUID source, and none is available here.');
      return guidFormat(ctx.newGuid(), format);
    },
  },
  {
    name: 'indexOf',
    minArgs: 2,
    maxArgs: 2,
    impl: (args) => {
      const [text, search] = twoStrings('indexOf', args);
      return fold(text).indexOf(fold(search));
    },
  },
  {
    name: 'lastIndexOf',
    minArgs: 2,
    maxArgs: 2,
    impl: (args) => {
      const [text, search] = twoStrings('lastIndexOf', args);
      if (search === '') return text.length === 0 ? 0 : text.length - 1;
      return fold(text).lastIndexOf(fold(search));
    },
  },
  {
    name: 'nthIndexOf',
    minArgs: 3,
    maxArgs: 3,
    impl: (args) => {
      const [rawText, rawSearch] = twoStrings('nthIndexOf', args);
      const n = expectInteger('nthIndexOf', args[2] as Value, nth(2));
      if (n === 0) throw argError('nthIndexOf', 'expects its third parameter (the occurrence) to be nonzero.');
      const text = fold(rawText);
      const search = fold(rawSearch);
      if (n > 0) {
        let at = 0;
        for (let k = 0; k < n; k++) {
          const found = text.indexOf(search, at);
          if (found < 0) return -1;
          if (k === n - 1) return found;
          at = found + 1;
        }
        return -1;
      }
      let start = text.length - 1;
      for (let k = 0; k < -n; k++) {
        const found = lastIndexBefore(text, search, start);
        if (found < 0) return -1;
        if (k === -n - 1) return found;
        start = found - 1;
      }
      return -1;
    },
  },
  {
    name: 'isFloat',
    minArgs: 1,
    maxArgs: 2,
    impl: (args) => {
      const text = expectString('isFloat', args[0] as Value, nth(0));
      const culture = args.length > 1 ? cultureFor(expectString('isFloat', args[1] as Value, nth(1))) : INVARIANT;
      return parseDouble(text, FLOAT_STYLES, culture) !== undefined;
    },
  },
  {
    name: 'isInt',
    minArgs: 1,
    maxArgs: 1,
    impl: (args) => {
      const text = expectString('isInt', args[0] as Value);
      const parts = parseNumberParts(text, INTEGER_STYLES, INVARIANT);
      if (!parts) return false;
      const v = exactInteger(parts);
      return v !== undefined && v >= INT64_MIN && v <= INT64_MAX;
    },
  },
  {
    name: 'replace',
    minArgs: 3,
    maxArgs: 3,
    impl: (args) => {
      const text = expectString('replace', args[0] as Value, nth(0));
      const old = expectString('replace', args[1] as Value, nth(1));
      const replacement = expectString('replace', args[2] as Value, nth(2));
      if (old === '')
        throw argError(
          'replace',
          "cannot replace an empty string: String cannot be of zero length. (Parameter 'oldValue')",
        );
      return text.split(old).join(replacement);
    },
  },
  {
    name: 'slice',
    minArgs: 2,
    maxArgs: 3,
    impl: (args) => {
      const text = expectString('slice', args[0] as Value, nth(0));
      const len = text.length;
      let start = expectInteger('slice', args[1] as Value, nth(1));
      let end = args.length > 2 ? expectInteger('slice', args[2] as Value, nth(2)) : len;
      if (start < 0) start += len;
      if (end < 0) end += len;
      if (start >= len || end < start) return '';
      return text.slice(Math.max(0, start), Math.min(len, end));
    },
  },
  {
    name: 'split',
    minArgs: 2,
    maxArgs: 2,
    impl: (args) => {
      const [text, delimiter] = twoStrings('split', args);
      return delimiter === '' ? [text] : text.split(delimiter);
    },
  },
  {
    name: 'substring',
    minArgs: 2,
    maxArgs: 3,
    impl: (args) => {
      const text = expectString('substring', args[0] as Value, nth(0));
      const start = expectInteger('substring', args[1] as Value, nth(1));
      const length = args.length > 2 ? expectInteger('substring', args[2] as Value, nth(2)) : text.length - start;
      if (start < 0 || length < 0 || start + length > text.length) {
        throw argError(
          'substring',
          "parameters are out of range: 'start index' and 'length' must be non-negative integers and their sum must be no larger than the length of the string.",
        );
      }
      return text.slice(start, start + length);
    },
  },
  {
    name: 'toLower',
    minArgs: 1,
    maxArgs: 1,
    impl: ([v]) => {
      if (typeof v !== 'string') throw argError('toLower', 'expects its parameter to be a string.');
      return mapCase(v, false);
    },
  },
  {
    name: 'toUpper',
    minArgs: 1,
    maxArgs: 1,
    impl: ([v]) => {
      if (typeof v !== 'string') throw argError('toUpper', 'expects its parameter to be a string.');
      return mapCase(v, true);
    },
  },
  {
    name: 'trim',
    minArgs: 1,
    maxArgs: 1,
    impl: ([v]) => {
      if (typeof v !== 'string')
        throw argError('trim', 'was given parameters that are not valid: it expects a string.');
      return v.replace(TRIM, '');
    },
  },
];
