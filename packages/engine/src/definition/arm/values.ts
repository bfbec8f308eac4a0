// JSON values as ARM template functions see them: property names match without regard to case,
// and arguments are checked against the type a function expects.
import { ArmError } from './errors.js';

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'number';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'string' ? 'string' : 'object';
}

/** Case-insensitive own property (ARM property names ignore case). */
export function propOf(obj: Obj, name: string): { found: boolean; value?: unknown } {
  if (Object.prototype.hasOwnProperty.call(obj, name)) return { found: true, value: obj[name] };
  const lower = name.toLowerCase();
  for (const key of Object.keys(obj)) if (key.toLowerCase() === lower) return { found: true, value: obj[key] };
  return { found: false };
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => {
      const other = propOf(b, k);
      return other.found && deepEqual(a[k], other.value);
    });
  }
  return false;
}

/** How concat, format and string() render a value: strings as they are, the rest as JSON. */
export function toText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

export function expectString(fn: string, v: unknown, position: number): string {
  if (typeof v !== 'string') throw argumentError(fn, position, 'a string', v);
  return v;
}

export function expectInt(fn: string, v: unknown, position: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw argumentError(fn, position, 'an integer', v);
  return v;
}

export function expectArray(fn: string, v: unknown, position: number): unknown[] {
  if (!Array.isArray(v)) throw argumentError(fn, position, 'an array', v);
  return v;
}

export function argumentError(fn: string, position: number, expected: string, got: unknown): ArmError {
  return new ArmError(
    'InvalidArmExpression',
    `The argument ${position + 1} of '${fn}' must be ${expected}, not ${typeName(got)}.`,
  );
}
