/**
 * One `flowbridge start` per embedded data folder. Two servers on one SQLite store would both
 * resume the same live runs and send their HTTP calls twice, so the second one refuses to start.
 *
 * The lock is an OS-level one that the kernel releases when its holder dies (even by `kill -9`):
 * SQLite's own fcntl locks on a small database file, `flowbridge.lock`, held in exclusive locking
 * mode by a transaction that stays open for the process's lifetime. A pid file alone would not do:
 * a dead holder's file would lock everyone out, or be "stale" by guesswork. The pid written beside
 * it only names the holder in the refusal.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';

export const LOCK_FILE = 'flowbridge.lock';
export const PID_FILE = 'flowbridge.pid';

export interface DataLock {
  release(): void;
}

export type DataLockResult =
  { ok: true; value: DataLock } | { ok: false; error: { code: 'DataFolderInUse'; message: string; pid?: number } };

/** Thrown by `flowbridge start` (and startServer) when the lock is held: its message is one line. */
export class DataFolderInUseError extends Error {
  readonly code = 'DataFolderInUse';
}

/** Creates the data folder private to its owner (0700), takes its lock, or throws DataFolderInUseError. */
export function lockDataFolder(dataDir: string): DataLock {
  const dir = resolve(dataDir);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700); // the store, the key file and the lock inside are nobody else's
  const taken = acquireDataLock(dir);
  if (!taken.ok) throw new DataFolderInUseError(taken.error.message);
  return taken.value;
}

/** Takes the data folder's lock (the folder must exist), or says who holds it. */
export function acquireDataLock(dataDir: string): DataLockResult {
  const dir = resolve(dataDir);
  const held = tryFileLock(join(dir, LOCK_FILE));
  if (!held) {
    const pid = holderPid(dir);
    return {
      ok: false,
      error: {
        code: 'DataFolderInUse',
        message:
          `the data folder ${dir} is in use by another flowbridge process` +
          `${pid !== undefined ? ` (pid ${pid})` : ''}; stop it or use another --data-dir`,
        ...(pid !== undefined ? { pid } : {}),
      },
    };
  }
  writeFileSync(join(dir, PID_FILE), `${process.pid}\n`, { mode: 0o600 });
  return { ok: true, value: held };
}

/**
 * Takes the kernel-held lock on `file` (a small SQLite database, created 0600 when missing), or
 * answers undefined at once when another process holds it. Also the cluster leadership of the
 * processes of `flowbridge start --workers` on one embedded store (sqlite-driver.ts).
 */
export function tryFileLock(file: string): DataLock | undefined {
  // timeout 0: a held lock is an answer, not something to wait for.
  const db = new Database(file, { timeout: 0 });
  try {
    chmodSync(file, 0o600);
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (e) {
    db.close();
    if ((e as { code?: unknown }).code !== 'SQLITE_BUSY') throw e;
    return undefined;
  }
  let held = true;
  return {
    release: () => {
      if (!held) return;
      held = false;
      db.close(); // ends the transaction and the lock
    },
  };
}

function holderPid(dir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dir, PID_FILE), 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
