// JSON Schema validation for ParseJson (spec §6.17), with validators cached by schema text so a
// schema is compiled once however many runs use it.
import { createRequire } from 'node:module';
import type { Ajv, ValidateFunction } from 'ajv';

let ajv: Ajv | undefined;
/**
 * ajv is loaded when the first schema is compiled, not when the package is imported: it costs
 * tens of milliseconds and several MiB at start, and many processes never validate a schema.
 * Validation is synchronous, so it is required (ajv is CommonJS), not imported. (Written as
 * `createRequire(import.meta.url)(id)` so that scripts/build.mjs bundles it lazily.)
 */
function compiler(): Ajv {
  if (!ajv) {
    const { Ajv: AjvClass } = createRequire(import.meta.url)('ajv') as { Ajv: typeof Ajv };
    ajv = new AjvClass({
      strict: false,
      allErrors: true,
      validateFormats: false,
      logger: false,
      validateSchema: false,
    });
  }
  return ajv;
}
const cache = new Map<string, ValidateFunction>();
const MAX_CACHE = 500;

/** Drops draft-04 leftovers that ajv's draft-07 core would reject or misread. */
function normalise(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(normalise);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$schema' || k === 'id' || k === '$id') continue;
    // draft-04 boolean exclusiveMinimum/Maximum: the plain minimum/maximum stays.
    if ((k === 'exclusiveMinimum' || k === 'exclusiveMaximum') && typeof v === 'boolean') continue;
    out[k] = k === 'properties' || k === 'definitions' || k === 'patternProperties' ? mapValues(v) : normalise(v);
  }
  return out;
}
function mapValues(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalise(x)]));
}

/** Validates JSON `data`; returns error messages ([] = valid) or throws when the schema is bad. */
export function validateSchema(schema: unknown, data: unknown): string[] {
  if (schema === undefined || schema === null || (typeof schema === 'object' && Object.keys(schema).length === 0))
    return [];
  const key = JSON.stringify(schema);
  let validate = cache.get(key);
  if (!validate) {
    validate = compiler().compile(normalise(schema) as object);
    if (cache.size >= MAX_CACHE) cache.clear();
    cache.set(key, validate);
  }
  if (validate(data)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
}
