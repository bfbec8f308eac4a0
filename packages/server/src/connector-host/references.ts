/**
 * Connection references (spec §14.4): how a flow names the connections it uses.
 *
 * - Power Automate: `connectionReferences` `{"<ref>": {"connectionName": "...", "id": "<apiId>"}}`,
 *   given beside the definition in POST/PUT /api/v1/flows or inside an export wrapper
 *   (`properties.connectionReferences`); actions name the reference in `host.connectionName`.
 * - Logic Apps: the `$connections` parameter `{"<name>": {"connectionId", "connectionName", "id"}}`;
 *   ApiConnection actions reach it through `@parameters('$connections')['<name>']['connectionId']`.
 *
 * A reference resolves when its connection exists in the flow's environment. References to the
 * built-in approvals and Office 365 mail connectors need none.
 */
import { isRecord, loadDefinition } from '@flowbridge/engine';
import { connectorOf } from '../approvals/inputs.js';

export interface Reference {
  /** The connection it names (our connection's name). */
  connectionName?: string;
  /** The connector's api id, when given. */
  apiId?: string;
}

/** The last segment of a resource id (`/subscriptions/.../connections/my-conn` → `my-conn`). */
export function lastSegment(id: string): string {
  return id.replace(/\/+$/, '').split('/').pop() ?? id;
}

function referenceOf(value: unknown): Reference {
  if (typeof value === 'string') return { connectionName: lastSegment(value) };
  if (!isRecord(value)) return {};
  const connection = isRecord(value.connection) ? value.connection : {};
  const api = isRecord(value.api) ? value.api : {};
  const named =
    [value.connectionName, connection.name, value.connectionId, connection.id].find(
      (v): v is string => typeof v === 'string' && v !== '',
    ) ?? undefined;
  const apiId = [value.id, value.apiId, api.id, api.name].find((v): v is string => typeof v === 'string');
  return { ...(named ? { connectionName: lastSegment(named) } : {}), ...(apiId ? { apiId } : {}) };
}

function referencesIn(map: unknown): Record<string, Reference> {
  const out: Record<string, Reference> = {};
  if (!isRecord(map)) return out;
  for (const [name, value] of Object.entries(map)) out[name] = referenceOf(value);
  return out;
}

/**
 * The references a POST/PUT of a flow gives: `connectionReferences` beside the definition, or
 * inside the export wrapper given as the definition. Undefined when the body gives none (a PUT
 * then keeps those of before).
 */
export function referencesFromBody(body: unknown): Record<string, Reference> | undefined {
  if (!isRecord(body)) return undefined;
  const wrapper = isRecord(body.definition) ? body.definition : {};
  const properties = isRecord(wrapper.properties) ? wrapper.properties : {};
  const found = [body.connectionReferences, properties.connectionReferences, wrapper.connectionReferences].filter(
    isRecord,
  );
  if (found.length === 0) return undefined;
  return Object.assign({}, ...found.map(referencesIn).reverse()) as Record<string, Reference>;
}

/** The `$connections` parameter's value of a flow version (Logic Apps). */
export function referencesFromParameters(parameters: unknown): Record<string, Reference> {
  if (!isRecord(parameters)) return {};
  const key = Object.keys(parameters).find((k) => k.toLowerCase() === '$connections');
  if (key === undefined) return {};
  const value = parameters[key];
  return referencesIn(isRecord(value) && isRecord(value.value) ? value.value : value);
}

/**
 * True for references the built-in handlers serve without a connection of ours: approvals and
 * mail, and desktop flows (`shared_uiflow`, whose connection names a machine group: desktop/).
 */
export function isBuiltIn(referenceName: string, reference: Reference): boolean {
  if ([referenceName, reference.apiId].some((n) => typeof n === 'string' && UIFLOW.test(n))) return true;
  return (
    connectorOf({ host: { connectionName: referenceName, ...(reference.apiId ? { apiId: reference.apiId } : {}) } }) !==
    undefined
  );
}

const UIFLOW = /(^|[/_])uiflow(_\d+)?$/i;

/** The reference names the definition's OpenApiConnection* actions and triggers use (`host.connectionName`). */
export function referencedNames(definition: unknown): string[] {
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isRecord(node)) return;
    const type = typeof node.type === 'string' ? node.type.toLowerCase() : '';
    const builtIn = connectorOf(node.inputs) !== undefined;
    if (type.startsWith('openapiconnection') && !builtIn && isRecord(node.inputs) && isRecord(node.inputs.host)) {
      const ref = node.inputs.host.connectionName;
      if (typeof ref === 'string' && ref !== '' && !ref.startsWith('@')) names.add(ref);
    }
    for (const value of Object.values(node)) visit(value);
  };
  visit(isRecord(definition) && isRecord(definition.properties) ? definition.properties.definition : definition);
  return [...names];
}

/** The reference an action's or trigger's inputs name: `host.connectionName` or `host.connection.referenceName`. */
export function hostReferenceName(inputs: unknown): string | undefined {
  const host = isRecord(inputs) && isRecord(inputs.host) ? inputs.host : {};
  const connection = isRecord(host.connection) ? host.connection : {};
  return [host.connectionName, connection.referenceName].find((v): v is string => typeof v === 'string' && v !== '');
}

/** What one trigger of a definition uses of a connector (hosts list flows and templates by it). */
export interface TriggerUse {
  triggerName: string;
  /** The connection reference it names, if any. */
  referenceName?: string;
  /** `inputs.host.operationId`. */
  operationId?: string;
  /** `inputs.parameters`: the operation's parameter values. */
  parameters: Record<string, unknown>;
}

/** The triggers of a definition (bare or in any wrapper form) and what each uses. */
export function triggerUses(definition: unknown): TriggerUse[] {
  const loaded = loadDefinition(definition).loaded?.definition;
  const triggers = isRecord(loaded) && isRecord(loaded.triggers) ? loaded.triggers : {};
  return Object.entries(triggers).map(([triggerName, trigger]) => {
    const inputs = isRecord(trigger) && isRecord(trigger.inputs) ? trigger.inputs : {};
    const referenceName = hostReferenceName(inputs);
    const operationId = isRecord(inputs.host) ? inputs.host.operationId : undefined;
    return {
      triggerName,
      ...(referenceName !== undefined ? { referenceName } : {}),
      ...(typeof operationId === 'string' && operationId !== '' ? { operationId } : {}),
      parameters: isRecord(inputs.parameters) ? inputs.parameters : {},
    };
  });
}
