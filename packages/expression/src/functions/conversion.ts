import type { AnyFunctionDef } from './types.js';
import { Float, isDecimal, type Value } from '../values.js';
import { ExpressionError } from '../errors.js';
import { argError, expectString, kindName, nth } from '../coerce.js';
import { toText } from '../text.js';
import { parseJson } from '../json.js';
import { xmlToJsonValue } from '../xml/convert.js';
import {
  OCTET_STREAM,
  base64ToBytes,
  bytesToBase64,
  decodeUtf8,
  decoderFor,
  envelopeText,
  isEnvelope,
  isXmlEnvelope,
  makeEnvelope,
  utf8Bytes,
} from '../binary.js';
import { INT64_MAX, INT64_MIN, mkFloat, normInt, toDecimal } from '../numbers.js';
import { decimalFromDouble, decimalFromInt, decimalToBigInt, makeDecimal } from '../decimal.js';
import {
  DECIMAL_STYLES,
  FLOAT_STYLES,
  INT_VIA_FLOAT_STYLES,
  INVARIANT,
  cultureFor,
  parseDouble,
  parseNumberParts,
} from '../numparse.js';

/** Conversion functions (spec §9.4). */

function parseFailure(text: string, kind: string): ExpressionError {
  return new ExpressionError('InvalidArgument', `Could not parse ${text} as ${kind}.`);
}

const TWO_63 = 2 ** 63;

/** A double → int64 the way a checked .NET conversion does; NaN is long.MinValue (a quirk). */
function intFromDouble(x: number, source: string): Value {
  if (Number.isNaN(x)) return INT64_MIN;
  if (!Number.isInteger(x)) throw parseFailure(source, 'int');
  if (x >= TWO_63 || x < -TWO_63) throw parseFailure(source, 'int');
  return normInt(BigInt(x));
}

function toInt(v: Value, locale: string | undefined): Value {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : intFromDouble(v, toText(v));
  if (v instanceof Float) return intFromDouble(v.value, toText(v));
  if (isDecimal(v)) {
    const b = decimalToBigInt(toDecimal(v));
    if (b === undefined || b < INT64_MIN || b > INT64_MAX) throw parseFailure(v.toString(), 'int');
    return normInt(b);
  }
  if (typeof v !== 'string') throw parseFailure(kindName(v), 'int');
  const x = parseDouble(v, INT_VIA_FLOAT_STYLES, cultureFor(locale));
  if (x === undefined) throw parseFailure(v, 'int');
  return intFromDouble(x, v);
}

function toFloat(v: Value, locale: string | undefined): Value {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? new Float(v) : v;
  if (v instanceof Float) return v;
  if (typeof v === 'bigint') return mkFloat(Number(v));
  if (isDecimal(v)) return mkFloat(v.toNumber());
  if (typeof v !== 'string') throw parseFailure(kindName(v), 'float');
  // Logic Apps refuses 'Infinity' unless a locale is given (even '').
  if (locale === undefined && /infinity$/i.test(v.trimEnd())) throw parseFailure(v, 'float');
  const x = parseDouble(v, FLOAT_STYLES, cultureFor(locale));
  if (x === undefined) throw parseFailure(v, 'float');
  return mkFloat(x);
}

function toDecimalValue(v: Value): Value {
  if (isDecimal(v)) return v;
  if (typeof v === 'bigint' || (typeof v === 'number' && Number.isSafeInteger(v))) return decimalFromInt(v);
  if (typeof v === 'number') return decimalFromDouble(v);
  if (v instanceof Float) return decimalFromDouble(v.value);
  if (typeof v !== 'string') throw parseFailure(kindName(v), 'decimal');
  const p = parseNumberParts(v, DECIMAL_STYLES, INVARIANT);
  if (!p || p.special) throw parseFailure(v, 'decimal');
  const m = BigInt((p.intDigits + p.fracDigits).replace(/^0+(?=\d)/, '') || '0');
  try {
    return makeDecimal(p.negative ? -m : m, p.fracDigits.length);
  } catch {
    throw parseFailure(v, 'decimal');
  }
}

function toBool(v: Value): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (v instanceof Float) return v.value !== 0;
  if (isDecimal(v)) return v.mantissa !== 0n;
  if (typeof v === 'string') {
    const t = v.trim().toLowerCase();
    if (t === 'true') return true;
    if (t === 'false') return false;
    throw parseFailure(v, 'bool');
  }
  throw argError('bool', `expects a number, a string or a boolean. The provided value is of type '${kindName(v)}'.`);
}

function jsonOf(v: Value): Value {
  if (v === null) return {};
  if (typeof v === 'string') return parseJson(v);
  if (isXmlEnvelope(v)) return xmlToJsonValue(envelopeText(v));
  if (isEnvelope(v)) return parseJson(envelopeText(v));
  throw argError(
    'json',
    `expects its parameter to be a string or a binary/XML value. The provided value is of type '${kindName(v)}'.`,
  );
}

/** Percent-encoding of everything but the unreserved characters (Uri.EscapeDataString). */
function escapeDataString(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** %XX (and, for form/URL decoding, '+') → bytes; other characters as UTF-8; bad escapes kept. */
function percentDecodeBytes(text: string, plusAsSpace: boolean): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '%' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === '+' && plusAsSpace) {
      out.push(32);
    } else {
      const code = text.codePointAt(i) as number;
      if (code > 0xffff) i++;
      for (const b of utf8Bytes(String.fromCodePoint(code))) out.push(b);
    }
  }
  return Uint8Array.from(out);
}

interface DataUri {
  contentType: string;
  params: string[];
  base64: boolean;
  payload: string;
}

function invalidDataUri(fn: string, text: string, why: string): ExpressionError {
  return argError(fn, `expects a valid data URI: '${text.length > 60 ? text.slice(0, 60) + '…' : text}' ${why}.`);
}

/** Splits `data:[<media type>][;param]*[;base64],<payload>` (spec §9.4). */
function parseDataUri(fn: string, text: string, forString: boolean): DataUri {
  if (!/^data:/i.test(text)) throw invalidDataUri(fn, text, "does not start with 'data:'");
  const comma = text.indexOf(',', 5);
  if (comma < 0) throw invalidDataUri(fn, text, 'has no comma');
  const segments = text.slice(5, comma).split(';');
  const base64 = (segments[segments.length - 1] as string).toLowerCase() === 'base64';
  const parts = base64 ? segments.slice(0, -1) : segments;
  let contentType = 'text/plain';
  if (parts.length > 1 || (parts.length === 1 && parts[0] !== '')) {
    const mime = parts[0] as string;
    if (forString) {
      if (mime === '') throw invalidDataUri(fn, text, 'has an empty media type');
    } else if (mime.split('/').length !== 2) {
      throw invalidDataUri(fn, text, `has a badly formed media type '${mime}'`);
    }
    contentType = parts.join(';');
  }
  return { contentType, params: parts.slice(1), base64, payload: text.slice(comma + 1) };
}

function dataUriToBinary(fn: string, text: string): Value {
  const uri = parseDataUri(fn, text, false);
  for (const p of uri.params) {
    if (p.split('=').length > 2) throw invalidDataUri(fn, text, `has a bad parameter '${p}'`);
    const m = /^\s*charset\s*=(.*)$/i.exec(p);
    if (m && decoderFor(m[1] as string) === undefined) {
      throw invalidDataUri(fn, text, `names an unknown charset '${m[1] as string}'`);
    }
  }
  const content = uri.base64
    ? uri.payload
    : bytesToBase64(utf8Bytes(decodeUtf8(percentDecodeBytes(uri.payload, true))));
  return makeEnvelope(uri.contentType, content);
}

function dataUriToString(text: string): string {
  const uri = parseDataUri('dataUriToString', text, true);
  // Logic Apps only looks at a charset that is the first parameter, and accepts only UTF-8 there.
  const first = uri.params[0];
  const m = first === undefined ? null : /^\s*charset\s*=(.*)$/i.exec(first);
  if (m && !/^\s*utf-?8\s*$/i.test(m[1] as string)) {
    throw invalidDataUri('dataUriToString', text, 'is not UTF-8 text');
  }
  if (uri.base64) return decodeUtf8(base64ToBytes(uri.payload));
  return decodeUtf8(percentDecodeBytes(uri.payload, true));
}

function dataUri(v: Value): string {
  if (v === null) throw argError('dataUri', 'expects a value that is not null.');
  if (typeof v === 'string') return `data:text/plain;charset=utf-8;base64,${bytesToBase64(utf8Bytes(v))}`;
  if (isEnvelope(v)) return `data:${v['$content-type']};base64,${v.$content}`;
  return `data:application/json;charset=utf-8;base64,${bytesToBase64(utf8Bytes(toText(v)))}`;
}

function binary(v: Value): Value {
  if (v === null) throw argError('binary', 'expects a value that is not null.');
  if (isEnvelope(v)) return makeEnvelope(OCTET_STREAM, v.$content);
  return makeEnvelope(OCTET_STREAM, bytesToBase64(utf8Bytes(toText(v))));
}

function base64(v: Value): string {
  if (isEnvelope(v)) return v.$content;
  return bytesToBase64(utf8Bytes(toText(v)));
}

const optionalLocale = (fn: string, args: Value[]): string | undefined =>
  args.length > 1 ? expectString(fn, args[1] as Value, nth(1)) : undefined;

const one = (name: string, impl: (v: Value) => Value): AnyFunctionDef => ({
  name,
  minArgs: 1,
  maxArgs: 1,
  impl: ([v]) => impl(v as Value),
});

export const conversionFunctions: AnyFunctionDef[] = [
  one('array', (v) => [v]),
  { name: 'createArray', minArgs: 1, maxArgs: Infinity, impl: (args) => [...args] },
  one('base64', base64),
  one('base64ToString', (v) => decodeUtf8(base64ToBytes(expectString('base64ToString', v)))),
  one('decodeBase64', (v) => decodeUtf8(base64ToBytes(expectString('decodeBase64', v)))),
  one('base64ToBinary', (v) => {
    const text = expectString('base64ToBinary', v);
    base64ToBytes(text); // validates; the envelope keeps the text as given
    return makeEnvelope(OCTET_STREAM, text);
  }),
  one('binary', binary),
  one('bool', toBool),
  one('dataUri', dataUri),
  one('dataUriToBinary', (v) => dataUriToBinary('dataUriToBinary', expectString('dataUriToBinary', v))),
  one('decodeDataUri', (v) => dataUriToBinary('decodeDataUri', expectString('decodeDataUri', v))),
  one('dataUriToString', (v) => dataUriToString(expectString('dataUriToString', v))),
  one('decimal', toDecimalValue),
  { name: 'float', minArgs: 1, maxArgs: 2, impl: (args) => toFloat(args[0] as Value, optionalLocale('float', args)) },
  { name: 'int', minArgs: 1, maxArgs: 2, impl: (args) => toInt(args[0] as Value, optionalLocale('int', args)) },
  one('json', jsonOf),
  one('string', toText),
  one('uriComponent', (v) => escapeDataString(toText(v))),
  one('encodeUriComponent', (v) => escapeDataString(toText(v))),
  one('uriComponentToString', (v) => decodeUtf8(percentDecodeBytes(expectString('uriComponentToString', v), false))),
  one('decodeUriComponent', (v) => decodeUtf8(percentDecodeBytes(expectString('decodeUriComponent', v), false))),
  one('uriComponentToBinary', (v) =>
    makeEnvelope(OCTET_STREAM, bytesToBase64(percentDecodeBytes(expectString('uriComponentToBinary', v), false))),
  ),
];
