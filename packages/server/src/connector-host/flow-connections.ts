/**
 * Which connection an action or trigger of a flow uses: the flow's references (stored from its
 * connectionReferences, plus its version's `$connections`), then the connection itself.
 */
import { isRecord } from '@flowbridge/engine';
import type { Flow, Store } from '../store/index.js';
import { ConnectorHostError } from './errors.js';
import { hostReferenceName, isBuiltIn, lastSegment, referencedNames, referencesFromParameters } from './references.js';
import type { ConnectorService, ResolvedConnection } from './service.js';

/** Reference name → connection name, for a flow's current version. */
export async function flowReferences(store: Store, flow: Flow): Promise<Record<string, string>> {
  const version = await store.getFlowVersion(flow.id, flow.currentVersion);
  const out: Record<string, string> = {};
  for (const [name, ref] of Object.entries(referencesFromParameters(version?.parameters)))
    if (ref.connectionName && !isBuiltIn(name, ref)) out[name] = ref.connectionName;
  return { ...out, ...(await store.getFlowConnectionReferences(flow.id)) };
}

export interface MissingReference {
  reference: string;
  connectionName?: string;
}

/** Every reference of the flow (declared or used by an action) whose connection is not in its environment. */
export async function missingReferences(store: Store, flow: Flow): Promise<MissingReference[]> {
  const refs = await flowReferences(store, flow);
  const version = await store.getFlowVersion(flow.id, flow.currentVersion);
  const names = new Set([...Object.keys(refs), ...referencedNames(version?.definition)]);
  const missing: MissingReference[] = [];
  for (const reference of names) {
    if (isBuiltIn(reference, {})) continue;
    const connectionName = refs[reference] ?? reference;
    if (!(await store.getConnection(flow.environmentId, connectionName)))
      missing.push({ reference, ...(refs[reference] ? { connectionName } : {}) });
  }
  return missing;
}

/** The connection name an action's or trigger's (evaluated) inputs point at. */
export function connectionNameOf(inputs: unknown, refs: Record<string, string>): string | undefined {
  const ref = hostReferenceName(inputs);
  if (ref !== undefined) return refs[ref] ?? ref;
  const host = isRecord(inputs) && isRecord(inputs.host) ? inputs.host : {};
  const connection = isRecord(host.connection) ? host.connection : {};
  // ApiConnection: the $connections entry's connectionId (evaluated), or its key when written as such.
  const name = connection.name;
  if (typeof name !== 'string' || name === '') return undefined;
  if (refs[name]) return refs[name];
  const id = lastSegment(name);
  return refs[id] ?? id;
}

/** The connection (with connector and opened values) an action or trigger of the flow uses. */
export async function connectionFor(
  service: ConnectorService,
  flow: Flow,
  inputs: unknown,
): Promise<ResolvedConnection> {
  const refs = await flowReferences(service.store, flow);
  const name = connectionNameOf(inputs, refs);
  if (name === undefined)
    throw new ConnectorHostError(
      'ConnectionNotFound',
      'The inputs name no connection (host.connectionName or host.connection.name).',
    );
  return service.resolve(flow.environmentId, name);
}
