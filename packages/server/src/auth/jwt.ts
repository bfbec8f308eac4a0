// Access tokens for OAuth clients: JWTs signed with ES256. An asymmetric key (rather than an
// HS256 secret) means the public half can be published (JWKS) so other services can verify our
// tokens without being able to mint them, and a read of the public key alone forges nothing. The
// private key is generated at first start and kept in settings, so every process of a
// multi-process deployment (shared PostgreSQL) signs and verifies with the same key.
import {
  SignJWT,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  type CryptoKey,
  type JWK,
} from 'jose';
import type { SettingStore } from '../store/index.js';
import { isRecord } from '../util/json.js';
import { initialSetting } from '../store/initial-setting.js';

const KEY_SETTING = 'auth.jwtSigningKey';
export const ALGORITHM = 'ES256';
export const DEFAULT_ISSUER = 'flowbridge';
export const AUDIENCE = 'flowbridge-api';
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;

export interface SigningKeys {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

export interface ClientClaims {
  sub: string; // the client id
  scope?: string;
}

async function fromPrivateJwk(jwk: JWK): Promise<SigningKeys> {
  const { d: _d, ...publicJwk } = jwk;
  const kid = jwk.kid ?? (await calculateJwkThumbprint(publicJwk));
  const privateKey = (await importJWK(jwk, ALGORITHM)) as CryptoKey;
  const publicKey = (await importJWK(publicJwk, ALGORITHM)) as CryptoKey;
  return { kid, privateKey, publicKey, publicJwk: { ...publicJwk, kid, alg: ALGORITHM, use: 'sig' } };
}

/** The server's signing key: the given one, the stored one, or a new one (stored). */
export async function loadSigningKeys(store: SettingStore, given?: JWK): Promise<SigningKeys> {
  if (given) return fromPrivateJwk(given);
  // Two processes starting together may both generate one: initialSetting makes both use one.
  return fromPrivateJwk(await initialSetting(store, KEY_SETTING, isJwk, newPrivateJwk));
}

const isJwk = (value: unknown): value is JWK => isRecord(value);

async function newPrivateJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const jwk = await exportJWK(privateKey);
  jwk.kid = await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } as JWK);
  return jwk;
}

export async function signClientToken(
  keys: SigningKeys,
  claims: ClientClaims,
  options: { issuer: string; nowSeconds: number; lifetimeSeconds: number },
): Promise<string> {
  const jwt = new SignJWT(claims.scope === undefined ? {} : { scope: claims.scope })
    .setProtectedHeader({ alg: ALGORITHM, kid: keys.kid, typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(options.issuer)
    .setAudience(AUDIENCE)
    .setIssuedAt(options.nowSeconds)
    .setNotBefore(options.nowSeconds)
    .setExpirationTime(options.nowSeconds + options.lifetimeSeconds);
  return jwt.sign(keys.privateKey);
}

/** The client id of a valid token (signature, issuer, audience, lifetime), or null. */
export async function verifyClientToken(
  keys: SigningKeys,
  token: string,
  options: { issuer: string; nowSeconds: number },
): Promise<string | null> {
  try {
    const { payload } = await jwtVerify(token, keys.publicKey, {
      algorithms: [ALGORITHM],
      issuer: options.issuer,
      audience: AUDIENCE,
      currentDate: new Date(options.nowSeconds * 1000),
      clockTolerance: 30, // seconds: clocks of several processes drift a little
    });
    return typeof payload.sub === 'string' ? payload.sub : null;
  } catch {
    return null;
  }
}

/** Whether a bearer token looks like a JWT (three base64url parts), so other lookups can be skipped. */
export function looksLikeJwt(token: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);
}
