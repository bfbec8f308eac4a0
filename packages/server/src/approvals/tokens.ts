/**
 * One-click response links carry a token signed with the server's link secret (HMAC-SHA256),
 * bound to the approval, the assignee and the option, with an expiry. The token is single-use
 * because an assignee answers an approval once: after its use the log already holds their
 * response, which the respond path checks (see service.ts), so no token table is needed.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface LinkClaims {
  approvalId: string;
  assignee: string; // lower-case email
  option: string;
  expiresAt: number; // epoch ms
  nonce: string;
}

export type TokenCheck =
  { ok: true; claims: LinkClaims } | { ok: false; reason: 'Malformed' | 'BadSignature' | 'Expired' };

function sign(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`approval-link.${payload}`).digest();
}

export function createLinkToken(secret: string, claims: Omit<LinkClaims, 'nonce'> & { nonce?: string }): string {
  const body = {
    a: claims.approvalId,
    e: claims.assignee.toLowerCase(),
    o: claims.option,
    x: claims.expiresAt,
    n: claims.nonce ?? randomBytes(9).toString('base64url'),
  };
  const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${payload}.${sign(secret, payload).toString('base64url')}`;
}

export function verifyLinkToken(secret: string, token: string, now: number): TokenCheck {
  const [payload, signature, extra] = token.split('.');
  if (payload === undefined || signature === undefined || extra !== undefined || payload === '') {
    return { ok: false, reason: 'Malformed' };
  }
  const expected = sign(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'BadSignature' };
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'Malformed' };
  }
  const b = body as Record<string, unknown>;
  if (
    typeof b.a !== 'string' ||
    typeof b.e !== 'string' ||
    typeof b.o !== 'string' ||
    typeof b.x !== 'number' ||
    typeof b.n !== 'string'
  ) {
    return { ok: false, reason: 'Malformed' };
  }
  if (now >= b.x) return { ok: false, reason: 'Expired' };
  return { ok: true, claims: { approvalId: b.a, assignee: b.e, option: b.o, expiresAt: b.x, nonce: b.n } };
}
