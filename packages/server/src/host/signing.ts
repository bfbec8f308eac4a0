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
  if (!grants(sp, triggerName) && sp !== '/triggers/*/run') return false;
  return safeEqual(sig, expectedSignature(accessKey, flowId, triggerName, sp, sv));
}

/** Whether `sp` is triggerPermission(triggerName), compared in place (no string built per call). */
function grants(sp: string, triggerName: string): boolean {
  return (
    sp.length === triggerName.length + 14 &&
    sp.startsWith('/triggers/') &&
    sp.startsWith(triggerName, 10) &&
    sp.endsWith('/run')
  );
}

interface Expected {
  flowId: string;
  triggerName: string;
  sp: string;
  sv: string;
  sig: string;
}

/**
 * Expected trigger signatures, computed once per (key, flow, trigger, sp, sv): every call to a
 * trigger URL checks one, and an HMAC costs more than the lookup. Listed under the access key (the
 * flow's own string, whose hash V8 keeps) rather than under a key joined from all five, which
 * was built and hashed anew on each call. A new access key is a new entry.
 */
const expected = new Map<string, Expected[]>();
const KEYS_KEPT = 1000;
/** Per key: its flow's triggers, with their two permissions; more are names a caller made up. */
const SIGNATURES_PER_KEY = 16;

function expectedSignature(accessKey: string, flowId: string, triggerName: string, sp: string, sv: string): string {
  let list = expected.get(accessKey);
  if (list !== undefined) {
    for (const e of list)
      if (e.flowId === flowId && e.triggerName === triggerName && e.sp === sp && e.sv === sv) return e.sig;
  } else {
    if (expected.size >= KEYS_KEPT) expected.clear();
    list = [];
    expected.set(accessKey, list);
  }
  const sig = signTrigger(accessKey, flowId, triggerName, sp, sv);
  if (list.length >= SIGNATURES_PER_KEY) list.length = 0;
  list.push({ flowId, triggerName, sp, sv, sig });
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
