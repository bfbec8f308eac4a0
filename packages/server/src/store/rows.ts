// Small helpers every aggregate's SQL uses: reading columns (BIGINT and nullable columns come back
// as numbers, strings or null depending on the driver) and writing lists of parameters.
import type { Conn } from './driver.js';

export const n = (v: unknown): number => Number(v);
export const nOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
export const sOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** `?, ?, ?` for an IN list of `count` values. */
export function placeholders(count: number): string {
  return new Array(count).fill('?').join(', ');
}

/** A page size the caller asked for, within 1..1000. */
export function pageLimit(limit: number | undefined, fallback: number): number {
  return Math.min(Math.max(limit ?? fallback, 1), 1000);
}

/** Parameters per multi-row statement: well under both databases' limits. */
export const MAX_PARAMS = 8000;

/** `${head} VALUES (?, ...), (?, ...) ${tail}`: `count` rows of `width` values. */
export function manyRowsSql(head: string, width: number, count: number, tail = ''): string {
  const tuple = `(${placeholders(width)})`;
  return `${head} VALUES ${new Array(count).fill(tuple).join(', ')} ${tail}`;
}

/** Inserts `rows` of `width` values each as a few multi-row statements (manyRowsSql). */
export async function insertMany(c: Conn, head: string, width: number, rows: unknown[][], tail = ''): Promise<void> {
  const per = Math.max(1, Math.floor(MAX_PARAMS / width));
  for (let i = 0; i < rows.length; i += per) {
    const count = Math.min(per, rows.length - i);
    const params: unknown[] = [];
    for (let r = i; r < i + count; r++) for (const v of rows[r] as unknown[]) params.push(v);
    await c.run(manyRowsSql(head, width, count, tail), params);
  }
}
