/**
 * JSON values sealed with AES-256-GCM under the master key, as text safe for any column:
 *
 *   fb1:<base64url( keyId[4] | iv[12] | tag[16] | ciphertext )>
 *
 * `fb1` versions the format (a later one can add key rotation or another cipher). keyId is the
 * first 4 bytes of SHA-256 over the key, so a value written under another key (the environment
 * variable changed) is told apart from a tampered one. A `context` (a connection's id, say) is
 * authenticated with the value: a ciphertext copied into another row does not open there. The
 * IV is random per value (96 bits: no reuse in practice for the values one server writes).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { secretError, type SecretResult } from './errors.js';
import { KEY_BYTES } from './key.js';

export const ENVELOPE_PREFIX = 'fb1:';
const KEY_ID = 4;
const IV = 12;
const TAG = 16;

export function keyIdOf(key: Buffer): Buffer {
  return createHash('sha256').update(key).digest().subarray(0, KEY_ID);
}

export function isSealed(text: unknown): text is string {
  return typeof text === 'string' && /^fb\d+:/.test(text);
}

function additionalData(keyId: Buffer, context: string): Buffer {
  return Buffer.concat([Buffer.from(ENVELOPE_PREFIX, 'ascii'), keyId, Buffer.from(context, 'utf8')]);
}

/** Seals a JSON value. A value JSON cannot carry (undefined, a function) is a programming error. */
export function seal(key: Buffer, value: unknown, context = ''): string {
  if (key.length !== KEY_BYTES) throw new RangeError(`The master key must be ${KEY_BYTES} bytes.`);
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('Only JSON values can be sealed.');
  const keyId = keyIdOf(key);
  const iv = randomBytes(IV);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(additionalData(keyId, context));
  const ciphertext = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]);
  return ENVELOPE_PREFIX + Buffer.concat([keyId, iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
}

/** Opens what `seal` wrote with the same key and context; anything else is a coded error. */
export function open(key: Buffer, text: string, context = ''): SecretResult<unknown> {
  const version = /^(fb\d+):/.exec(text)?.[1];
  if (version === undefined) return secretError('MalformedSecret', 'Not a sealed value (no fb<version>: prefix).');
  if (`${version}:` !== ENVELOPE_PREFIX)
    return secretError('UnsupportedSecretVersion', `Sealed values of format '${version}' are not supported.`);
  const body = text.slice(ENVELOPE_PREFIX.length);
  if (!/^[A-Za-z0-9_-]*$/.test(body)) return secretError('MalformedSecret', 'The sealed value is not base64url.');
  const bytes = Buffer.from(body, 'base64url');
  if (bytes.length < KEY_ID + IV + TAG) return secretError('MalformedSecret', 'The sealed value is truncated.');
  const keyId = bytes.subarray(0, KEY_ID);
  if (!keyId.equals(keyIdOf(key)))
    return secretError(
      'SecretKeyMismatch',
      'The value was sealed with another master key (did FLOWBRIDGE_SECRET_KEY or secret.key change?).',
    );
  const iv = bytes.subarray(KEY_ID, KEY_ID + IV);
  const tag = bytes.subarray(KEY_ID + IV, KEY_ID + IV + TAG);
  const ciphertext = bytes.subarray(KEY_ID + IV + TAG);
  let json: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(additionalData(keyId, context));
    decipher.setAuthTag(tag);
    json = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    return secretError(
      'SecretTampered',
      'The sealed value does not authenticate: it was changed, or belongs to another context.',
    );
  }
  try {
    return { ok: true, value: JSON.parse(json) };
  } catch {
    // Authenticated but not JSON: only a writer other than `seal` with our key could do that.
    return secretError('MalformedSecret', 'The sealed value does not hold JSON.');
  }
}
