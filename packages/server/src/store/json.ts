// JSON in and out of the store, and the out-of-line rule for large payloads: a value whose JSON
// is over the threshold (256 KiB) goes to the payloads table and its row keeps only a reference,
// so the hot run tables stay small and their pages stay in cache.
import { randomUUID } from 'node:crypto';
import { packJson, unpackJson, type DeferredPack } from './compact-json.js';
import { StoreError } from './errors.js';

/** A JSON value as the store holds it (anything JSON.stringify accepts). */
export type Json = unknown;

export const DEFAULT_PAYLOAD_THRESHOLD = 256 * 1024;

/** JSON text of a value; undefined becomes null. Fails as InvalidArgument (BigInt, cycles). */
export function toJson(value: unknown, what: string): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (e) {
    throw new StoreError('InvalidArgument', `${what} is not JSON-serializable: ${(e as Error).message}`, {
      target: what,
      cause: e,
    });
  }
}

export function toJsonOrNull(value: unknown, what: string): string | null {
  return value === undefined || value === null ? null : toJson(value, what);
}

/** A stored JSON value: text, or (SQLite) the compressed form compact-json.ts wrote. */
export function fromJson(text: unknown): unknown {
  if (text === null || text === undefined) return null;
  return JSON.parse(text instanceof Uint8Array ? unpackJson(text) : (text as string));
}

/** A JSON value ready to write: inline text, or a reference to a payload row written alongside. */
export interface Blob {
  /**
   * JSON text, its compressed form, or text to compress when it is written (compact-json.ts,
   * stored(); the compressed forms on SQLite only).
   */
  inline: string | Buffer | DeferredPack | null;
  ref: string | null;
  payload: PayloadRow | null;
}
export interface PayloadRow {
  id: string;
  runId: string;
  data: string;
  size: number;
}

/** `compress`: small enough values may be stored compressed (SQLite; compact-json.ts). */
export function toBlob(value: unknown, runId: string, what: string, threshold: number, compress = false): Blob {
  return textBlob(toJson(value, what), runId, threshold, compress);
}

/** toBlob of a value whose JSON text the caller has made. */
export function textBlob(text: string, runId: string, threshold: number, compress = false): Blob {
  if (text.length <= threshold / 3 || Buffer.byteLength(text) <= threshold) {
    return { inline: packJson(text, compress), ref: null, payload: null };
  }
  const id = randomUUID();
  return { inline: null, ref: id, payload: { id, runId, data: text, size: Buffer.byteLength(text) } };
}
