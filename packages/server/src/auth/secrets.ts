// Secrets the server hands out (tokens, client secrets) and how it keeps them. They carry 256 bits
// of randomness, so a plain SHA-256 is enough to store them: nobody can brute-force the preimage,
// and a deterministic hash lets the store find a token by its hash in one indexed lookup (a salted
// scrypt would need the token's id first). Passwords never pass through here.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefixes make a leaked secret recognisable (secret scanners, logs) and say what it is. */
export type SecretKind = 'fbp' | 'fbs' | 'fbc'; // personal access token, setup token, client secret

export function newSecret(kind: SecretKind): string {
  return `${kind}_${randomBytes(32).toString('base64url')}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of two strings of any length (both are hashed to equal lengths first). */
export function secretsEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

/** Constant-time comparison of a presented secret against a stored hex hash. */
export function matchesHash(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
