/**
 * emit(): an event → a POST to the callback URL of each matching subscription. Each delivery is
 * tried until a 2xx acknowledges it or the tries run out: network errors, 408, 429 and 5xx are
 * tried again after an exponential delay (Retry-After wins when the callback sends one); 404 and
 * 410 mean the flow is gone, and its subscription goes too; any other answer fails at once.
 * With a store that keeps a journal (sqliteStore), each delivery is written down before its first
 * try and forgotten once settled: resumeDeliveries() sends, with the same event id and the tries
 * left, what a stopped or crashed process did not settle (at least once, never lost).
 */
import { signatureHeaders, TIMESTAMP_HEADER } from '../signature.js';
import { checkValue } from './schema.js';
import {
  ConnectorHostError,
  type DeliveryOutcome,
  type EmitOptions,
  type PendingDelivery,
  type RetryOptions,
  type Subscription,
  type SubscriptionStore,
  type TriggerOptions,
} from './types.js';

export const EVENT_ID_HEADER = 'x-flowbridge-event-id';
const CONCURRENT_DELIVERIES = 8;

export interface DeliveryDeps {
  triggers: Record<string, TriggerOptions>;
  store: SubscriptionStore;
  fetch: typeof fetch;
  retry: Required<RetryOptions>;
  signingSecret: string | undefined;
  now: () => number;
  newId: () => string;
}

export const DEFAULT_RETRY: Omit<Required<RetryOptions>, 'sleep'> = {
  attempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 300_000,
};

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

type Scalar = string | number | boolean;

/** A subscription matches when every parameter it chose is the event's value (a missing one matches all). */
export function matches(subscription: Subscription, parameters: Record<string, Scalar>): boolean {
  return Object.entries(subscription.parameters).every(
    ([name, wanted]) => parameters[name] !== undefined && String(parameters[name]) === String(wanted),
  );
}

/** The subscriptions an emit() reaches. Throws for an unknown trigger, parameter or a missing target. */
export async function targets(
  deps: Pick<DeliveryDeps, 'triggers' | 'store'>,
  operationId: string,
  options: EmitOptions,
): Promise<Subscription[]> {
  const trigger = deps.triggers[operationId];
  if (!trigger) throw new ConnectorHostError('UnknownTrigger', `There is no trigger '${operationId}'.`, operationId);
  if (trigger.instant && options.flowId === undefined && options.subscriptionId === undefined)
    throw new ConnectorHostError(
      'TargetRequired',
      `Trigger '${operationId}' is instant: emit() needs the flowId (or subscriptionId) to run.`,
      operationId,
    );
  const parameters = options.parameters ?? {};
  const targeted = options.flowId !== undefined || options.subscriptionId !== undefined;
  for (const name of Object.keys(parameters))
    if (!trigger.parameters?.[name])
      throw new ConnectorHostError(
        'InvalidParameters',
        `Trigger '${operationId}' has no parameter '${name}'.`,
        `parameters/${name}`,
      );
  return (await deps.store.list(operationId)).filter(
    (s) =>
      (options.subscriptionId === undefined || s.id === options.subscriptionId) &&
      (options.flowId === undefined || s.flowId === options.flowId) &&
      // A run aimed at one flow (an instant trigger) checks parameters only when it gives some.
      (!targeted || options.parameters !== undefined ? matches(s, parameters) : true),
  );
}

export async function emitEvent(
  deps: DeliveryDeps,
  operationId: string,
  payload: unknown,
  options: EmitOptions = {},
): Promise<DeliveryOutcome[]> {
  const reached = await targets(deps, operationId, options);
  const trigger = deps.triggers[operationId]!;
  const events = trigger.batch && !Array.isArray(payload) ? [payload] : payload;
  // What the flows were promised (x-ms-notification-content): a host mistake stops here, not in a run.
  const problem = checkValue(events, trigger.batch ? { type: 'array', items: trigger.payload } : trigger.payload);
  if (problem)
    throw new ConnectorHostError(
      'InvalidPayload',
      `The payload does not fit trigger '${operationId}': ${problem.pointer || '/'} ${problem.message}.`,
      `payload${problem.pointer}`,
    );
  const body = JSON.stringify(events);
  const eventId = options.eventId ?? deps.newId();
  const createdAt = deps.now();
  const pending = reached.map((s): PendingDelivery => ({
    id: `${eventId}/${s.id}`,
    eventId,
    subscriptionId: s.id,
    operationId,
    body,
    attempts: 0,
    createdAt,
  }));
  // Written down before the first try: from here on the event is the kit's to deliver.
  if (pending.length) await deps.store.deliveries?.add(pending);
  return inTurns(pending, (p, i) => deliver(deps, reached[i]!, p));
}

/**
 * Sends what the journal holds from an earlier process (one that stopped or crashed while a
 * delivery waited for its next try), with the tries it had left (one at least); a subscription
 * removed meanwhile settles as gone. Nothing to do for a store without a journal.
 */
export async function resumeDeliveries(deps: DeliveryDeps): Promise<DeliveryOutcome[]> {
  const journal = deps.store.deliveries;
  if (!journal) return [];
  const pending = await journal.pending();
  return inTurns(pending, async (p) => {
    const subscription = await deps.store.get(p.subscriptionId);
    if (subscription) return deliver(deps, subscription, p);
    await journal.settle(p.id);
    return { subscriptionId: p.subscriptionId, flowId: null, flowName: null, status: 'gone', attempts: p.attempts };
  });
}

/** A few deliveries at a time: an event with many subscribers does not open a socket for each at once. */
async function inTurns<T>(items: T[], send: (item: T, index: number) => Promise<DeliveryOutcome>) {
  const outcomes: DeliveryOutcome[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) outcomes[i] = await send(items[i]!, i);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_DELIVERIES, items.length) }, worker));
  return outcomes;
}

/** Retry-After as ms: delta-seconds or an HTTP date. */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const retryable = (status: number): boolean => status === 408 || status === 429 || status >= 500;

async function deliver(deps: DeliveryDeps, subscription: Subscription, p: PendingDelivery): Promise<DeliveryOutcome> {
  const outcome = await tryUntilSettled(deps, subscription, p);
  await deps.store.deliveries?.settle(p.id);
  return outcome;
}

async function tryUntilSettled(
  deps: DeliveryDeps,
  subscription: Subscription,
  { id, body, eventId, attempts: before }: PendingDelivery,
): Promise<DeliveryOutcome> {
  const { baseDelayMs, maxDelayMs } = deps.retry;
  // A resumed delivery has the tries it had left, and one at least.
  const attempts = Math.max(deps.retry.attempts, before + 1);
  const who = { subscriptionId: subscription.id, flowId: subscription.flowId, flowName: subscription.flowName };
  for (let attempt = before + 1; ; attempt++) {
    const timestamp = deps.now();
    let failed: { httpStatus?: number; error: string };
    let wait: number | undefined;
    try {
      const response = await deps.fetch(subscription.callbackUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [EVENT_ID_HEADER]: eventId,
          [TIMESTAMP_HEADER]: String(timestamp),
          ...(deps.signingSecret ? await signatureHeaders(deps.signingSecret, body, timestamp) : {}),
        },
        body,
        signal: AbortSignal.timeout(60_000),
      });
      await response.arrayBuffer().catch(() => undefined);
      const status = response.status;
      if (status >= 200 && status < 300) return { ...who, status: 'delivered', attempts: attempt, httpStatus: status };
      if (status === 404 || status === 410) {
        await deps.store.remove(subscription.id);
        return { ...who, status: 'gone', attempts: attempt, httpStatus: status };
      }
      failed = { httpStatus: status, error: `the callback answered ${status}` };
      if (!retryable(status)) return { ...who, status: 'failed', attempts: attempt, ...failed };
      wait = retryAfterMs(response.headers.get('retry-after'), deps.now());
    } catch (error) {
      failed = { error: error instanceof Error ? error.message : String(error) };
    }
    if (attempt >= attempts) return { ...who, status: 'failed', attempts: attempt, ...failed };
    await deps.store.deliveries?.tried(id, attempt);
    await deps.retry.sleep(Math.min(wait ?? baseDelayMs * 2 ** (attempt - 1), maxDelayMs));
  }
}
