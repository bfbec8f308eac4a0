/**
 * apiProperties.json → connection parameters, parameter sets, policy template instances,
 * capabilities and the operations upstream custom code covers. Spec §14.4 and §14.5.
 */
import { fail, pointerOf, type ConnectorWarning, type Result } from './errors.js';
import type {
  ConnectionParameter,
  ConnectionParameterSet,
  ConnectionParameterType,
  Connector,
  OAuthSettings,
  PolicyInstance,
} from './model.js';
import { policySupport } from './policies.js';
import { asBool, asString, asStringArray, isRecord } from './values.js';

export interface ImportedProperties {
  connectionParameters: Record<string, ConnectionParameter>;
  connectionParameterSets?: Connector['connectionParameterSets'];
  policies: PolicyInstance[];
  capabilities: string[];
  /** Operation ids listed for custom code (scriptOperations, or script.operationIds); empty = none listed. */
  scriptOperations: string[];
  warnings: ConnectorWarning[];
}

const TYPES: Record<string, ConnectionParameterType> = {
  string: 'string',
  securestring: 'securestring',
  secureobject: 'secureobject',
  bool: 'bool',
  boolean: 'bool',
  int: 'int',
  integer: 'int',
  object: 'object',
  array: 'array',
  oauthsetting: 'oauthSetting',
  gatewaysetting: 'gatewaySetting',
  clientcertificate: 'clientCertificate',
};

const TEMPLATE_PARAMETER = 'x-ms-apimtemplateparameter.';
const TEMPLATE_META = 'x-ms-apimtemplate-';

export function importProperties(apiProperties: unknown): Result<ImportedProperties> {
  const empty: ImportedProperties = {
    connectionParameters: {},
    policies: [],
    capabilities: [],
    scriptOperations: [],
    warnings: [],
  };
  if (apiProperties === undefined || apiProperties === null) return { ok: true, value: empty };
  if (!isRecord(apiProperties))
    return fail('InvalidDocument', 'apiProperties must be a JSON object.', { document: 'apiProperties', pointer: '' });
  const props = apiProperties.properties ?? {};
  if (!isRecord(props))
    return fail('InvalidDocument', 'apiProperties.properties must be an object.', {
      document: 'apiProperties',
      pointer: '/properties',
    });
  const warnings: ConnectorWarning[] = [];

  const params = readParameters(props.connectionParameters, ['properties', 'connectionParameters'], warnings);
  if (!params.ok) return params;
  let sets: ImportedProperties['connectionParameterSets'];
  if (props.connectionParameterSets !== undefined) {
    const read = readParameterSets(props.connectionParameterSets, warnings);
    if (!read.ok) return read;
    sets = read.value;
  }
  const policies = readPolicies(props.policyTemplateInstances, warnings);
  if (!policies.ok) return policies;

  const script = isRecord(props.script) ? props.script : undefined;
  const scriptOperations = Array.isArray(props.scriptOperations)
    ? asStringArray(props.scriptOperations)
    : asStringArray(script?.operationIds);

  return {
    ok: true,
    value: {
      connectionParameters: params.value,
      ...(sets ? { connectionParameterSets: sets } : {}),
      policies: policies.value,
      capabilities: asStringArray(props.capabilities),
      scriptOperations,
      warnings,
    },
  };
}

function readParameters(
  raw: unknown,
  at: string[],
  warnings: ConnectorWarning[],
): Result<Record<string, ConnectionParameter>> {
  if (raw === undefined || raw === null) return { ok: true, value: {} };
  if (!isRecord(raw))
    return fail('InvalidDocument', 'connectionParameters must be an object.', {
      document: 'apiProperties',
      pointer: pointerOf(at),
    });
  const out: Record<string, ConnectionParameter> = {};
  for (const [name, def] of Object.entries(raw)) {
    if (!isRecord(def))
      return fail('InvalidDocument', `Connection parameter '${name}' must be an object.`, {
        document: 'apiProperties',
        pointer: pointerOf([...at, name]),
      });
    const declared = asString(def.type) ?? 'string';
    const type = TYPES[declared.toLowerCase()];
    const ui = isRecord(def.uiDefinition) ? def.uiDefinition : {};
    const constraints = isRecord(ui.constraints) ? ui.constraints : {};
    const parameter: ConnectionParameter = {
      name,
      type: type ?? 'string',
      required: asBool(constraints.required) ?? false,
    };
    if (!type || declared !== type) parameter.declaredType = declared;
    if (def.defaultValue !== undefined) parameter.defaultValue = def.defaultValue;
    if (Array.isArray(constraints.allowedValues))
      parameter.allowedValues = constraints.allowedValues.map((v) => (isRecord(v) && 'value' in v ? v.value : v));
    const hidden = asBool(constraints.hidden);
    if (hidden !== undefined) parameter.hidden = hidden;
    if (asBool(constraints.clearText) === false) parameter.masked = true;
    const displayName = asString(ui.displayName);
    if (displayName !== undefined) parameter.displayName = displayName;
    const description = asString(ui.description);
    if (description !== undefined) parameter.description = description;
    if (parameter.type === 'oauthSetting' && isRecord(def.oAuthSettings))
      parameter.oAuthSettings = readOAuth(def.oAuthSettings);
    if (parameter.type === 'gatewaySetting')
      warnings.push({
        code: 'GatewayNotSupported',
        document: 'apiProperties',
        pointer: pointerOf([...at, name]),
        message: `Connection parameter '${name}' is an on-premises gateway, which is not supported.`,
      });
    out[name] = parameter;
  }
  return { ok: true, value: out };
}

function readOAuth(raw: Record<string, unknown>): OAuthSettings {
  const custom: Record<string, unknown> = {};
  if (isRecord(raw.customParameters))
    for (const [key, entry] of Object.entries(raw.customParameters))
      custom[key] = isRecord(entry) && 'value' in entry ? entry.value : entry;
  const settings: OAuthSettings = {
    identityProvider: asString(raw.identityProvider) ?? 'oauth2',
    scopes: asStringArray(raw.scopes),
    customParameters: custom,
  };
  for (const key of ['clientId', 'clientSecret', 'redirectMode', 'redirectUrl'] as const) {
    const value = asString(raw[key]);
    if (value !== undefined) settings[key] = value;
  }
  if (isRecord(raw.properties)) settings.properties = raw.properties;
  return settings;
}

function readParameterSets(
  raw: unknown,
  warnings: ConnectorWarning[],
): Result<NonNullable<ImportedProperties['connectionParameterSets']>> {
  const at = ['properties', 'connectionParameterSets'];
  if (!isRecord(raw) || !Array.isArray(raw.values))
    return fail('InvalidDocument', 'connectionParameterSets must be an object with a `values` array.', {
      document: 'apiProperties',
      pointer: pointerOf(at),
    });
  const values: ConnectionParameterSet[] = [];
  for (const [i, entry] of raw.values.entries()) {
    const name = isRecord(entry) ? asString(entry.name) : undefined;
    if (!isRecord(entry) || !name)
      return fail('InvalidDocument', 'Each connection parameter set needs a name.', {
        document: 'apiProperties',
        pointer: pointerOf([...at, 'values', i]),
      });
    const params = readParameters(entry.parameters, [...at, 'values', String(i), 'parameters'], warnings);
    if (!params.ok) return params;
    const ui = isRecord(entry.uiDefinition) ? entry.uiDefinition : {};
    const set: ConnectionParameterSet = { name, parameters: params.value };
    const displayName = asString(ui.displayName);
    if (displayName !== undefined) set.displayName = displayName;
    const description = asString(ui.description);
    if (description !== undefined) set.description = description;
    values.push(set);
  }
  const ui = isRecord(raw.uiDefinition) ? raw.uiDefinition : {};
  const out: NonNullable<ImportedProperties['connectionParameterSets']> = { values };
  const displayName = asString(ui.displayName);
  if (displayName !== undefined) out.displayName = displayName;
  const description = asString(ui.description);
  if (description !== undefined) out.description = description;
  return { ok: true, value: out };
}

function readPolicies(raw: unknown, warnings: ConnectorWarning[]): Result<PolicyInstance[]> {
  const at = ['properties', 'policyTemplateInstances'];
  if (raw === undefined || raw === null) return { ok: true, value: [] };
  if (!Array.isArray(raw))
    return fail('InvalidDocument', 'policyTemplateInstances must be an array.', {
      document: 'apiProperties',
      pointer: pointerOf(at),
    });
  const out: PolicyInstance[] = [];
  for (const [i, entry] of raw.entries()) {
    const pointer = pointerOf([...at, i]);
    const templateId = isRecord(entry) ? asString(entry.templateId) : undefined;
    if (!isRecord(entry) || !templateId)
      return fail('InvalidDocument', 'Each policy template instance needs a templateId.', {
        document: 'apiProperties',
        pointer,
      });
    const parameters: Record<string, unknown> = {};
    let operations: string[] | 'all' = 'all';
    let section: PolicyInstance['section'] = 'request';
    for (const [key, value] of Object.entries(isRecord(entry.parameters) ? entry.parameters : {})) {
      const lower = key.toLowerCase();
      if (lower.startsWith(TEMPLATE_PARAMETER)) parameters[key.slice(TEMPLATE_PARAMETER.length)] = value;
      else if (lower === `${TEMPLATE_META}operationname`) {
        const names = Array.isArray(value) ? asStringArray(value) : typeof value === 'string' ? [value] : [];
        operations = names.length > 0 ? names : 'all';
      } else if (lower === `${TEMPLATE_META}policysection`)
        section = String(value).toLowerCase() === 'response' ? 'response' : 'request';
      else parameters[key] = value;
    }
    const id = templateId.toLowerCase();
    const support = policySupport(id);
    const instance: PolicyInstance = { templateId: id, operations, section, parameters, support, pointer };
    const title = asString(entry.title);
    if (title !== undefined) instance.title = title;
    out.push(instance);
    if (support === 'unknown' || support === 'unsupported')
      warnings.push({
        code: support === 'unknown' ? 'UnknownPolicyTemplate' : 'UnsupportedPolicyTemplate',
        document: 'apiProperties',
        pointer,
        message:
          `Policy template '${templateId}' is not supported; ` +
          (operations === 'all' ? 'every operation' : `operations ${operations.join(', ')}`) +
          ' will fail at run time.',
        ...(operations === 'all' ? {} : { operations }),
      });
  }
  return { ok: true, value: out };
}
