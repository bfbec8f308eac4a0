// The embedded database's file, opened for SqliteDriver: the data directory created private when
// missing, the connection set up (WAL, its checkpoints and size, busy timeout, foreign keys), and
// the database's files readable by their owner only.
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import Database from 'better-sqlite3';
import { AUTOCHECKPOINT_PAGES } from './checkpoint-schedule.js';
import { StoreError } from './errors.js';
import { sqliteError } from './sqlite-errors.js';

/**
 * The database and its WAL and shared-memory files readable by their owner only (0600), also when
 * an older version created them under a looser umask. SQLite gives a new -wal or -shm the mode of
 * the database file, so the files it creates later stay private too.
 */
function privateFiles(file: string): void {
  if (file === '' || file === ':memory:') return;
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
}

/**
 * Opens (creating when missing) `file`, after creating `dir`, the data directory, when given.
 * `catchUpPages`: the WAL's size after a load peak (pages); `journalSizeLimit` is it in bytes.
 */
export function openDatabaseFile(
  file: string,
  place: string,
  dir: string | undefined,
  catchUpPages: number,
): { db: Database.Database; journalSizeLimit: number } {
  if (dir !== undefined) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 }); // what it holds is secret (runs, keys)
    } catch (e) {
      throw new StoreError('StoreUnavailable', `cannot create the data directory ${dir}: ${(e as Error).message}`, {
        target: dir,
        cause: e,
      });
    }
  }
  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (e) {
    throw sqliteError(e, place);
  }
  try {
    // The first read of the file: a file that is not a database fails here with SQLITE_NOTADB.
    db.pragma('journal_mode = WAL');
    privateFiles(file);
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    // After a load peak the WAL file shrinks back to this size when it starts over.
    const pageSize = Number(db.pragma('page_size', { simple: true }));
    const journalSizeLimit = catchUpPages * pageSize;
    db.pragma(`journal_size_limit = ${journalSizeLimit}`);
    return { db, journalSizeLimit };
  } catch (e) {
    db.close();
    throw sqliteError(e, place);
  }
}
