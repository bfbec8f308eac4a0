// Store errors are data: a code from a closed union plus a message that names the place
// (file, directory, database) so an operator can act on it without reading a stack trace.

export type StoreErrorCode =
  | 'StoreUnavailable' // cannot reach or open the database (connection lost, directory not creatable, disk full)
  | 'StoreCorrupt' // the database exists but is not a readable Flowbridge database
  | 'IncompatibleSchema' // the database was migrated by a newer Flowbridge than this one
  | 'Conflict' // a unique key or an optimistic version check failed
  | 'NotFound' // the run / flow / approval a write refers to does not exist
  | 'InvalidArgument' // the caller passed something the store cannot hold
  | 'Closed' // the store was closed
  | 'Internal'; // an unexpected database error (a bug: the message carries the database's words)

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  readonly target: string | undefined;
  constructor(code: StoreErrorCode, message: string, options?: { target?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StoreError';
    this.code = code;
    this.target = options?.target;
  }
  toJSON(): { code: StoreErrorCode; message: string; target?: string } {
    return this.target === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, target: this.target };
  }
}

export function isStoreError(e: unknown, code?: StoreErrorCode): e is StoreError {
  return e instanceof StoreError && (code === undefined || e.code === code);
}
