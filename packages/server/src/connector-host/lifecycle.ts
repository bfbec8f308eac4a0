/**
 * Connector triggers follow their flow (spec §14.1, §14.2): when a flow is saved on (created on,
 * turned on, a new version, a new access key), its references must resolve and each webhook
 * trigger is subscribed (or kept, when nothing it was made from changed; else the old
 * subscription is deleted and a new one made); a polling trigger gets its durable state. When it
 * is saved off or deleted, every subscription is deleted (`DELETE <Location>`). A failure leaves
 * the flow off with the reason, which the flows API shows.
 */
import type { Logger } from 'pino';
import { isRecord } from '@flowbridge/engine';
import {
  buildApiConnectionSubscribeRequest,
  buildSubscribeRequest,
  buildUnsubscribeRequest,
  type BuiltRequest,
} from '../connectors/index.js';
import type { OutboundClient } from '../effects/index.js';
import type { FlowLifecycle, FlowProblem } from '../runtime.js';
import type { Flow, Store } from '../store/index.js';
import { ConnectorHostError } from './errors.js';
import { connectionNameOf, flowReferences, missingReferences } from './flow-connections.js';
import type { ConnectorService } from './service.js';
import { isBuiltIn, referencesFromBody } from './references.js';
import { compileVersion, connectorTriggers, evaluateInputs, fingerprint } from './trigger-inputs.js';

export interface LifecycleDeps {
  service: ConnectorService;
  store: Store;
  outbound: OutboundClient;
  /** The signed callback URL of a flow's trigger (the Request trigger's listCallbackUrl form). */
  callbackUrl: (flow: Flow, triggerName: string) => string;
  now: () => number;
  log?: Logger | undefined;
}

export function connectorLifecycle(deps: LifecycleDeps): FlowLifecycle {
  return {
    flowSaved: async (flow, body) => {
      const given = referencesFromBody(body);
      if (given) {
        const refs: Record<string, string> = {};
        for (const [name, ref] of Object.entries(given))
          if (ref.connectionName && !isBuiltIn(name, ref)) refs[name] = ref.connectionName;
        await deps.store.setFlowConnectionReferences(flow.id, refs);
      }
      if (flow.state !== 'Enabled') {
        await unsubscribeAll(deps, flow);
        return undefined;
      }
      try {
        await activate(deps, flow);
        return undefined;
      } catch (error) {
        // Whatever went wrong (a definition that does not compile, the store), the flow stays off.
        const failure =
          error instanceof ConnectorHostError
            ? error
            : new ConnectorHostError('SubscribeFailed', error instanceof Error ? error.message : String(error));
        if (!(error instanceof ConnectorHostError))
          deps.log?.warn({ err: error, flowId: flow.id }, 'activating connector triggers failed');
        await unsubscribeAll(deps, flow).catch(() => undefined);
        return problemOf(failure);
      }
    },
    flowDeleted: async (flow) => {
      await unsubscribeAll(deps, flow);
      for (const record of await deps.store.listConnectorTriggers({ flowId: flow.id }))
        await deps.store.deleteConnectorTrigger(flow.id, record.triggerName);
    },
  };
}

function problemOf(error: ConnectorHostError): FlowProblem {
  return {
    code: error.code === 'ConnectionReferencesMissing' ? 'ConnectionReferencesMissing' : 'TriggerSubscriptionFailed',
    message: error.message,
    ...(error.details !== undefined ? { details: error.details } : {}),
  };
}

async function activate(deps: LifecycleDeps, flow: Flow): Promise<void> {
  const { store } = deps;
  const missing = await missingReferences(store, flow);
  if (missing.length > 0)
    throw new ConnectorHostError(
      'ConnectionReferencesMissing',
      `The flow cannot be turned on: ${missing.length} connection reference(s) do not resolve in environment '${flow.environmentId}': ${missing.map((m) => m.reference).join(', ')}.`,
      { missing },
    );
  const version = await store.getFlowVersion(flow.id, flow.currentVersion);
  if (!version) return;
  // Most flows have no connector trigger: nothing to compile or subscribe.
  const kept = await store.listConnectorTriggers({ flowId: flow.id });
  if (kept.length === 0 && !hasConnectorTrigger(version.definition)) return;
  const workflow = compileVersion(version);
  const triggers = connectorTriggers(workflow);
  const refs = await flowReferences(store, flow);
  const existing = new Map((await store.listConnectorTriggers({ flowId: flow.id })).map((r) => [r.triggerName, r]));

  for (const trigger of triggers) {
    const url = deps.callbackUrl(flow, trigger.name);
    let evaluated: unknown;
    try {
      evaluated = evaluateInputs(workflow, flow, trigger, url, deps.now);
    } catch (error) {
      throw new ConnectorHostError(
        'SubscribeFailed',
        `Trigger '${trigger.name}': its inputs do not evaluate: ${String(error)}`,
      );
    }
    const connectionName = connectionNameOf(evaluated, refs) ?? '';
    const print = fingerprint(trigger, connectionName, evaluated, flow.accessKey);
    const before = existing.get(trigger.name);
    existing.delete(trigger.name);
    if (before && before.fingerprint === print && before.kind === trigger.kind) continue;
    if (before?.location) await unsubscribe(deps, flow, before.location, connectionName);
    if (trigger.kind === 'polling') {
      // A new trigger (or a changed one) starts polling now, from no state.
      await store.putConnectorTrigger({
        flowId: flow.id,
        triggerName: trigger.name,
        kind: 'polling',
        location: null,
        fingerprint: print,
        state: {},
        nextAt: deps.now(),
      });
      continue;
    }
    const resolved = await deps.service.resolve(flow.environmentId, connectionName);
    const built =
      trigger.type === 'openapiconnectionwebhook'
        ? buildSubscribeRequest(resolved.connector, evaluated, resolved.values, url)
        : buildApiConnectionSubscribeRequest(resolved.connector, evaluated, resolved.values, url);
    if (!built.ok)
      throw new ConnectorHostError(built.error.code, `Trigger '${trigger.name}': ${built.error.message}`, built.error);
    const response = await send(deps, flow, built.value).catch((error: unknown) => {
      throw new ConnectorHostError(
        'SubscribeFailed',
        `Trigger '${trigger.name}': the subscribe request failed: ${String(error)}`,
      );
    });
    if (response.status < 200 || response.status >= 300)
      throw new ConnectorHostError(
        'SubscribeFailed',
        `Trigger '${trigger.name}': the service answered the subscribe request with status ${response.status}.`,
        { statusCode: response.status },
      );
    const location = response.headers.get('location');
    await store.putConnectorTrigger({
      flowId: flow.id,
      triggerName: trigger.name,
      kind: 'webhook',
      location: location ? new URL(location, built.value.url).href : null,
      fingerprint: print,
      // Batch webhooks: the invoke route splits a callback's body array into one run per item.
      state: { connectionName, batch: isBatch(resolved.connector, evaluated) && !trigger.hasSplitOn },
      nextAt: null,
    });
    deps.log?.info({ flowId: flow.id, trigger: trigger.name }, 'connector trigger subscribed');
  }
  // Triggers the flow no longer has.
  for (const record of existing.values()) {
    const state = record.state as { connectionName?: string } | null;
    if (record.location) await unsubscribe(deps, flow, record.location, state?.connectionName);
    await store.deleteConnectorTrigger(flow.id, record.triggerName);
  }
}

function hasConnectorTrigger(definition: unknown): boolean {
  // Bare, or inside a `{definition}` / `{properties: {definition}}` wrapper (as stored).
  const file = isRecord(definition) ? definition : {};
  const candidates = [file, file.definition, isRecord(file.properties) ? file.properties.definition : undefined];
  return candidates.some(
    (inner) =>
      isRecord(inner) &&
      isRecord(inner.triggers) &&
      Object.values(inner.triggers).some(
        (t) => isRecord(t) && typeof t.type === 'string' && /^(openapi|api)connection/i.test(t.type),
      ),
  );
}

function isBatch(
  connector: { operations: Array<{ operationId: string; trigger?: { cardinality: string } }> },
  inputs: unknown,
): boolean {
  const operationId =
    typeof inputs === 'object' && inputs !== null && 'host' in inputs
      ? (inputs as { host?: { operationId?: unknown } }).host?.operationId
      : undefined;
  return connector.operations.find((o) => o.operationId === operationId)?.trigger?.cardinality === 'batch';
}

async function unsubscribeAll(deps: LifecycleDeps, flow: Flow): Promise<void> {
  for (const record of await deps.store.listConnectorTriggers({ flowId: flow.id, kind: 'webhook' })) {
    const state = record.state as { connectionName?: string } | null;
    if (record.location) await unsubscribe(deps, flow, record.location, state?.connectionName);
    await deps.store.deleteConnectorTrigger(flow.id, record.triggerName);
  }
}

/** `DELETE <Location>`; a failure is logged, not fatal (the subscription is ours to forget). */
async function unsubscribe(
  deps: LifecycleDeps,
  flow: Flow,
  location: string,
  connectionName: string | undefined,
): Promise<void> {
  try {
    let request: BuiltRequest = { method: 'DELETE', url: location, headers: {} };
    if (connectionName) {
      const resolved = await deps.service.resolve(flow.environmentId, connectionName);
      const built = buildUnsubscribeRequest(resolved.connector, location, resolved.values);
      if (built.ok) request = built.value;
    }
    const response = await send(deps, flow, request);
    if (response.status >= 300 && response.status !== 404)
      deps.log?.warn({ flowId: flow.id, status: response.status }, 'unsubscribing a connector trigger failed');
  } catch (error) {
    deps.log?.warn({ flowId: flow.id, err: String(error) }, 'unsubscribing a connector trigger failed');
  }
}

async function send(deps: LifecycleDeps, flow: Flow, request: BuiltRequest): Promise<Response> {
  const headers = { ...request.headers, 'x-ms-workflow-id': flow.id, 'x-ms-workflow-name': flow.name };
  const response = await deps.outbound.request(request.url, {
    method: request.method,
    headers,
    ...(request.body !== undefined ? { body: request.body } : {}),
    signal: AbortSignal.timeout(60_000),
  });
  await response.arrayBuffer().catch(() => undefined);
  return response;
}
