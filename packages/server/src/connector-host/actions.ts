/**
 * Connector actions (spec §6.24): `OpenApiConnection` (host.operationId in the connector its
 * connection reference names) and `ApiConnection` (method + path through `$connections`). The
 * request comes from the core (connectors/request.ts) with the connection's credentials applied
 * here, at the last moment, so the key is never part of the action's inputs or run history; it
 * goes out through the Http action's sender (outbound policy, timeouts, `{statusCode, headers,
 * body}`, non-2xx fails, Retry-After). The engine drives retries and the 202 + Location polling
 * (operation 'poll') as for Http.
 */
import { buildApiConnectionRequest, buildOpenApiRequest, type BuiltRequest } from '../connectors/index.js';
import { buildFollowUpRequest } from '../connectors/webhook.js';
import { sendHttp, type ConnectorHandler, type HttpEffectOptions } from '../effects/index.js';
import { isRecord, prop, type EffectCommand, type EffectContext, type EffectResult } from '../effects/types.js';
import type { Store } from '../store/index.js';
import { ConnectorHostError, type ConnectorFailureCode } from './errors.js';
import { connectionFor } from './flow-connections.js';
import type { ConnectorService } from './service.js';

const TYPES = new Set(['openapiconnection', 'apiconnection']);

export interface ConnectorActionDeps {
  service: ConnectorService;
  store: Store;
  http: HttpEffectOptions;
}

function failure(code: ConnectorFailureCode, message: string, details?: unknown): EffectResult {
  return { status: 'Failed', error: { code, message, ...(details !== undefined ? { details } : {}) } } as EffectResult;
}

/** Handles the connector actions no earlier handler (approvals, mail) took. */
export function connectorActionHandler(deps: ConnectorActionDeps): ConnectorHandler {
  return (command, context) => {
    if (!TYPES.has(command.actionType.toLowerCase())) return null;
    if (command.operation === 'subscribe' || command.operation === 'unsubscribe') return null;
    return perform(deps, command, context);
  };
}

async function perform(
  deps: ConnectorActionDeps,
  command: EffectCommand,
  context: EffectContext,
): Promise<EffectResult> {
  const flow = await deps.store.getFlow(context.workflow.id, { includeDeleted: true });
  if (!flow) return failure('ConnectionNotFound', `The flow of run '${context.runId}' is not known.`);
  let resolved;
  try {
    // A poll's inputs are only the Location: the connection comes from the action's definition.
    const source =
      command.operation === 'poll'
        ? await definedInputs(deps.store, flow.id, flow.currentVersion, command.actionName)
        : command.inputs;
    resolved = await connectionFor(deps.service, flow, source);
  } catch (error) {
    if (error instanceof ConnectorHostError) return failure(error.code, error.message);
    throw error;
  }
  const { connector, values } = resolved;
  const inputs = command.inputs;
  let built;
  if (command.operation === 'poll') {
    const location = pollLocation(inputs);
    if (!location) return failure('InvalidInputs', `Action '${command.actionName}' has no Location to poll.`);
    built = buildFollowUpRequest(connector, location, values, 'GET');
  } else if (command.actionType.toLowerCase() === 'openapiconnection') {
    built = buildOpenApiRequest(connector, inputs, values);
  } else {
    built = buildApiConnectionRequest(connector, inputs, values);
  }
  if (!built.ok) {
    const { code, message, ...rest } = built.error;
    return failure(code, message, Object.keys(rest).length > 0 ? rest : undefined);
  }
  return send(built.value, command, context, deps.http);
}

function send(
  request: BuiltRequest,
  command: EffectCommand,
  context: EffectContext,
  http: HttpEffectOptions,
): Promise<EffectResult> {
  const body =
    request.body === undefined
      ? undefined
      : typeof request.body === 'string'
        ? request.body
        : Buffer.from(request.body);
  return sendHttp(
    { method: request.method, uri: request.url, headers: request.headers, ...(body !== undefined ? { body } : {}) },
    command,
    context,
    http,
  );
}

/** The Location of the 202 the engine passes back with a poll command. */
function pollLocation(inputs: unknown): string | undefined {
  const direct = prop(inputs, 'location') ?? prop(inputs, 'uri');
  if (typeof direct === 'string') return direct;
  const headers = prop(prop(inputs, 'outputs'), 'headers') ?? prop(prop(inputs, 'response'), 'headers');
  const location = isRecord(headers) ? prop(headers, 'location') : undefined;
  return typeof location === 'string' ? location : undefined;
}

/**
 * The action's inputs as the definition writes them, with `host.connection.name` written as
 * `@parameters('$connections')['x']['connectionId']` reduced to `x` (enough to find the connection).
 */
async function definedInputs(store: Store, flowId: string, version: number, actionName: string): Promise<unknown> {
  const definition = (await store.getFlowVersion(flowId, version))?.definition;
  const node = findAction(definition, actionName);
  const inputs = isRecord(node) ? node.inputs : undefined;
  const host = isRecord(inputs) && isRecord(inputs.host) ? inputs.host : {};
  const connection = isRecord(host.connection) ? host.connection : {};
  const expression =
    typeof connection.name === 'string' ? /\$connections'\s*\)\s*\[\s*'([^']+)'/i.exec(connection.name) : null;
  return { host: { ...host, ...(expression ? { connection: { name: expression[1] } } : {}) } };
}

function findAction(node: unknown, name: string): unknown {
  if (!isRecord(node)) return undefined;
  for (const key of ['actions', 'else']) {
    const container = key === 'else' ? (isRecord(node.else) ? node.else.actions : undefined) : node.actions;
    if (isRecord(container)) {
      for (const [n, child] of Object.entries(container)) {
        if (n === name) return child;
        const found = findAction(child, name);
        if (found !== undefined) return found;
      }
    }
  }
  for (const key of ['cases', 'definition', 'properties'])
    if (isRecord(node[key])) {
      const holder = node[key];
      const found =
        key === 'cases'
          ? Object.values(holder)
              .map((c) => findAction(c, name))
              .find((f) => f !== undefined)
          : findAction(holder, name);
      if (found !== undefined) return found;
    }
  return undefined;
}
