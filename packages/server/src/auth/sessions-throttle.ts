// Slowing down password guessing: per email (known or not, so the answer does not tell which
// exist), five failed sign-ins within 15 minutes lock that email for 30 s, and each further failure
// doubles the lock, up to 15 minutes. A locked attempt is refused with 429 and Retry-After before
// the password is looked at, and is not itself counted. A successful sign-in clears the count.
import type { SessionsRole } from '../store/index.js';

export const SIGN_IN_WINDOW_MS = 15 * 60 * 1000;
export const FREE_FAILURES = 5;
const FIRST_LOCK_MS = 30_000;
const LONGEST_LOCK_MS = 15 * 60 * 1000;

/** How long this email must wait before its next attempt, in ms (0: it may try now). */
export async function signInWait(store: SessionsRole, email: string, now: number): Promise<number> {
  const { count, lastAt } = await store.sessions.signInFailures(email, now - SIGN_IN_WINDOW_MS);
  if (count < FREE_FAILURES || lastAt === null) return 0;
  const lock = Math.min(LONGEST_LOCK_MS, FIRST_LOCK_MS * 2 ** (count - FREE_FAILURES));
  return Math.max(0, lastAt + lock - now);
}

export async function noteSignInFailure(store: SessionsRole, email: string, now: number): Promise<void> {
  await store.sessions.recordSignInFailure(email, now, now - SIGN_IN_WINDOW_MS);
}

export async function clearSignInFailures(store: SessionsRole, email: string): Promise<void> {
  await store.sessions.clearSignInFailures(email);
}
