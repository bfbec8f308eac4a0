/**
 * Listing flows and templates by what their trigger uses (issue #17): a host shows, for a record
 * type, the flows whose trigger is a given connector's operation with a given parameter value (its
 * "Automate" menu). The query: `connector=<name>`, `triggerOperation=<operationId>`,
 * `triggerParameter.<name>=<value>`; a flow matches when one of its triggers matches all given.
 */
import { triggerUses, type TriggerUse } from '../connector-host/references.js';
import { ApiError } from '../util/api-errors.js';

export interface TriggerFilter {
  connector?: string;
  operationId?: string;
  /** Parameter name → the value it must have (compared as text). */
  parameters: Record<string, string>;
}

const PARAMETER_PREFIX = 'triggerParameter.';

/** The trigger filter a query asks for; undefined when it asks for none. */
export function triggerFilterOf(query: Record<string, unknown>): TriggerFilter | undefined {
  const text = (name: string): string | undefined => {
    const value = query[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value === '')
      throw new ApiError(400, 'InvalidRequest', `'${name}' must be a non-empty string.`, name);
    return value;
  };
  const parameters: Record<string, string> = {};
  for (const key of Object.keys(query)) {
    if (!key.startsWith(PARAMETER_PREFIX)) continue;
    if (key.length === PARAMETER_PREFIX.length)
      throw new ApiError(400, 'InvalidRequest', `'${PARAMETER_PREFIX}' needs a parameter name after it.`, key);
    const value = query[key];
    if (typeof value !== 'string') throw new ApiError(400, 'InvalidRequest', `'${key}' must be a string.`, key);
    parameters[key.slice(PARAMETER_PREFIX.length)] = value;
  }
  const connector = text('connector');
  const operationId = text('triggerOperation');
  if (connector === undefined && operationId === undefined && Object.keys(parameters).length === 0) return undefined;
  return {
    ...(connector !== undefined ? { connector } : {}),
    ...(operationId !== undefined ? { operationId } : {}),
    parameters,
  };
}

const same = (a: string | undefined, b: string): boolean => a !== undefined && a.toLowerCase() === b.toLowerCase();

/** The text a parameter value compares as (a number or boolean as written in JSON). */
function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function matches(use: TriggerUse, connectorName: string | undefined, filter: TriggerFilter): boolean {
  if (filter.connector !== undefined && !same(connectorName, filter.connector)) return false;
  if (filter.operationId !== undefined && !same(use.operationId, filter.operationId)) return false;
  return Object.entries(filter.parameters).every(([name, value]) => asText(use.parameters[name]) === value);
}

/**
 * Whether a definition has a trigger the filter matches; `connectorOf` says which connector a
 * connection reference stands for (a flow: its connection's; a template: its declared one).
 */
export async function definitionMatches(
  definition: unknown,
  connectorOf: (referenceName: string) => Promise<string | undefined> | string | undefined,
  filter: TriggerFilter,
): Promise<boolean> {
  for (const use of triggerUses(definition)) {
    const connectorName = use.referenceName !== undefined ? await connectorOf(use.referenceName) : undefined;
    if (matches(use, connectorName, filter)) return true;
  }
  return false;
}
