// What a better-sqlite3 error means for the store's callers: SQLite's result codes as StoreError codes.
import { StoreError } from './errors.js';
import type { StoreErrorCode } from './errors.js';

function codeOf(e: unknown): StoreErrorCode {
  const code = e !== null && typeof e === 'object' ? (e as { code?: unknown }).code : undefined;
  if (typeof code !== 'string') {
    if (e instanceof TypeError && /not open/.test(e.message)) return 'Closed';
    if (e instanceof RangeError || e instanceof TypeError) return 'InvalidArgument';
    return 'Internal';
  }
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return 'Conflict';
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'NotFound';
  if (code.startsWith('SQLITE_CONSTRAINT')) return 'InvalidArgument';
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) return 'StoreCorrupt';
  if (/^SQLITE_(CANTOPEN|READONLY|IOERR|FULL|BUSY|LOCKED|PERM|NOLFS|PROTOCOL)/.test(code)) return 'StoreUnavailable';
  return 'Internal';
}

export function sqliteError(e: unknown, place: string): StoreError {
  if (e instanceof StoreError) return e;
  const code = codeOf(e);
  const message = e instanceof Error ? e.message : String(e);
  const what =
    code === 'StoreCorrupt'
      ? `${place} is not a readable Flowbridge database (${message})`
      : code === 'StoreUnavailable'
        ? `${place} is unavailable: ${message}`
        : `${place}: ${message}`;
  return new StoreError(code, what, { target: place, cause: e });
}
