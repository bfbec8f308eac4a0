/** JSON Schema checks for trigger bodies and manual-trigger inputs (the engine's ajv validator). */
import { validateSchema } from '@flowbridge/engine';

/** Error messages ([] = valid). A schema that cannot compile validates nothing (it only describes). */
export function schemaErrors(schema: unknown, data: unknown): string[] {
  if (typeof schema !== 'object' || schema === null || Object.keys(schema).length === 0) return [];
  try {
    return validateSchema(schema, data);
  } catch {
    return [];
  }
}
