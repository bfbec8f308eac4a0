/**
 * Flowbridge's signed callbacks (approvals' linked hosts, desktop-flow completions) and the host
 * kit's deliveries carry `x-flowbridge-timestamp: <epoch ms>` and
 * `x-flowbridge-signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`, the scheme of
 * the server's util/callback-signature.ts. Web Crypto (no node: import), so it runs wherever
 * fetch does; the comparison is crypto.subtle.verify's, which does not leak where bytes differ.
 */

export const SIGNATURE_HEADER = 'x-flowbridge-signature';
export const TIMESTAMP_HEADER = 'x-flowbridge-timestamp';

export type SignatureFailure =
  | 'MissingSignature'
  | 'MissingTimestamp'
  | 'MalformedSignature'
  | 'MalformedTimestamp'
  | 'TimestampOutOfRange'
  | 'SignatureMismatch';

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; code: SignatureFailure; message: string };

/** Headers as fetch gives them, or as node:http does (`req.headers`). */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

export interface VerifyOptions {
  /** How far the timestamp may be from now, either way (default 300 s). */
  toleranceSeconds?: number;
  /** Epoch ms, or a clock (default Date.now). */
  now?: number | (() => number);
}

const encoder = new TextEncoder();

const toHex = (bytes: ArrayBuffer): string =>
  [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
const fromHex = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));

async function hmacKey(secret: string, usage: 'sign' | 'verify'): ReturnType<typeof crypto.subtle.importKey> {
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [usage]);
}

function signedBytes(timestamp: number, body: string | Uint8Array): Uint8Array {
  const prefix = encoder.encode(`${timestamp}.`);
  const content = typeof body === 'string' ? encoder.encode(body) : body;
  const out = new Uint8Array(prefix.length + content.length);
  out.set(prefix, 0);
  out.set(content, prefix.length);
  return out;
}

/** The signature header's value for `body` sent at `timestamp` (epoch ms). */
export async function signBody(secret: string, timestamp: number, body: string | Uint8Array): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret, 'sign'), signedBytes(timestamp, body));
  return `sha256=${toHex(mac)}`;
}

/** Both headers of a signed request. */
export async function signatureHeaders(
  secret: string,
  body: string | Uint8Array,
  timestamp: number,
): Promise<Record<string, string>> {
  return { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: await signBody(secret, timestamp, body) };
}

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value[0] : value;
}

const failure = (code: SignatureFailure, message: string): SignatureCheck => ({ ok: false, code, message });

/**
 * Checks a signed callback: the signature over the exact bytes received (read the body as text or
 * bytes before parsing it), and a timestamp within the tolerance (a replay later fails).
 */
export async function verifySignature(
  secret: string,
  headers: HeaderSource,
  body: string | Uint8Array,
  options: VerifyOptions = {},
): Promise<SignatureCheck> {
  const signature = header(headers, SIGNATURE_HEADER)?.trim();
  if (!signature) return failure('MissingSignature', `The ${SIGNATURE_HEADER} header is missing.`);
  const stamp = header(headers, TIMESTAMP_HEADER)?.trim();
  if (!stamp) return failure('MissingTimestamp', `The ${TIMESTAMP_HEADER} header is missing.`);
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(signature);
  if (!match) return failure('MalformedSignature', `${SIGNATURE_HEADER} is not 'sha256=<64 hex digits>'.`);
  if (!/^\d{1,16}$/.test(stamp)) return failure('MalformedTimestamp', `${TIMESTAMP_HEADER} is not epoch milliseconds.`);
  const timestamp = Number(stamp);
  const now = typeof options.now === 'function' ? options.now() : (options.now ?? Date.now());
  const tolerance = (options.toleranceSeconds ?? 300) * 1000;
  if (Math.abs(now - timestamp) > tolerance)
    return failure('TimestampOutOfRange', `The timestamp is more than ${tolerance / 1000} s away from now.`);
  const given = fromHex(match[1]!);
  const valid = await crypto.subtle.verify(
    'HMAC',
    await hmacKey(secret, 'verify'),
    given,
    signedBytes(timestamp, body),
  );
  return valid ? { ok: true, timestamp } : failure('SignatureMismatch', 'The signature does not match the body.');
}
