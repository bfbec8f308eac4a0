/**
 * Input checks against the JSON Schema subset the kit documents: type, enum, required, properties,
 * items and additionalProperties: false. Enough to refuse what a handler could not use, naming the
 * place; anything richer (patterns, formats) is the handler's to check.
 */
import type { JsonSchema, ParameterSchema } from './types.js';

export interface SchemaProblem {
  /** JSON pointer into the checked value ('' = the value itself). */
  pointer: string;
  message: string;
}

const escape = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return typeOf(value) === type;
  }
}

/** The first problem of `value` against `schema`, or undefined when it fits. */
export function checkValue(value: unknown, schema: JsonSchema, pointer = '', depth = 0): SchemaProblem | undefined {
  if (depth > 32) return undefined;
  if (schema.type !== undefined && !hasType(value, schema.type))
    return { pointer, message: `expected ${schema.type}, found ${typeOf(value)}` };
  if (schema.enum !== undefined && !schema.enum.some((allowed) => allowed === value))
    return { pointer, message: `must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}` };
  if (hasType(value, 'object')) {
    const object = value as Record<string, unknown>;
    for (const name of schema.required ?? [])
      if (object[name] === undefined) return { pointer: `${pointer}/${escape(name)}`, message: 'is required' };
    const properties = schema.properties ?? {};
    for (const [name, child] of Object.entries(object)) {
      const at = `${pointer}/${escape(name)}`;
      const declared = properties[name];
      const extra = schema.additionalProperties;
      const childSchema = declared ?? (typeof extra === 'object' ? extra : undefined);
      if (!declared && extra === false) return { pointer: at, message: 'is not an allowed property' };
      if (childSchema && child !== undefined) {
        const problem = checkValue(child, childSchema, at, depth + 1);
        if (problem) return problem;
      }
    }
  }
  if (Array.isArray(value) && schema.items)
    for (const [i, item] of value.entries()) {
      const problem = checkValue(item, schema.items, `${pointer}/${i}`, depth + 1);
      if (problem) return problem;
    }
  return undefined;
}

export type Converted = { ok: true; value: string | number | boolean } | { ok: false; message: string };

/** A path, query or header text as the parameter's type (`'42'` → 42 for an integer), then checked. */
export function fromText(text: string, schema: ParameterSchema): Converted {
  let value: string | number | boolean = text;
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const n = text.trim() === '' ? NaN : Number(text);
      if (!Number.isFinite(n) || (schema.type === 'integer' && !Number.isInteger(n)))
        return { ok: false, message: `expected ${schema.type}, found '${text}'` };
      value = n;
      break;
    }
    case 'boolean':
      if (text !== 'true' && text !== 'false') return { ok: false, message: `expected true or false, found '${text}'` };
      value = text === 'true';
      break;
  }
  if (schema.enum !== undefined && !schema.enum.some((allowed) => allowed === value))
    return { ok: false, message: `must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}` };
  return { ok: true, value };
}
