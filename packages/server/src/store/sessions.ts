// What signing in needs from the store: each user's password hash, the sessions of signed-in
// browsers (kept by the SHA-256 of their id, so a database read leaks no usable cookie), and the
// recent failed sign-ins per email that slow down password guessing (kept here, not in memory, so
// every API process of a PostgreSQL deployment counts the same failures). Plain functions over the
// driver; SqlStore exposes them as `store.sessions`.
import type { Driver, Row } from './driver.js';

export interface SessionRecord {
  /** SHA-256 (hex) of the session id the cookie carries. */
  idHash: string;
  userId: string;
  /** Sent back by the browser in x-csrf-token on every state-changing call. */
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
  /** When the expiry last moved (it slides forward as the session is used). */
  lastSeenAt: number;
}

export interface SignInFailures {
  count: number;
  /** The newest failure's time; null when there is none. */
  lastAt: number | null;
}

export interface SessionStore {
  getPasswordHash(userId: string): Promise<string | undefined>;
  /** Sets (or with null removes) the user's password hash. */
  setPasswordHash(userId: string, hash: string | null, at: number): Promise<void>;
  /** Stores a new session and drops the expired ones (of anyone) while at it. */
  createSession(session: SessionRecord): Promise<void>;
  getSession(idHash: string): Promise<SessionRecord | undefined>;
  extendSession(idHash: string, expiresAt: number, at: number): Promise<void>;
  deleteSession(idHash: string): Promise<boolean>;
  /** Signs the user out everywhere, except the one session given (the one changing the password). */
  deleteUserSessions(userId: string, exceptIdHash?: string): Promise<number>;
  /** Records a failed sign-in; failures older than `forgetBefore` (of any email) are forgotten. */
  recordSignInFailure(email: string, at: number, forgetBefore: number): Promise<void>;
  signInFailures(email: string, since: number): Promise<SignInFailures>;
  clearSignInFailures(email: string): Promise<void>;
}

const n = (v: unknown): number => Number(v);

function toSession(r: Row): SessionRecord {
  return {
    idHash: String(r.id_hash),
    userId: String(r.user_id),
    csrfToken: String(r.csrf_token),
    createdAt: n(r.created_at),
    expiresAt: n(r.expires_at),
    lastSeenAt: n(r.last_seen_at),
  };
}

export async function getPasswordHash(driver: Driver, userId: string): Promise<string | undefined> {
  const [r] = await driver.all('SELECT hash FROM user_passwords WHERE user_id = ?', [userId]);
  return r ? String(r.hash) : undefined;
}

export async function setPasswordHash(driver: Driver, userId: string, hash: string | null, at: number): Promise<void> {
  if (hash === null) {
    await driver.run('DELETE FROM user_passwords WHERE user_id = ?', [userId]);
    return;
  }
  await driver.run(
    `INSERT INTO user_passwords (user_id, hash, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at`,
    [userId, hash, at],
  );
}

export async function createSession(driver: Driver, s: SessionRecord): Promise<void> {
  await driver.transaction(async (c) => {
    await c.run('DELETE FROM sessions WHERE expires_at <= ?', [s.createdAt]);
    await c.run(
      `INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, last_seen_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
      [s.idHash, s.userId, s.csrfToken, s.createdAt, s.expiresAt, s.lastSeenAt],
    );
  });
}

export async function getSession(driver: Driver, idHash: string): Promise<SessionRecord | undefined> {
  const [r] = await driver.all('SELECT * FROM sessions WHERE id_hash = ?', [idHash]);
  return r && toSession(r);
}

export async function extendSession(driver: Driver, idHash: string, expiresAt: number, at: number): Promise<void> {
  await driver.run('UPDATE sessions SET expires_at = ?, last_seen_at = ? WHERE id_hash = ?', [expiresAt, at, idHash]);
}

export async function deleteSession(driver: Driver, idHash: string): Promise<boolean> {
  return (await driver.run('DELETE FROM sessions WHERE id_hash = ?', [idHash])) > 0;
}

export async function deleteUserSessions(driver: Driver, userId: string, exceptIdHash?: string): Promise<number> {
  return exceptIdHash === undefined
    ? driver.run('DELETE FROM sessions WHERE user_id = ?', [userId])
    : driver.run('DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?', [userId, exceptIdHash]);
}

export async function recordSignInFailure(
  driver: Driver,
  email: string,
  at: number,
  forgetBefore: number,
): Promise<void> {
  await driver.transaction(async (c) => {
    await c.run('DELETE FROM sign_in_failures WHERE at < ?', [forgetBefore]);
    await c.run('INSERT INTO sign_in_failures (email, at) VALUES (?, ?)', [email, at]);
  });
}

export async function signInFailures(driver: Driver, email: string, since: number): Promise<SignInFailures> {
  const [r] = await driver.all(
    'SELECT COUNT(*) AS count, MAX(at) AS last_at FROM sign_in_failures WHERE email = ? AND at >= ?',
    [email, since],
  );
  const lastAt = r?.last_at;
  return { count: n(r?.count ?? 0), lastAt: lastAt === null || lastAt === undefined ? null : n(lastAt) };
}

export async function clearSignInFailures(driver: Driver, email: string): Promise<void> {
  await driver.run('DELETE FROM sign_in_failures WHERE email = ?', [email]);
}

/** The functions above bound to one driver: what SqlStore exposes as `store.sessions`. */
export function sessionStore(driver: Driver): SessionStore {
  return {
    getPasswordHash: (userId) => getPasswordHash(driver, userId),
    setPasswordHash: (userId, hash, at) => setPasswordHash(driver, userId, hash, at),
    createSession: (s) => createSession(driver, s),
    getSession: (idHash) => getSession(driver, idHash),
    extendSession: (idHash, expiresAt, at) => extendSession(driver, idHash, expiresAt, at),
    deleteSession: (idHash) => deleteSession(driver, idHash),
    deleteUserSessions: (userId, except) => deleteUserSessions(driver, userId, except),
    recordSignInFailure: (email, at, forgetBefore) => recordSignInFailure(driver, email, at, forgetBefore),
    signInFailures: (email, since) => signInFailures(driver, email, since),
    clearSignInFailures: (email) => clearSignInFailures(driver, email),
  };
}
