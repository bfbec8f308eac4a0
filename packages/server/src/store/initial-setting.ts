/**
 * Settings a process creates on first start and every later process reuses: the callback URL
 * secret, the approvals link secret, the token signing key. Several processes may start at once
 * on one PostgreSQL database; each must end up with the same value.
 */
import { randomBytes } from 'node:crypto';
import type { SettingStore } from './setting-types.js';

/**
 * The stored value of `key` when `accept` takes it; otherwise a new one from `create`, inserted
 * only if no other process stored one first (the store's insert-if-absent), so every process
 * starting at once ends up with the same value. A stored value that `accept` refuses (an old,
 * too short secret) is replaced.
 */
export async function initialSetting<T>(
  store: Pick<SettingStore, 'getSetting' | 'setSetting' | 'initSetting'>,
  key: string,
  accept: (stored: unknown) => stored is T,
  create: () => T | Promise<T>,
): Promise<T> {
  const existing = await store.getSetting(key);
  if (accept(existing)) return existing;
  const value = await create();
  if (existing === undefined) {
    const stored = await store.initSetting(key, value);
    if (accept(stored)) return stored;
  }
  await store.setSetting(key, value);
  return value;
}

/** Shorter stored values are not taken as secrets (a new one replaces them). */
const MIN_SECRET_LENGTH = 16;

const isSecret = (value: unknown): value is string => typeof value === 'string' && value.length >= MIN_SECRET_LENGTH;

/** A random secret (256 bits, base64url) kept in settings under `key`: read, or created once. */
export function secretSetting(
  store: Pick<SettingStore, 'getSetting' | 'setSetting' | 'initSetting'>,
  key: string,
): Promise<string> {
  return initialSetting(store, key, isSecret, () => randomBytes(32).toString('base64url'));
}
