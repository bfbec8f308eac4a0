/**
 * Facts about JSON values the server checks everywhere (request bodies, stored documents, action
 * inputs): defined once here.
 */

/** A JSON object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
