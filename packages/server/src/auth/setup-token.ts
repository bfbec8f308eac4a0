// The one-time setup token: how the first admin gets in when no FLOWBRIDGE_ADMIN_TOKEN is set and
// no enabled admin exists yet. Only its hash is kept (in settings); the token itself is returned
// once, for `flowbridge start` to print. Every start while no admin exists prints a new one (the
// old print is then stale, which is what you want: only the newest console output works), so a
// user who lost the token, or created only non-admins with it, is never locked out.
import type { PeopleStore, SettingStore } from '../store/index.js';
import { hashSecret, matchesHash, newSecret } from './secrets.js';

const KEY = 'auth.setupTokenHash';

/** Creates a fresh setup token when none is needed otherwise; returns it, or undefined. */
export async function ensureSetupToken(
  store: PeopleStore & SettingStore,
  adminToken: string | undefined,
): Promise<string | undefined> {
  if (adminToken) {
    await store.deleteSetting(KEY); // an operator-set admin token supersedes any setup token
    return undefined;
  }
  if ((await store.listUsers()).some((u) => u.role === 'admin' && !u.disabled)) {
    await store.deleteSetting(KEY);
    return undefined;
  }
  const token = newSecret('fbs');
  await store.setSetting(KEY, hashSecret(token));
  return token;
}

export async function isSetupToken(store: SettingStore, token: string): Promise<boolean> {
  if (!token.startsWith('fbs_')) return false; // skip the settings read for every other token
  const hash = await store.getSetting(KEY);
  return typeof hash === 'string' && matchesHash(token, hash);
}

/** Whether a setup token is waiting to be used (no admin exists yet and none was configured). */
export async function setupPending(store: SettingStore): Promise<boolean> {
  return typeof (await store.getSetting(KEY)) === 'string';
}

/** Ends the setup token's life: it was used to create the first admin or a token. */
export async function consumeSetupToken(store: SettingStore): Promise<void> {
  await store.deleteSetting(KEY);
}
