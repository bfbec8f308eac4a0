/**
 * The one signature of Flowbridge's callbacks to other systems (a linked approval's host, a desktop
 * flow's completion): `x-flowbridge-timestamp: <epoch ms>` and
 * `x-flowbridge-signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`. The receiver
 * checks it with @flowbridge/sdk's verifySignature (the same scheme, kept in step by a shared test
 * vector in both packages' tests).
 */
import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-flowbridge-signature';
export const TIMESTAMP_HEADER = 'x-flowbridge-timestamp';

/** The signature header's value for `body` sent at `timestamp` (epoch ms). */
export function signCallbackBody(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The timestamp and signature headers of a callback POST. */
export function callbackSignatureHeaders(secret: string, timestamp: number, body: string): Record<string, string> {
  return { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: signCallbackBody(secret, timestamp, body) };
}
