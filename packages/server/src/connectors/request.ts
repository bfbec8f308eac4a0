/**
 * Request building, pure: an action's inputs + the imported connector + a connection → the HTTP
 * request `{method, url, headers, body}` or a coded error. Order (as APIM runs a custom
 * connector): the operation's parameters, then the connection's credentials, then the request
 * policy templates in the order apiProperties lists them.
 *
 * - Power Automate `OpenApiConnection`: `{host: {operationId, apiId?, connectionName?}, parameters}`.
 * - Logic Apps `ApiConnection`: `{host: {connection: {name}}, method, path, queries, headers, body}`,
 *   the path relative to the connector's base URL; the operation it matches (method + path
 *   template) decides which policies apply.
 * Resolving which connector and connection a flow means is the caller's job.
 */
import type { ConnectionValues } from './connection.js';
import { connectionValue } from './connection.js';
import { applyCredentials } from './credentials.js';
import { finish, getHeader, type BuiltRequest, type RequestDraft } from './draft.js';
import { fail, pointerOf, type Result } from './errors.js';
import type { Connector, Operation } from './model.js';
import { applyRequestPolicies, blockingPolicy } from './policies.js';
import { mapParameters } from './request-params.js';
import { isRecord } from './values.js';

export type { BuiltRequest } from './draft.js';

/** scheme://host/basePath from the swagger (https preferred), or '' when it has no host. */
export function baseUrlOf(connector: Connector): string {
  if (!connector.host) return '';
  const scheme = connector.schemes.includes('https') ? 'https' : (connector.schemes[0] ?? 'https');
  const basePath = connector.basePath.replace(/\/+$/, '');
  return `${scheme}://${connector.host.replace(/\/+$/, '')}${basePath === '' || basePath.startsWith('/') ? basePath : `/${basePath}`}`;
}

/** By operationId; case is ignored when no exact match exists (flows are written by hand too). */
export function findOperation(connector: Connector, operationId: string): Operation | undefined {
  return (
    connector.operations.find((o) => o.operationId === operationId) ??
    connector.operations.find((o) => o.operationId.toLowerCase() === operationId.toLowerCase())
  );
}

/** The operation an ApiConnection path means: same method, path matching the template. */
export function matchOperation(
  connector: Connector,
  method: string,
  path: string,
): { operation: Operation; pathValues: Record<string, string> } | undefined {
  const bare = path.split('?')[0]!.replace(/\/+$/, '') || '/';
  for (const operation of connector.operations) {
    if (operation.method !== method.toLowerCase()) continue;
    const names: string[] = [];
    const pattern = operation.path
      .replace(/\/+$/, '')
      .split(/(\{[^{}]+\})/)
      .map((part) => {
        const m = /^\{([^{}]+)\}$/.exec(part);
        if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(m[1]!);
        return '([^/]+)';
      })
      .join('');
    const match = new RegExp(`^${pattern || '/'}$`, 'i').exec(bare);
    if (match) return { operation, pathValues: Object.fromEntries(names.map((n, i) => [n, match[i + 1]!])) };
  }
  return undefined;
}

export function buildOpenApiRequest(
  connector: Connector,
  inputs: unknown,
  connection: ConnectionValues | undefined,
): Result<BuiltRequest> {
  if (!isRecord(inputs) || !isRecord(inputs.host))
    return fail('InvalidInputs', 'OpenApiConnection inputs need a `host` object.', {
      document: 'inputs',
      pointer: '/host',
    });
  const operationId = inputs.host.operationId;
  if (typeof operationId !== 'string' || operationId === '')
    return fail('InvalidInputs', '`host.operationId` must name an operation.', {
      document: 'inputs',
      pointer: '/host/operationId',
    });
  if (inputs.parameters !== undefined && !isRecord(inputs.parameters))
    return fail('InvalidInputs', '`parameters` must be an object.', { document: 'inputs', pointer: '/parameters' });
  const operation = findOperation(connector, operationId);
  if (!operation)
    return fail('OperationNotFound', `Connector '${connector.name}' has no operation '${operationId}'.`, {
      document: 'inputs',
      pointer: '/host/operationId',
    });
  return buildOperationRequest(connector, operation, inputs.parameters ?? {}, connection);
}

/** One operation with flow-style parameters (also what triggers use to subscribe and poll). */
export function buildOperationRequest(
  connector: Connector,
  operation: Operation,
  parameters: Record<string, unknown>,
  connection: ConnectionValues | undefined,
): Result<BuiltRequest> {
  const refused = refuse(connector, operation);
  if (refused) return refused;
  const mapped = mapParameters(operation, parameters);
  if (!mapped.ok) return mapped;
  const draft: RequestDraft = {
    operationId: operation.operationId,
    method: operation.method.toUpperCase(),
    baseUrl: baseUrlOf(connector),
    path: mapped.value.path,
    query: mapped.value.query,
    headers: mapped.value.headers,
    pathValues: mapped.value.pathValues,
  };
  if (mapped.value.body !== undefined) {
    draft.body = mapped.value.body;
    if (mapped.value.contentType && getHeader(draft, 'Content-Type') === undefined)
      draft.headers.push(['Content-Type', mapped.value.contentType]);
  }
  return complete(draft, connector, connection);
}

export function buildApiConnectionRequest(
  connector: Connector,
  inputs: unknown,
  connection: ConnectionValues | undefined,
  defaultMethod = 'GET',
): Result<BuiltRequest> {
  if (!isRecord(inputs))
    return fail('InvalidInputs', 'ApiConnection inputs must be an object.', { document: 'inputs', pointer: '' });
  const method = inputs.method === undefined ? defaultMethod : inputs.method;
  if (typeof method !== 'string' || !/^[A-Za-z]+$/.test(method))
    return fail('InvalidInputs', '`method` must be an HTTP method.', { document: 'inputs', pointer: '/method' });
  const rawPath = inputs.path ?? '/';
  if (typeof rawPath !== 'string')
    return fail('InvalidInputs', '`path` must be a string.', { document: 'inputs', pointer: '/path' });
  const path = rawPath.startsWith('/') ? rawPath : `/${rawPath}`;
  const matched = matchOperation(connector, method, path);
  if (matched) {
    const refused = refuse(connector, matched.operation);
    if (refused) return refused;
  }
  const draft: RequestDraft = {
    ...(matched ? { operationId: matched.operation.operationId } : {}),
    method: method.toUpperCase(),
    baseUrl: baseUrlOf(connector),
    path,
    query: [],
    headers: [],
    pathValues: matched?.pathValues ?? {},
  };
  for (const [field, list] of [
    ['queries', draft.query],
    ['headers', draft.headers],
  ] as const) {
    const given = inputs[field];
    if (given === undefined || given === null) continue;
    if (!isRecord(given))
      return fail('InvalidInputs', `\`${field}\` must be an object.`, {
        document: 'inputs',
        pointer: pointerOf([field]),
      });
    for (const [name, value] of Object.entries(given)) {
      if (value === undefined || value === null) continue;
      for (const item of Array.isArray(value) && field === 'queries' ? value : [value])
        list.push([name, typeof item === 'string' ? item : JSON.stringify(item)]);
    }
  }
  if (inputs.body !== undefined) {
    draft.body = inputs.body;
    if (getHeader(draft, 'Content-Type') === undefined && typeof inputs.body !== 'string')
      draft.headers.push(['Content-Type', 'application/json']);
  }
  return complete(draft, connector, connection);
}

/** Custom code and unsupported policies: the operation cannot run here, say why. */
function refuse(connector: Connector, operation: Operation): Result<never> | undefined {
  if (operation.customCode)
    return fail(
      'CustomCodeNotSupported',
      `Operation '${operation.operationId}' of '${connector.name}' runs upstream custom code (script.csx), which is not supported.`,
      { document: 'inputs', pointer: '/host/operationId' },
    );
  const blocking = blockingPolicy(connector.policies, operation.operationId);
  if (blocking)
    return fail(
      'UnsupportedPolicy',
      `Operation '${operation.operationId}' needs policy template '${blocking.templateId}', which is not supported.`,
      { document: 'apiProperties', pointer: blocking.pointer },
    );
  return undefined;
}

/** Credentials, request policies, then the wire form; the base URL must exist by then. */
export function complete(
  draft: RequestDraft,
  connector: Connector,
  connection: ConnectionValues | undefined,
): Result<BuiltRequest> {
  applyCredentials(draft, connector, connection);
  const policies = applyRequestPolicies(draft, connector.policies, {
    connectionParameter: (name) => connectionValue(connector, connection, name),
  });
  if (!policies.ok) return policies;
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/]/i.test(draft.baseUrl))
    return fail(
      'MissingBaseUrl',
      draft.baseUrl === ''
        ? `Connector '${connector.name}' has no host, and no policy gives one.`
        : `The request's base URL '${draft.baseUrl}' is not an absolute URL (is a connection parameter missing?).`,
    );
  return { ok: true, value: finish(draft) };
}
