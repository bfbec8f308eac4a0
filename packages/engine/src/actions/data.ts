// Data operations (spec §6.17–6.21) over evaluated values: ParseJson, Join and the cell text of
// Table. Query/Select/Table evaluate `where`/`select`/`columns` per element in the executor.
import type { Value } from '@flowbridge/expression';
import { toJson, toText } from '../expr.js';
import { validateSchema } from './schema.js';
import { isPlainObject } from './values.js';

export type DataResult = { ok: true; outputs: Value } | { ok: false; code: string; message: string; outputs?: Value };

export function parseJson(content: Value | undefined, schema: Value | undefined): DataResult {
  let parsed: Value;
  if (typeof content === 'string') {
    try {
      parsed = JSON.parse(content) as Value;
    } catch (e) {
      return {
        ok: false,
        code: 'InvalidJson',
        message: `ParseJson content is not valid JSON: ${(e as Error).message}`,
      };
    }
  } else parsed = content === undefined ? null : content;
  let errors: string[];
  try {
    errors = validateSchema(schema === undefined ? undefined : toJson(schema), toJson(parsed));
  } catch (e) {
    return {
      ok: false,
      code: 'InvalidInput',
      message: `The ParseJson schema is not a valid JSON Schema: ${(e as Error).message}`,
    };
  }
  if (errors.length > 0) {
    return {
      ok: false,
      code: 'ValidationFailed',
      message: `The content failed schema validation: ${errors.join('; ')}.`,
      outputs: { body: parsed },
    };
  }
  return { ok: true, outputs: { body: parsed } };
}

export function join(from: Value, joinWith: Value | undefined): DataResult {
  if (!Array.isArray(from)) return { ok: false, code: 'InvalidTemplate', message: "Join 'from' must be an array." };
  const sep = joinWith === undefined || joinWith === null ? '' : toText(joinWith);
  return { ok: true, outputs: { body: from.map((x) => (x === null ? '' : toText(x))).join(sep) } };
}

/** Headers of an automatic table: property names of the objects in first-seen order. */
export function automaticHeaders(from: Value[]): string[] | undefined {
  const seen = new Set<string>();
  for (const row of from) {
    if (!isPlainObject(row)) return undefined;
    for (const k of Object.keys(row)) seen.add(k);
  }
  return [...seen];
}

/** Cell text: null and absent are empty. */
export const cellText = (v: Value | undefined): string => (v === undefined || v === null ? '' : toText(v));
