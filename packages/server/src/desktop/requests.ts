/**
 * Reading what callers send: run mode, priority, timeout, inputs. Real Dataverse clients send
 * numbers as numbers or as numeric strings and absent options as null, so every reader here takes
 * all three. Inputs are checked against the desktop flow's input schema (defaults filled in first).
 */
import { validateSchema } from '@flowbridge/engine';
import { DesktopError } from './errors.js';
import { MAX_PRIORITY, PRIORITIES, RUN_MODES, type RunModeName } from './status.js';

export const DEFAULT_TIMEOUT_SECONDS = 7_200;
export const MAX_TIMEOUT_SECONDS = 86_400;
export const MAX_INPUTS_BYTES = 2 * 1024 * 1024;

const absent = (v: unknown): boolean => v === undefined || v === null || v === '';

/** A number given as a number or a numeric string; undefined when absent. */
export function numberOf(value: unknown, target: string): number | undefined {
  if (absent(value)) return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
  if (!Number.isFinite(n)) throw new DesktopError('InvalidRequest', `'${target}' must be a number.`, target);
  return n;
}

export function runModeOf(value: unknown, target = 'runMode'): RunModeName {
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower in RUN_MODES) return lower as RunModeName;
  }
  throw new DesktopError('InvalidRequest', `'${target}' must be 'attended' or 'unattended'.`, target);
}

/** `normal` (default), `high`, or a number 0–1000; higher runs first. */
export function priorityOf(value: unknown, target = 'runPriority'): number {
  if (absent(value)) return PRIORITIES.normal!;
  if (typeof value === 'string' && value.trim().toLowerCase() in PRIORITIES) {
    return PRIORITIES[value.trim().toLowerCase()]!;
  }
  const n = numberOf(value, target);
  if (n === undefined || !Number.isInteger(n) || n < 0 || n > MAX_PRIORITY) {
    throw new DesktopError(
      'InvalidRequest',
      `'${target}' must be normal, high or a whole number 0 to ${MAX_PRIORITY}.`,
      target,
    );
  }
  return n;
}

export function timeoutOf(value: unknown, target = 'timeout'): number {
  const n = numberOf(value, target);
  if (n === undefined) return DEFAULT_TIMEOUT_SECONDS;
  if (!Number.isInteger(n) || n < 1 || n > MAX_TIMEOUT_SECONDS) {
    throw new DesktopError(
      'InvalidRequest',
      `'${target}' must be whole seconds from 1 to ${MAX_TIMEOUT_SECONDS}.`,
      target,
    );
  }
  return n;
}

export function optionalString(value: unknown, target: string): string | undefined {
  if (absent(value)) return undefined;
  if (typeof value !== 'string') throw new DesktopError('InvalidRequest', `'${target}' must be a string.`, target);
  return value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Inputs as an object, or as JSON serialised in a string (the Dataverse body's form). */
export function inputsOf(value: unknown, target = 'inputs'): Record<string, unknown> {
  if (absent(value)) return {};
  let parsed = value;
  if (typeof value === 'string') {
    if (Buffer.byteLength(value) > MAX_INPUTS_BYTES) {
      throw new DesktopError('InvalidRequest', `'${target}' is larger than 2 MB.`, target);
    }
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new DesktopError('InvalidRequest', `'${target}' is not valid JSON.`, target);
    }
  }
  if (!isRecord(parsed)) throw new DesktopError('InvalidRequest', `'${target}' must be a JSON object.`, target);
  if (typeof value !== 'string' && Buffer.byteLength(JSON.stringify(parsed)) > MAX_INPUTS_BYTES) {
    throw new DesktopError('InvalidRequest', `'${target}' is larger than 2 MB.`, target);
  }
  return parsed;
}

/** Errors of `data` against a JSON schema ([] = valid); a schema that does not compile checks nothing. */
export function schemaErrors(schema: unknown, data: unknown): string[] {
  if (!isRecord(schema) || Object.keys(schema).length === 0) return [];
  try {
    return validateSchema(schema, data);
  } catch {
    return [];
  }
}

/** The inputs with the schema's defaults filled in, or InvalidInputs. */
export function checkedInputs(
  schema: Record<string, unknown>,
  inputs: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...inputs };
  const properties = isRecord(schema.properties) ? schema.properties : {};
  for (const [name, property] of Object.entries(properties)) {
    if (out[name] === undefined && isRecord(property) && property.default !== undefined) out[name] = property.default;
  }
  const errors = schemaErrors(schema, out);
  if (errors.length) {
    throw new DesktopError(
      'InvalidInputs',
      `The inputs do not match the desktop flow's input schema: ${errors.join('; ')}`,
      'inputs',
    );
  }
  return out;
}

/** A JSON Schema for the inputs or outputs of a desktop flow: an object schema (absent = no fields). */
export function ioSchemaOf(value: unknown, target: string): Record<string, unknown> {
  if (absent(value)) return { type: 'object', properties: {} };
  if (!isRecord(value) || (value.type !== undefined && value.type !== 'object')) {
    throw new DesktopError('InvalidRequest', `'${target}' must be a JSON Schema of type 'object'.`, target);
  }
  const schema = { type: 'object', ...value };
  try {
    validateSchema(schema, {});
  } catch (error) {
    throw new DesktopError('InvalidRequest', `'${target}' is not a valid JSON Schema: ${String(error)}`, target);
  }
  return schema;
}

/** An http(s) URL or nothing (plain http and private addresses are allowed: self-hosted callers live there). */
export function callbackUrlOf(value: unknown, target = 'callbackUrl'): string | null {
  const text = optionalString(value, target);
  if (text === undefined) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DesktopError('InvalidRequest', `'${target}' must be an absolute http(s) URL.`, target);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DesktopError('InvalidRequest', `'${target}' must be an absolute http(s) URL.`, target);
  }
  return url.toString();
}
