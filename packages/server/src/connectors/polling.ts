/**
 * Polling triggers (spec §14.2, §4.3): the poll request and what a response means. A poll is the
 * trigger operation with the trigger's parameters; then, as the service says: `Location` is the
 * next poll's URL, `Retry-After` its delay; 200 with items fires (batch: one run per item), 202
 * fires nothing. For the pollingtrigger policy, the state is `triggerConfig` evaluated over the
 * last 200 response (`{last_requested_at: "@{triggerBody().requested_at}"}`), sent back as query
 * parameters, and the items are at `triggerDataPath`. The state is plain JSON for the caller to
 * keep durably between polls.
 */
import type { ConnectionValues } from './connection.js';
import type { BuiltRequest } from './draft.js';
import { fail, type Result } from './errors.js';
import type { Connector, Operation } from './model.js';
import { evaluateTemplate, toText } from './policy-expr.js';
import { buildOperationRequest, findOperation } from './request.js';
import { isRecord } from './values.js';
import { buildFollowUpRequest } from './webhook.js';

export interface PollState {
  /** The Location of the last response: the next poll's URL. */
  nextUrl?: string;
  /** pollingtrigger: the state values, sent as query parameters. */
  values?: Record<string, string>;
}

export interface PollOutcome {
  fire: boolean;
  /** What each run gets as its trigger body: one per item for batch triggers, the body for single. */
  items: unknown[];
  state: PollState;
  /** From Retry-After (seconds or an HTTP date, given `now`). */
  retryAfterSeconds?: number;
}

function pollingOperation(connector: Connector, inputs: unknown): Result<Operation> {
  if (!isRecord(inputs) || !isRecord(inputs.host) || typeof inputs.host.operationId !== 'string')
    return fail('InvalidInputs', 'Polling trigger inputs need `host.operationId`.', {
      document: 'inputs',
      pointer: '/host/operationId',
    });
  const operation = findOperation(connector, inputs.host.operationId);
  if (!operation)
    return fail('OperationNotFound', `Connector '${connector.name}' has no operation '${inputs.host.operationId}'.`, {
      document: 'inputs',
      pointer: '/host/operationId',
    });
  if (!operation.trigger)
    return fail('NotATrigger', `Operation '${operation.operationId}' is not a trigger.`, {
      document: 'inputs',
      pointer: '/host/operationId',
    });
  if (operation.trigger.kind !== 'polling')
    return fail('NotAPollingTrigger', `Operation '${operation.operationId}' is a webhook trigger.`, {
      document: 'inputs',
      pointer: '/host/operationId',
    });
  return { ok: true, value: operation };
}

/** `OpenApiConnection` trigger inputs + the state of the last poll → the next poll request. */
export function buildPollRequest(
  connector: Connector,
  inputs: unknown,
  connection: ConnectionValues | undefined,
  state: PollState = {},
): Result<BuiltRequest> {
  const found = pollingOperation(connector, inputs);
  if (!found.ok) return found;
  const operation = found.value;
  if (state.nextUrl) return buildFollowUpRequest(connector, state.nextUrl, connection, 'GET', operation.operationId);
  const given = isRecord(inputs) && isRecord(inputs.parameters) ? inputs.parameters : {};
  const built = buildOperationRequest(connector, operation, { ...given, ...(state.values ?? {}) }, connection);
  if (!built.ok) return built;
  // State values the operation does not declare still go along, as query parameters.
  const declared = new Set(operation.parameters.map((p) => p.name.toLowerCase()));
  const extra = Object.entries(state.values ?? {}).filter(([name]) => !declared.has(name.toLowerCase()));
  if (extra.length === 0) return built;
  const url = new URL(built.value.url);
  for (const [name, value] of extra) url.searchParams.set(name, value);
  return { ok: true, value: { ...built.value, url: url.href } };
}

/** What a poll's response means, and the state for the next one. */
export function pollOutcome(
  connector: Connector,
  operationId: string,
  response: { statusCode: number; headers: Record<string, string>; body?: unknown },
  state: PollState = {},
  now: number = 0,
): PollOutcome {
  const operation = findOperation(connector, operationId);
  const trigger = operation?.trigger;
  const header = (name: string) =>
    Object.entries(response.headers).find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
  const next: PollState = {};
  const location = header('Location');
  if (location) next.nextUrl = location;
  if (state.values) next.values = { ...state.values };
  const retryAfter = parseRetryAfter(header('Retry-After'), now);

  let items: unknown[] = [];
  if (response.statusCode === 200 && trigger) {
    const policy = trigger.pollingPolicy;
    if (policy) {
      const values: Record<string, string> = { ...(state.values ?? {}) };
      for (const [name, template] of Object.entries(policy.triggerConfig)) {
        const value = toText(evaluateTemplate(template, { triggerBody: response.body }));
        if (value !== '') values[name] = value;
      }
      next.values = values;
    }
    const data = policy?.triggerDataPath
      ? evaluateTemplate(policy.triggerDataPath, { triggerBody: response.body })
      : response.body;
    if (trigger.cardinality === 'batch') items = batchItems(data);
    else if (data !== undefined && data !== null && data !== '') items = [data];
  }
  return {
    fire: items.length > 0,
    items,
    state: next,
    ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
  };
}

/** An array, or the OData `value` array (Power Automate's own polling shape), else one item. */
function batchItems(data: unknown): unknown[] {
  if (Array.isArray(data)) return data;
  if (isRecord(data) && Array.isArray(data.value)) return data.value;
  return data === undefined || data === null || data === '' ? [] : [data];
}

function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}
