/**
 * Webhook triggers (spec §14.1): the subscribe request is the trigger operation called with the
 * trigger's parameters and the flow's callback URL in the place marked x-ms-notification-url;
 * the service answers 201 with a `Location`, and unsubscribing is `DELETE <Location>`.
 */
import type { ConnectionValues } from './connection.js';
import type { BuiltRequest, RequestDraft } from './draft.js';
import { fail, type Result } from './errors.js';
import type { Connector } from './model.js';
import {
  baseUrlOf,
  buildApiConnectionRequest,
  buildOperationRequest,
  complete,
  findOperation,
  matchOperation,
} from './request.js';
import { isRecord } from './values.js';

/** `OpenApiConnectionWebhook` inputs `{host: {operationId}, parameters}` → the subscribe request. */
export function buildSubscribeRequest(
  connector: Connector,
  inputs: unknown,
  connection: ConnectionValues | undefined,
  callbackUrl: string,
): Result<BuiltRequest> {
  if (!isRecord(inputs) || !isRecord(inputs.host) || typeof inputs.host.operationId !== 'string')
    return fail('InvalidInputs', 'Webhook trigger inputs need `host.operationId`.', {
      document: 'inputs',
      pointer: '/host/operationId',
    });
  if (inputs.parameters !== undefined && !isRecord(inputs.parameters))
    return fail('InvalidInputs', '`parameters` must be an object.', { document: 'inputs', pointer: '/parameters' });
  const operation = findOperation(connector, inputs.host.operationId);
  if (!operation)
    return fail('OperationNotFound', `Connector '${connector.name}' has no operation '${inputs.host.operationId}'.`, {
      document: 'inputs',
      pointer: '/host/operationId',
    });
  const where = operation.trigger?.notificationUrl;
  if (!operation.trigger || !where)
    return fail(
      operation.trigger ? 'NotAWebhookTrigger' : 'NotATrigger',
      `Operation '${operation.operationId}' is not a webhook trigger (no x-ms-notification-url).`,
      { document: 'inputs', pointer: '/host/operationId' },
    );
  const parameters = { ...(inputs.parameters ?? {}) };
  const key = where.in === 'body' && where.path.length > 0 ? `${where.name}/${where.path.join('/')}` : where.name;
  // The callback URL is ours to give: a value the flow wrote for it does not count.
  for (const k of Object.keys(parameters)) if (k.toLowerCase() === key.toLowerCase()) delete parameters[k];
  parameters[key] = callbackUrl;
  return buildOperationRequest(connector, operation, parameters, connection);
}

/**
 * `ApiConnectionWebhook` inputs (Logic Apps): the path and body as written (the body usually
 * carries `@{listCallbackUrl()}`, already evaluated); when the matched operation marks a body
 * property for the callback URL and the body leaves it out, the URL goes there.
 */
export function buildApiConnectionSubscribeRequest(
  connector: Connector,
  inputs: unknown,
  connection: ConnectionValues | undefined,
  callbackUrl: string,
): Result<BuiltRequest> {
  if (!isRecord(inputs))
    return fail('InvalidInputs', 'ApiConnectionWebhook inputs must be an object.', { document: 'inputs', pointer: '' });
  const method = typeof inputs.method === 'string' ? inputs.method : 'POST';
  const matched = typeof inputs.path === 'string' ? matchOperation(connector, method, inputs.path) : undefined;
  const where = matched?.operation.trigger?.notificationUrl;
  let body = inputs.body;
  if (where?.in === 'body' && where.path.length > 0) {
    body = isRecord(body) ? structuredClone(body) : {};
    let node = body as Record<string, unknown>;
    for (const segment of where.path.slice(0, -1)) {
      if (!isRecord(node[segment])) node[segment] = {};
      node = node[segment] as Record<string, unknown>;
    }
    const last = where.path[where.path.length - 1]!;
    if (node[last] === undefined || node[last] === '') node[last] = callbackUrl;
  }
  return buildApiConnectionRequest(
    connector,
    { ...inputs, method, ...(body !== undefined ? { body } : {}) },
    connection,
  );
}

/**
 * `DELETE <Location>`. The credentials and request policies of the DELETE operation the Location
 * matches (or of the connector as a whole) go with it, but only to the connector's own origin:
 * a Location on another host gets a bare DELETE, so a service cannot collect our keys by
 * answering with someone else's address.
 */
export function buildUnsubscribeRequest(
  connector: Connector,
  location: string,
  connection: ConnectionValues | undefined,
): Result<BuiltRequest> {
  return buildFollowUpRequest(connector, location, connection, 'DELETE');
}

/** A request to a URL the service handed us (Location of a subscription or of the next poll). */
export function buildFollowUpRequest(
  connector: Connector,
  location: string,
  connection: ConnectionValues | undefined,
  method: 'GET' | 'DELETE',
  operationId?: string,
): Result<BuiltRequest> {
  const base = baseUrlOf(connector);
  let url: URL;
  try {
    url = new URL(location, base === '' ? undefined : `${base}/`);
  } catch {
    return fail('InvalidInputs', `'${location}' is not a URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return fail('InvalidInputs', `'${location}' is not an HTTP URL.`);
  // The operation's path template is relative to basePath.
  const relative =
    base !== '' && url.href.startsWith(`${base}/`)
      ? `/${url.href.slice(base.length + 1).split(/[?#]/)[0]}`
      : url.pathname;
  const matched = operationId ?? matchOperation(connector, method, relative)?.operation.operationId;
  const draft: RequestDraft = {
    ...(matched !== undefined ? { operationId: matched } : {}),
    method,
    baseUrl: base,
    path: '',
    query: [],
    headers: [],
    pathValues: {},
  };
  // Credentials and policies on a throwaway draft: they may move the base URL (dynamichosturl).
  const prepared = complete(draft, connector, connection);
  const origin = prepared.ok ? new URL(prepared.value.url).origin : undefined;
  if (!prepared.ok || origin !== url.origin) return { ok: true, value: { method, url: url.href, headers: {} } };
  const target = new URL(url.href);
  for (const [name, value] of new URL(prepared.value.url).searchParams)
    if (!target.searchParams.has(name)) target.searchParams.append(name, value);
  return { ok: true, value: { method, url: target.href, headers: prepared.value.headers } };
}
