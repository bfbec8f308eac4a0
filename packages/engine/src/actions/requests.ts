// Actions that ask the host to do something (spec §6.13–6.14, §6.16, §6.22, §8): Http,
// connectors, child workflows, inline code and webhooks. One request is one `effect` command; the
// engine decides the rest: retries under the retry policy, polling a 202 + Location answer,
// limit.timeout, and for webhooks subscribe → wait for the callback → unsubscribe.
import type { Value } from '@flowbridge/expression';
import { toJson } from '../expr.js';
import type { ActionHost, Frame, Rec, Waiting } from '../run/host.js';
import { isoTime, parseDuration, readRetryPolicy, retryableStatus, retryDelay } from '../run/timing.js';
import type { RetryPolicy } from '../run/timing.js';
import type { Command, EffectResult, RetryAttempt } from '../types.js';
import type { ActionTypeInfo } from './kinds.js';
import { httpCode } from './http-codes.js';
import { isPlainObject, numeric, prop } from './values.js';

type EffectCommand = Extract<Command, { kind: 'effect' }>;

const DEFAULT_POLL_MS = 20000;

/** The requests of one action: attempts so far, what they send, and when the action gives up. */
interface Requests {
  w: Waiting;
  type: ActionTypeInfo;
  policy: RetryPolicy;
  inputs: unknown;
  attempt: number;
  polls: number;
  timeoutAt?: number;
  startedAt?: number;
  /** 'poll' once a 202 was answered: from then on every attempt (retries too) is a poll. */
  operation?: 'subscribe' | 'poll';
  /** Webhooks: the unsubscribe request, sent when the action ends. */
  unsubscribe?: unknown;
  /** Webhooks: what happens once the subscribe request succeeded. */
  onSubscribed?: () => void;
}

/**
 * The kinds of attempt: a request (or a retry, which repeats whatever was asked last), the poll
 * that follows a 202, and a webhook's subscribe. Each names its command id and idempotency key.
 */
type Phase = 'request' | 'poll' | 'subscribe';

export function beginEffect(host: ActionHost, rec: Rec, frame: Frame, type: ActionTypeInfo): void {
  const ev = host.eval('inputs', rec, frame);
  if (!ev) return;
  const policy = readRetryPolicy(type.retryPolicy ? toJson(prop(ev.value, 'retryPolicy') ?? null) : { type: 'none' });
  const inputs = stripRetry(toJson(ev.value));
  rec.inputs = inputs as Value;
  if (typeof policy === 'string') {
    host.settle(rec, frame, 'Failed', { error: { code: 'InvalidInput', message: policy } });
    return;
  }
  const limit = timeoutMs(host, rec, frame, type);
  if (!limit) return;
  const st: Requests = { w: host.wait(rec, frame), type, policy, inputs, attempt: 0, polls: 0 };
  startTimeout(host, st, limit.ms);
  attempt(host, st, 'request');
}

export function beginWebhook(host: ActionHost, rec: Rec, frame: Frame, type: ActionTypeInfo): void {
  const key = `${host.runId}:${rec.path}`;
  const base = host.callbackBaseUrl;
  const callbackUrl = base !== undefined ? `${base.replace(/\/$/, '')}/${encodeURIComponent(key)}` : undefined;
  const ev = host.eval('inputs', rec, frame, undefined, callbackUrl);
  if (!ev) return;
  const all = toJson(ev.value);
  rec.inputs = all as Value;
  // HttpWebhook names its two requests; a connector webhook's inputs are both.
  const split = type.effect === 'httpWebhook';
  const subscribe = split ? prop(all, 'subscribe') : all;
  const unsubscribe = split ? prop(all, 'unsubscribe') : all;
  if (split && !isPlainObject(subscribe)) {
    host.settle(rec, frame, 'Failed', {
      error: { code: 'InvalidInput', message: `${type.name} needs inputs.subscribe.` },
    });
    return;
  }
  const policy = readRetryPolicy(prop(subscribe, 'retryPolicy') ?? null);
  if (typeof policy === 'string') {
    host.settle(rec, frame, 'Failed', { error: { code: 'InvalidInput', message: policy } });
    return;
  }
  const limit = timeoutMs(host, rec, frame, type);
  if (!limit) return;
  const w = host.wait(rec, frame);
  const st: Requests = {
    w,
    type,
    policy,
    inputs: stripRetry(subscribe),
    attempt: 0,
    polls: 0,
    operation: 'subscribe',
  };
  if (unsubscribe !== undefined && unsubscribe !== null) st.unsubscribe = unsubscribe;
  startTimeout(host, st, limit.ms);
  // After a successful subscribe the action waits for the callback instead of finishing.
  st.onSubscribed = () => {
    rec.status = 'Waiting';
    host.touch(rec);
    const cmd: Command = { kind: 'awaitCallback', key, path: rec.path };
    if (callbackUrl !== undefined) cmd.callbackUrl = callbackUrl;
    host.issue(w, cmd, key, (e) => onCallback(host, st, e.kind === 'callback' ? e.payload : undefined));
  };
  attempt(host, st, 'subscribe');
}

/** limit.timeout in ms ({} when none); undefined when it is invalid and the action has failed. */
function timeoutMs(host: ActionHost, rec: Rec, frame: Frame, type: ActionTypeInfo): { ms?: number } | undefined {
  if (!type.timeout || !rec.node.compiled.has('limit')) return {};
  const ev = host.eval('limit', rec, frame);
  if (!ev) return undefined;
  const t = prop(ev.value, 'timeout');
  if (t === undefined || t === null) return {};
  const ms = typeof t === 'string' ? parseDuration(t) : undefined;
  if (ms === undefined) {
    host.settle(rec, frame, 'Failed', {
      error: { code: 'InvalidInput', message: `limit.timeout '${String(t)}' is not an ISO 8601 duration.` },
    });
    return undefined;
  }
  return { ms };
}

function startTimeout(host: ActionHost, st: Requests, ms: number | undefined): void {
  if (ms === undefined) return;
  st.timeoutAt = host.now + ms;
  host.timer(st.w, `${host.runId}:${st.w.rec.path}#timeout`, st.timeoutAt, () => timedOut(host, st));
}

/** Sends the next attempt; its result comes back to the handler of its phase. */
function attempt(host: ActionHost, st: Requests, phase: Phase): void {
  st.attempt++;
  const rec = st.w.rec;
  const n = st.attempt;
  const cmd =
    phase === 'poll'
      ? effectCommand(host, rec, `${rec.path}#${n}#poll${st.polls}`, `${n}/poll${st.polls}`, st.inputs, n, 'poll')
      : phase === 'subscribe'
        ? effectCommand(host, rec, `${rec.path}#subscribe${n}`, `${n}`, st.inputs, n, 'subscribe')
        : effectCommand(host, rec, `${rec.path}#${n}`, `${n}`, st.inputs, n, st.operation);
  if (st.timeoutAt !== undefined) cmd.timeoutAt = st.timeoutAt;
  // A poll's retry history entry keeps the start of the request that was answered 202.
  if (phase !== 'poll') st.startedAt = host.now;
  const onResult = phase === 'subscribe' ? onSubscribeResult : onRequestResult;
  host.issue(st.w, cmd, cmd.id, (e) => {
    if (e.kind === 'effectResult') onResult(host, st, e.result, cmd.idempotencyKey);
  });
}

function effectCommand(
  host: ActionHost,
  rec: Rec,
  id: string,
  keySuffix: string,
  inputs: unknown,
  attemptNo: number,
  operation: EffectCommand['operation'],
): EffectCommand {
  const cmd: EffectCommand = {
    kind: 'effect',
    id,
    path: rec.path,
    actionName: rec.name,
    actionType: rec.node.type,
    ...(operation ? { operation } : {}),
    inputs,
    attempt: attemptNo,
    idempotencyKey: `${host.runId}/${rec.path}/${keySuffix}`,
  };
  return cmd;
}

/** A request's answer: done, poll later (202 + Location), retry later, or fail. */
function onRequestResult(host: ActionHost, st: Requests, r: EffectResult, key: string): void {
  const rec = st.w.rec;
  const outputs = r.outputs as Value | undefined;
  const sc = statusCodeOf(outputs);
  host.addAttempt(rec, attemptEntry(host, st, r, key, sc, r.error?.code));
  host.touch(rec);
  // The async pattern: 202 + Location means "poll there until it is done" (spec §6.13).
  if (r.status === 'Succeeded' && sc === 202 && st.type.asyncPolling && !rec.node.options.has('disableasyncpattern')) {
    const location = header(outputs, 'location');
    if (typeof location === 'string' && location !== '') {
      const after = retryAfterMs(outputs) ?? r.retryAfterMs ?? DEFAULT_POLL_MS;
      st.polls++;
      host.timer(st.w, `${host.runId}:${rec.path}#pollwait${st.polls}`, host.now + after, () => {
        const pollInputs: Record<string, unknown> = { method: 'GET', uri: location };
        const auth = prop(st.inputs, 'authentication');
        if (auth !== undefined) pollInputs.authentication = auth;
        st.inputs = pollInputs;
        st.operation = 'poll';
        st.attempt--; // a poll is not a new attempt of the request; keep the attempt number
        attempt(host, st, 'poll');
      });
      return;
    }
  }
  if (r.status === 'Succeeded' && (sc === undefined || (sc >= 200 && sc < 300))) {
    host.settleWaiting(st.w, 'Succeeded', { outputs: outputs ?? null, code: sc !== undefined ? httpCode(sc) : 'OK' });
    return;
  }
  if (r.status === 'TimedOut') {
    host.settleWaiting(st.w, 'TimedOut', {
      outputs,
      error: r.error ?? { code: 'ActionTimedOut', message: `The action '${rec.name}' timed out.` },
    });
    return;
  }
  const retryable = r.retryable ?? (sc !== undefined ? retryableStatus(sc) : false);
  if (retryLater(host, st, retryable, retryAfterMs(outputs) ?? r.retryAfterMs ?? 0, 'request')) return;
  const error = r.error ?? {
    code: sc !== undefined ? httpCode(sc) : 'ActionFailed',
    message: sc !== undefined ? `The request failed with status code ${sc}.` : `The action '${rec.name}' failed.`,
  };
  host.settleWaiting(st.w, 'Failed', { outputs, error, code: error.code });
}

/** A subscribe's answer: wait for the callback, retry later, or fail. */
function onSubscribeResult(host: ActionHost, st: Requests, r: EffectResult, key: string): void {
  const rec = st.w.rec;
  const sc = statusCodeOf(r.outputs ?? null);
  host.addAttempt(rec, attemptEntry(host, st, r, key, sc, undefined));
  if (r.status === 'Succeeded' && (sc === undefined || (sc >= 200 && sc < 300))) {
    st.onSubscribed?.();
    return;
  }
  const retryable = r.retryable ?? (sc !== undefined ? retryableStatus(sc) : false);
  if (r.status !== 'TimedOut' && retryLater(host, st, retryable, r.retryAfterMs ?? 0, 'subscribe')) return;
  const error = r.error ?? {
    code: sc !== undefined ? httpCode(sc) : 'ActionFailed',
    message: 'The subscribe request failed.',
  };
  host.settleWaiting(st.w, r.status === 'TimedOut' ? 'TimedOut' : 'Failed', {
    outputs: (r.outputs ?? undefined) as Value | undefined,
    error,
    code: error.code,
  });
}

/** The callback a webhook waited for: its payload becomes the outputs (spec §6.14, §6.24). */
function onCallback(host: ActionHost, st: Requests, payload: unknown): void {
  const rec = st.w.rec;
  const p = payload as Value;
  const outputs = isPlainObject(p) && ('body' in p || 'headers' in p) ? p : { body: p ?? null };
  if (st.unsubscribe !== undefined) unsubscribe(host, rec, st.unsubscribe);
  // A callback carrying a non-2xx statusCode fails the action, e.g. a cancelled approval.
  const sc = statusCodeOf(outputs);
  if (sc !== undefined && (sc < 200 || sc >= 300)) {
    const bodyError = prop(prop(outputs, 'body'), 'error');
    const code = prop(bodyError, 'code');
    const error =
      typeof code === 'string'
        ? { code, message: String(prop(bodyError, 'message') ?? '') }
        : { code: httpCode(sc), message: `The callback reported status code ${sc}.` };
    host.settleWaiting(st.w, 'Failed', { outputs, error, code: error.code });
    return;
  }
  host.settleWaiting(st.w, 'Succeeded', { outputs, code: 'OK' });
}

/** Schedules the next attempt when the policy allows one; false when the action must fail now. */
function retryLater(host: ActionHost, st: Requests, retryable: boolean, floorMs: number, phase: Phase): boolean {
  if (!retryable || st.attempt > st.policy.count || st.policy.type === 'none') return false;
  const delay = Math.max(retryDelay(st.policy, st.attempt, host.random()), floorMs);
  const key = `${host.runId}:${st.w.rec.path}#retry${st.attempt}`;
  host.timer(st.w, key, host.now + delay, () => attempt(host, st, phase));
  return true;
}

function timedOut(host: ActionHost, st: Requests): void {
  const rec = st.w.rec;
  if (st.unsubscribe !== undefined) unsubscribe(host, rec, st.unsubscribe);
  host.settleWaiting(st.w, 'TimedOut', {
    error: { code: 'ActionTimedOut', message: `The action '${rec.name}' did not complete within its limit.timeout.` },
  });
}

/** The webhook's unsubscribe request: sent once, its answer is not waited for. */
function unsubscribe(host: ActionHost, rec: Rec, inputs: unknown): void {
  host.emitCommand(effectCommand(host, rec, `${rec.path}#unsubscribe`, 'unsubscribe', inputs, 1, 'unsubscribe'));
}

/**
 * One retry-history entry. `fallbackCode` is the code recorded when the answer has no status
 * code (requests record the error's code; subscribes record none).
 */
function attemptEntry(
  host: ActionHost,
  st: Requests,
  r: EffectResult,
  key: string,
  sc: number | undefined,
  fallbackCode: string | undefined,
): RetryAttempt {
  const entry: RetryAttempt = {
    startTime: r.startTime ?? isoTime(st.startedAt ?? host.now),
    endTime: r.endTime ?? isoTime(host.now),
    idempotencyKey: key,
  };
  const code = sc !== undefined ? httpCode(sc) : fallbackCode;
  if (code !== undefined) entry.code = code;
  if (r.error) entry.error = r.error;
  return entry;
}

function statusCodeOf(outputs: unknown): number | undefined {
  const n = numeric(prop(outputs, 'statusCode') ?? null);
  return n === undefined ? undefined : Number(n);
}

function stripRetry(inputs: unknown): unknown {
  if (!isPlainObject(inputs)) return inputs;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(inputs)) if (k.toLowerCase() !== 'retrypolicy') out[k] = v;
  return out;
}

function header(outputs: unknown, name: string): Value | undefined {
  return prop(prop(outputs, 'headers') ?? null, name);
}

/** Retry-After as seconds or an HTTP date is not resolvable without a clock; seconds only. */
function retryAfterMs(outputs: unknown): number | undefined {
  const h = header(outputs, 'retry-after');
  const n = typeof h === 'string' ? Number(h) : numeric(h ?? null);
  return n !== undefined && Number.isFinite(Number(n)) && Number(n) >= 0 ? Number(n) * 1000 : undefined;
}
