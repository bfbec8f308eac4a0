/**
 * Connections: the values a user gives for a connector's connectionParameters (or for one of its
 * connectionParameterSets), checked against the definitions (spec §14.4), and which of them are
 * secret, so the store can encrypt exactly those and the API never shows them.
 *
 * Secret: every securestring, secureobject, clientCertificate and oauthSetting value (the latter
 * holds the tokens and maybe a client secret); every parameter a UI masks (clearText: false);
 * every parameter named like a password or secret; and the parameters that carry the swagger's
 * apiKey or basic credentials (credentials.ts finds them), whatever their declared type.
 */
import type { ConnectionProblem, Result } from './errors.js';
import type { ConnectionParameter, Connector } from './model.js';
import { credentialParameterNames } from './credential-params.js';
import { asBool, isRecord } from './values.js';

export interface ConnectionValues {
  /** By connection parameter name; an oauthSetting parameter holds an OAuthConnectionValue. */
  parameters: Record<string, unknown>;
  /** The connectionParameterSets entry used; needed when the connector has more than one. */
  parameterSet?: string;
}

/**
 * What a connection keeps for an oauthSetting parameter. Before consent only the client
 * (for connectors whose app the user registers) or nothing is there.
 */
export interface OAuthConnectionValue {
  accessToken?: string;
  refreshToken?: string;
  /** ISO 8601 time or epoch milliseconds. */
  expiresAt?: string | number;
  tokenType?: string;
  clientId?: string;
  clientSecret?: string;
  scope?: string;
}

export interface ValidatedConnection {
  /** The parameter set in use (named, or the only one). */
  parameterSet?: string;
  /** Names of the parameters whose values are secret. */
  secrets: string[];
  /** oauthSetting parameters without an access token yet: the connection needs consent. */
  needsConsent: string[];
}

/** The parameter definitions a connection fills: connectionParameters plus its set's. */
export function parameterDefinitions(connector: Connector, parameterSet?: string): Record<string, ConnectionParameter> {
  const sets = connector.connectionParameterSets?.values ?? [];
  const set =
    parameterSet !== undefined ? sets.find((s) => s.name === parameterSet) : sets.length === 1 ? sets[0] : undefined;
  return { ...connector.connectionParameters, ...(set?.parameters ?? {}) };
}

/** A parameter's value as policies and credentials read it: given, else its defaultValue. */
export function connectionValue(connector: Connector, connection: ConnectionValues | undefined, name: string): unknown {
  const given = lookup(connection?.parameters ?? {}, name);
  if (given !== undefined && given !== null && given !== '') return given;
  return lookup(parameterDefinitions(connector, connection?.parameterSet), name)?.defaultValue ?? given;
}

/** The OAuth value of the connection (the first oauthSetting parameter that has one). */
export function oauthValue(
  connector: Connector,
  connection: ConnectionValues | undefined,
): OAuthConnectionValue | undefined {
  const defs = parameterDefinitions(connector, connection?.parameterSet);
  const names = Object.values(defs)
    .filter((d) => d.type === 'oauthSetting')
    .map((d) => d.name);
  // Connectors without an oauthSetting definition still name it `token` by convention.
  if (!names.includes('token')) names.push('token');
  for (const name of names) {
    const value = connection?.parameters[name];
    if (typeof value === 'string' && value !== '') return { accessToken: value };
    if (isRecord(value)) return value as OAuthConnectionValue;
  }
  return undefined;
}

const SECRET_TYPES = new Set(['securestring', 'secureobject', 'oauthSetting', 'clientCertificate']);

export function isSecretParameter(parameter: ConnectionParameter): boolean {
  return SECRET_TYPES.has(parameter.type) || parameter.masked === true || /password|secret/i.test(parameter.name);
}

/** Names of the secret parameters of a connection (see the header comment). */
export function secretParameterNames(connector: Connector, parameterSet?: string): string[] {
  const defs = parameterDefinitions(connector, parameterSet);
  const names = Object.values(defs)
    .filter(isSecretParameter)
    .map((d) => d.name);
  for (const name of credentialParameterNames(connector, defs)) if (!names.includes(name)) names.push(name);
  return names;
}

/** Splits a connection's values into what may be shown and what must be encrypted. */
export function splitSecrets(
  values: Record<string, unknown>,
  secretNames: readonly string[],
): { plain: Record<string, unknown>; secret: Record<string, unknown> } {
  const plain: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  const secretSet = new Set(secretNames.map((n) => n.toLowerCase()));
  for (const [name, value] of Object.entries(values))
    (secretSet.has(name.toLowerCase()) ? secret : plain)[name] = value;
  return { plain, secret };
}

type Check = (value: unknown, def: ConnectionParameter) => boolean;

/** What a value of each type must look like (`undefined` is handled before: required or not). */
const TYPE_CHECKS: Record<ConnectionParameter['type'], Check> = {
  string: (v) => typeof v === 'string',
  securestring: (v) => typeof v === 'string',
  secureobject: (v) => isRecord(v) || typeof v === 'string',
  bool: (v) => asBool(v) !== undefined,
  int: (v) => (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v)),
  object: (v) => isRecord(v),
  array: (v) => Array.isArray(v),
  oauthSetting: (v) =>
    typeof v === 'string' ||
    (isRecord(v) &&
      ['accessToken', 'refreshToken', 'tokenType', 'clientId', 'clientSecret', 'scope'].every(
        (k) => v[k] === undefined || typeof v[k] === 'string',
      )),
  gatewaySetting: () => false,
  clientCertificate: (v) => typeof v === 'string' || isRecord(v),
};

export function validateConnection(connector: Connector, connection: ConnectionValues): Result<ValidatedConnection> {
  const problems: ConnectionProblem[] = [];
  const sets = connector.connectionParameterSets?.values ?? [];
  let parameterSet = connection.parameterSet;
  if (sets.length > 0) {
    if (parameterSet === undefined && sets.length === 1) parameterSet = sets[0]!.name;
    if (parameterSet === undefined)
      problems.push({
        code: 'ParameterSetRequired',
        parameter: 'parameterSet',
        message: `Choose one of the parameter sets: ${sets.map((s) => s.name).join(', ')}.`,
      });
    else if (!sets.some((s) => s.name === parameterSet))
      problems.push({
        code: 'UnknownParameterSet',
        parameter: 'parameterSet',
        message: `'${parameterSet}' is not a parameter set of this connector (${sets.map((s) => s.name).join(', ')}).`,
      });
  } else if (parameterSet !== undefined)
    problems.push({
      code: 'UnknownParameterSet',
      parameter: 'parameterSet',
      message: 'This connector has no parameter sets.',
    });
  const defs = parameterDefinitions(connector, parameterSet);
  const values = isRecord(connection.parameters) ? connection.parameters : {};

  for (const name of Object.keys(values))
    if (!(name in defs))
      problems.push({
        code: 'UnknownConnectionParameter',
        parameter: name,
        message: `'${name}' is not a connection parameter.`,
      });
  const needsConsent: string[] = [];
  for (const def of Object.values(defs)) {
    const value = values[def.name] ?? def.defaultValue;
    const missing = value === undefined || value === null || value === '';
    if (def.type === 'gatewaySetting') {
      if (!missing || def.required)
        problems.push({
          code: 'UnsupportedConnectionParameter',
          parameter: def.name,
          message: `'${def.name}' is an on-premises gateway, which is not supported.`,
        });
      continue;
    }
    if (def.type === 'oauthSetting') {
      const token = typeof value === 'string' ? value : isRecord(value) ? value.accessToken : undefined;
      if (typeof token !== 'string' || token === '') needsConsent.push(def.name);
      if (missing) continue;
    } else if (missing) {
      if (def.required)
        problems.push({
          code: 'MissingConnectionParameter',
          parameter: def.name,
          message: `'${def.name}' is required.`,
        });
      continue;
    }
    if (!TYPE_CHECKS[def.type](value, def)) {
      problems.push({
        code: 'InvalidConnectionParameterType',
        parameter: def.name,
        message: `'${def.name}' must be a ${def.type} value.`,
      });
      continue;
    }
    if (
      def.allowedValues &&
      def.allowedValues.length > 0 &&
      !def.allowedValues.some((a) => String(a) === String(value))
    )
      problems.push({
        code: 'NotAllowedValue',
        parameter: def.name,
        message: `'${def.name}' must be one of ${def.allowedValues.map((a) => JSON.stringify(a)).join(', ')}.`,
      });
  }
  if (problems.length > 0)
    return {
      ok: false,
      error: {
        code: 'InvalidConnectionParameters',
        message: problems.map((p) => p.message).join(' '),
        problems,
      },
    };
  return {
    ok: true,
    value: {
      ...(parameterSet !== undefined ? { parameterSet } : {}),
      secrets: secretParameterNames(connector, parameterSet),
      needsConsent,
    },
  };
}

/** Exact name first, then ignoring case (flows and APIs are loose about it). */
function lookup<T>(object: Record<string, T>, name: string): T | undefined {
  if (Object.prototype.hasOwnProperty.call(object, name)) return object[name];
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(object)) if (key.toLowerCase() === lower) return value;
  return undefined;
}
