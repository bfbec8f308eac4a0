import { Float, isDecimal, type DecimalLike, type Value, type ValueObject } from './values.js';
import { envelopeText, isEnvelope } from './binary.js';

/**
 * Text forms of values (spec §4, §5): the interpolation text (`toText`), the JSON text that keeps
 * float and decimal kinds (`stringifyValue`), and plain JSON (`toJson`).
 */

/**
 * .NET's shortest round-trip double text: the digits JS finds, laid out the .NET way —
 * positional for decimal exponents -5 < e < 15, else `d.dddE+XX` (upper-case E, signed,
 * at least two exponent digits).
 */
export function formatDouble(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const sign = x < 0 ? '-' : '';
  const [mant = '0', expText = '0'] = Math.abs(x).toExponential().split('e');
  const digits = mant.replace('.', '');
  const e = Number(expText);
  if (e > -5 && e < 15) {
    if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
    if (digits.length <= e + 1) return sign + digits + '0'.repeat(e + 1 - digits.length);
    return `${sign}${digits.slice(0, e + 1)}.${digits.slice(e + 1)}`;
  }
  const frac = digits.length > 1 ? `.${digits.slice(1)}` : '';
  const exp = String(Math.abs(e)).padStart(2, '0');
  return `${sign}${digits[0]}${frac}E${e < 0 ? '-' : '+'}${exp}`;
}

/** A float inside JSON keeps a fractional part (`5.0`), as Newtonsoft writes it. */
function jsonDouble(x: number): string {
  if (!Number.isFinite(x)) return JSON.stringify(formatDouble(x));
  const text = formatDouble(x);
  return /[.E]/.test(text) ? text : `${text}.0`;
}

/** The interpolation / string() / concat() text of a value. */
export function toText(v: Value): string {
  if (typeof v === 'string') return v;
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isSafeInteger(v) ? String(v) : formatDouble(v);
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Float) return formatDouble(v.value);
  if (isDecimal(v)) return v.toString();
  if (isEnvelope(v)) return envelopeText(v);
  return stringifyValue(v);
}

/** Compact JSON text: floats keep `.0`, bigints their digits, decimals their scale. */
export function stringifyValue(v: Value): string {
  const out: string[] = [];
  writeJson(v, out);
  return out.join('');
}

function writeJson(v: Value, out: string[]): void {
  if (v === null) out.push('null');
  else if (typeof v === 'string') out.push(JSON.stringify(v));
  else if (typeof v === 'boolean') out.push(v ? 'true' : 'false');
  else if (typeof v === 'number') out.push(Number.isSafeInteger(v) ? String(v) : jsonDouble(v));
  else if (typeof v === 'bigint') out.push(v.toString());
  else if (v instanceof Float) out.push(jsonDouble(v.value));
  else if (isDecimal(v)) {
    const text = v.toString();
    out.push(v.scale === 0 ? `${text}.0` : text);
  } else if (Array.isArray(v)) {
    out.push('[');
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out.push(',');
      writeJson(v[i] as Value, out);
    }
    out.push(']');
  } else {
    out.push('{');
    let first = true;
    for (const key of Object.keys(v)) {
      const item = v[key];
      if (item === undefined) continue;
      if (!first) out.push(',');
      first = false;
      out.push(JSON.stringify(key), ':');
      writeJson(item, out);
    }
    out.push('}');
  }
}

/** Plain JSON for storage and output: Float → number, bigint → number, decimal → number. */
export function toJson(v: Value): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Float) return v.value;
  if (isDecimal(v)) return v.toNumber();
  if (Array.isArray(v)) return v.map(toJson);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) {
    const item = v[key];
    if (item === undefined) continue;
    if (key === '__proto__')
      Object.defineProperty(out, key, { value: toJson(item), enumerable: true, writable: true, configurable: true });
    else out[key] = toJson(item);
  }
  return out;
}

/**
 * The same JSON as `toJson`, without copying what is plain JSON already: Values are never changed
 * in place, so the result shares every array and object of `v` that needs no conversion (all of
 * it, usually) and copies only the paths to the parts that do (Float, bigint, decimal, an
 * undefined member). For run history, which records each value once or more per run.
 */
export function toJsonShared(v: Value): unknown {
  if (v === null || typeof v !== 'object') return typeof v === 'bigint' ? Number(v) : v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const item = v[i] as Value;
      const j = toJsonShared(item);
      if (j !== item) return copyArrayFrom(v, i, j);
    }
    return v;
  }
  if (!hasPlainPrototype(v)) return toJson(v);
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    const item = v[keys[i] as string];
    if (item === undefined) return copyObjectFrom(v, keys, i, undefined);
    const j = toJsonShared(item);
    if (j !== item) return copyObjectFrom(v, keys, i, j);
  }
  return v;
}

/** Float and Decimal boxes are class instances: the prototype tells a plain object at once. */
function hasPlainPrototype(v: Float | DecimalLike | ValueObject): v is ValueObject {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** `v` as JSON, given that its members before `keys[from]` are plain JSON and that one became `first`. */
function copyObjectFrom(v: ValueObject, keys: string[], from: number, first: unknown): unknown {
  if (isDecimal(v)) return toJson(v); // a plain object that looks like one (json() with a huge mantissa)
  const out: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const item = v[key];
    if (item === undefined) continue;
    const j = i < from ? item : i === from ? first : toJsonShared(item);
    if (key === '__proto__')
      Object.defineProperty(out, key, { value: j, enumerable: true, writable: true, configurable: true });
    else out[key] = j;
  }
  return out;
}

/** `v` as JSON, given that its items before `from` are plain JSON and item `from` became `first`. */
function copyArrayFrom(v: Value[], from: number, first: unknown): unknown[] {
  const out: unknown[] = v.slice(0, from);
  out.push(first);
  for (let i = from + 1; i < v.length; i++) out.push(toJsonShared(v[i] as Value));
  return out;
}
