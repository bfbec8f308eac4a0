/**
 * The master key that encrypts secrets at rest (connection credentials, OAuth tokens).
 *
 * `FLOWBRIDGE_SECRET_KEY` wins: 32 bytes written as 64 hex digits or as base64 / base64url;
 * anything else is a passphrase, stretched with scrypt under a fixed, versioned salt (so the same
 * passphrase gives the same key on every node of a cluster). Without it the key lives in the
 * data folder as `secret.key` (base64, mode 0600), created at first use. Creation is atomic: the
 * key is written to a private temporary file and hard-linked to its name, which fails when the
 * name exists, so two processes starting together end up with the same key and nobody ever
 * reads a half-written file. An existing file that does not hold a key is an error, never
 * overwritten: that would orphan every secret encrypted with it.
 */
import { randomBytes, scryptSync } from 'node:crypto';
import { chmod, link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { secretError, type SecretResult } from './errors.js';

export const KEY_BYTES = 32;
export const KEY_FILE = 'secret.key';
/** Changing it changes every passphrase-derived key: it is part of the format (`fb1`). */
const PASSPHRASE_SALT = 'flowbridge/secret-key/v1';

export type KeySource = 'env-key' | 'env-passphrase' | 'file' | 'created';

export interface MasterKey {
  key: Buffer;
  source: KeySource;
}

/** FLOWBRIDGE_SECRET_KEY's text → the 32-byte key. */
export function parseMasterKey(text: string): SecretResult<MasterKey> {
  const trimmed = text.trim();
  if (trimmed === '') return secretError('InvalidSecretKey', 'FLOWBRIDGE_SECRET_KEY is empty.');
  const raw = decodeKeyText(trimmed);
  if (raw) return { ok: true, value: { key: raw, source: 'env-key' } };
  const key = scryptSync(trimmed.normalize('NFC'), PASSPHRASE_SALT, KEY_BYTES, {
    N: 1 << 15,
    r: 8,
    p: 1,
    maxmem: 64 * 1024 * 1024,
  });
  return { ok: true, value: { key, source: 'env-passphrase' } };
}

/** 64 hex digits, or base64 / base64url (padded or not) of exactly 32 bytes; else undefined. */
function decodeKeyText(text: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(text)) return undefined;
  const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length === KEY_BYTES ? bytes : undefined;
}

/** The key from the environment, else from (or newly into) `<dataDir>/secret.key`. */
export async function loadMasterKey(options: {
  env: Record<string, string | undefined>;
  dataDir: string;
}): Promise<SecretResult<MasterKey>> {
  const given = options.env.FLOWBRIDGE_SECRET_KEY;
  if (given !== undefined) return parseMasterKey(given);
  const path = join(options.dataDir, KEY_FILE);
  const existing = await readKeyFile(path);
  if (existing !== 'absent') return existing;
  try {
    await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
    const temp = join(options.dataDir, `.${KEY_FILE}.${process.pid}.${randomBytes(6).toString('hex')}`);
    await writeFile(temp, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(temp, 0o600); // whatever the umask says
    try {
      await link(temp, path);
      const created = await readKeyFile(path);
      return created === 'absent'
        ? secretError('SecretKeyUnavailable', `${path} vanished.`)
        : created.ok
          ? { ok: true, value: { ...created.value, source: 'created' } }
          : created;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // Another process was first: its key is the key.
      const theirs = await readKeyFile(path);
      return theirs === 'absent' ? secretError('SecretKeyUnavailable', `${path} vanished.`) : theirs;
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  } catch (e) {
    return secretError('SecretKeyUnavailable', `Cannot create ${path}: ${(e as Error).message}`);
  }
}

async function readKeyFile(path: string): Promise<SecretResult<MasterKey> | 'absent'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    return secretError('SecretKeyUnavailable', `Cannot read ${path}: ${(e as Error).message}`);
  }
  const key = decodeKeyText(text.trim());
  if (!key) return secretError('InvalidSecretKey', `${path} does not hold a ${KEY_BYTES}-byte key (base64 or hex).`);
  return { ok: true, value: { key, source: 'file' } };
}
