/**
 * Settings a process creates on first start and every later process reuses: the callback URL
 * secret, the approvals link secret, the token signing key. Several processes may start at once
 * on one PostgreSQL database; each must end up with the same value.
 */
import { randomBytes } from 'node:crypto';
import type { Store } from '../store/index.js';

/**
 * The stored value of `key` when `accept` takes it; otherwise a new one from `create`, stored.
 * Get-then-set: two processes creating at once both write, the last write wins, and reading it
 * back makes both use the winner. (To be replaced by the store's insert-if-absent.)
 */
export async function initialSetting<T>(
  store: Pick<Store, 'getSetting' | 'setSetting'>,
  key: string,
  accept: (stored: unknown) => stored is T,
  create: () => T | Promise<T>,
): Promise<T> {
  const existing = await store.getSetting(key);
  if (accept(existing)) return existing;
  const value = await create();
  await store.setSetting(key, value);
  const stored = await store.getSetting(key);
  return accept(stored) ? stored : value;
}

/** Shorter stored values are not taken as secrets (a new one replaces them). */
const MIN_SECRET_LENGTH = 16;

const isSecret = (value: unknown): value is string => typeof value === 'string' && value.length >= MIN_SECRET_LENGTH;

/** A random secret (256 bits, base64url) kept in settings under `key`: read, or created once. */
export function secretSetting(store: Pick<Store, 'getSetting' | 'setSetting'>, key: string): Promise<string> {
  return initialSetting(store, key, isSecret, () => randomBytes(32).toString('base64url'));
}
