/**
 * The connector triggers of a flow version, with their inputs evaluated the way a run would see
 * them (parameters, `$connections`, `listCallbackUrl()`), which subscribing and polling need.
 */
import { createHash } from 'node:crypto';
import { compileWorkflow, isRecord, type Workflow } from '@flowbridge/engine';
import { compileValue } from '@flowbridge/expression';
import { connectorOf } from '../approvals/inputs.js';
import type { Flow, FlowVersion } from '../store/index.js';

export interface ConnectorTrigger {
  name: string;
  /** Lower case: openapiconnectionwebhook, apiconnectionwebhook, openapiconnection, apiconnection. */
  type: string;
  kind: 'webhook' | 'polling';
  /** The inputs as the definition writes them. */
  rawInputs: unknown;
  hasSplitOn: boolean;
  recurrence?: unknown;
}

const WEBHOOK = new Set(['openapiconnectionwebhook', 'apiconnectionwebhook']);
const POLLING = new Set(['openapiconnection', 'apiconnection']);

export function compileVersion(version: FlowVersion): Workflow {
  const parameters = isRecord(version.parameters) ? version.parameters : undefined;
  return compileWorkflow(version.definition, parameters ? { parameters } : {});
}

/** The flow's connector triggers (the built-in approvals / mail ones excluded). */
export function connectorTriggers(workflow: Workflow): ConnectorTrigger[] {
  const out: ConnectorTrigger[] = [];
  for (const t of workflow.triggers) {
    const type = t.type.toLowerCase();
    const kind = WEBHOOK.has(type) ? 'webhook' : POLLING.has(type) ? 'polling' : undefined;
    if (!kind || connectorOf(t.def.inputs) !== undefined) continue;
    out.push({
      name: t.name,
      type,
      kind,
      rawInputs: t.def.inputs,
      hasSplitOn: t.splitOn !== undefined,
      ...(t.def.recurrence !== undefined ? { recurrence: t.def.recurrence } : {}),
    });
  }
  return out;
}

/** Evaluates a trigger's inputs (expressions over parameters, listCallbackUrl(), workflow()). */
export function evaluateInputs(
  workflow: Workflow,
  flow: Flow,
  trigger: ConnectorTrigger,
  callbackUrl: string | undefined,
  now: () => number,
): unknown {
  return compileValue(trigger.rawInputs).evaluate({
    parameter: (name) => {
      const decl = workflow.parameters.get(name.toLowerCase());
      return decl?.hasValue ? (decl.value as never) : undefined;
    },
    listCallbackUrl: () => callbackUrl,
    workflow: () => ({ id: flow.id, name: flow.name }),
    now,
  });
}

/**
 * What a subscription was made from: a change (the inputs, the connection, the parameters, the
 * flow's access key, which signs the callback URL) means unsubscribe and subscribe again.
 */
export function fingerprint(
  trigger: ConnectorTrigger,
  connectionName: string,
  evaluated: unknown,
  accessKey: string,
): string {
  return createHash('sha256')
    .update(JSON.stringify([trigger.type, trigger.rawInputs, connectionName, evaluated, trigger.recurrence ?? null]))
    .update(accessKey)
    .digest('base64url');
}
