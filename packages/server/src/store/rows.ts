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

/** Rows per multi-row statement: keeps parameters well under both databases' limits. */
const MAX_PARAMS = 8000;

/** Inserts `rows` of `width` values each as a few multi-row statements: `${head} VALUES (...), (...) ${tail}`. */
export async function insertMany(c: Conn, head: string, width: number, rows: unknown[][], tail = ''): Promise<void> {
  const per = Math.max(1, Math.floor(MAX_PARAMS / width));
  const tuple = `(${new Array(width).fill('?').join(', ')})`;
  for (let i = 0; i < rows.length; i += per) {
    const count = Math.min(per, rows.length - i);
    const params: unknown[] = [];
    for (let r = i; r < i + count; r++) for (const v of rows[r] as unknown[]) params.push(v);
    await c.run(`${head} VALUES ${new Array(count).fill(tuple).join(', ')} ${tail}`, params);
  }
}
