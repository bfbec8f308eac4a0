/**
 * Signatures of the URLs the host hands out. Trigger URLs follow spec §4.1 [ours]:
 * sig = base64url(HMAC-SHA256(flow access key, "<sp>\n<sv>\n<flowId>\n<triggerName>")), compared in
 * constant time. Callback URLs (webhook/approval resumption) carry an HMAC of the run id under the
 * host's own secret, so only someone given the URL can resume the run.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_VERSION = '1.0';
export const TRIGGER_API_VERSION = '2016-06-01';

export function triggerPermission(triggerName: string): string {
  return `/triggers/${triggerName}/run`;
}

export function signTrigger(accessKey: string, flowId: string, triggerName: string, sp: string, sv: string): string {
  return createHmac('sha256', accessKey).update(`${sp}\n${sv}\n${flowId}\n${triggerName}`).digest('base64url');
}

/** Whether `sig` is the signature of (sp, sv) for this flow and trigger; sp must grant this trigger. */
export function verifyTrigger(
  accessKey: string,
  flowId: string,
  triggerName: string,
  query: { sp?: unknown; sv?: unknown; sig?: unknown },
): boolean {
  const { sp, sv, sig } = query;
  if (typeof sp !== 'string' || typeof sv !== 'string' || typeof sig !== 'string') return false;
  if (sv !== SIGNATURE_VERSION) return false;
  if (sp !== triggerPermission(triggerName) && sp !== '/triggers/*/run') return false;
  return safeEqual(sig, expectedSignature(accessKey, flowId, triggerName, sp, sv));
}

/**
 * Expected trigger signatures, computed once per (key, flow, trigger, sp, sv): every call to a
 * trigger URL checks one, and an HMAC costs more than the lookup. A new access key is a new entry.
 */
const expected = new Map<string, string>();
function expectedSignature(accessKey: string, flowId: string, triggerName: string, sp: string, sv: string): string {
  const key = `${accessKey}\n${flowId}\n${triggerName}\n${sp}\n${sv}`;
  let sig = expected.get(key);
  if (sig === undefined) {
    sig = signTrigger(accessKey, flowId, triggerName, sp, sv);
    if (expected.size >= 10_000) expected.clear();
    expected.set(key, sig);
  }
  return sig;
}

export function signRunCallback(secret: string, runId: string): string {
  return createHmac('sha256', secret).update(`callback\n${runId}`).digest('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function newAccessKey(): string {
  return randomBytes(32).toString('base64url');
}
