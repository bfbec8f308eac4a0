/**
 * Import: a custom connector's apiDefinition (Swagger 2.0) and apiProperties, as its author ships
 * them, → the normalized Connector (model.ts) or one coded error with a JSON pointer. Pure.
 *
 * Name: `shared_` + the title folded: lower case, accents dropped (NFKD), and every character
 * that is not an ASCII letter, digit or `_` removed ("Zoho Mail" → shared_zohomail, "Météo-France"
 * → shared_meteofrance). Power Platform's own names are ASCII, and these end up in URLs and in
 * `apiId`s that flows compare as text. A title with nothing left needs an explicit name.
 */
import { fail, type ConnectorWarning, type Result } from './errors.js';
import { importOperations } from './import-operations.js';
import { importProperties } from './import-properties.js';
import type { Connector, Operation, PollingPolicy, SecurityDefinition } from './model.js';
import { appliesTo } from './policies.js';
import { readConnectorJson } from './read-json.js';
import { RefError, RefResolver } from './refs.js';
import { asString, asStringArray, isRecord } from './values.js';

export interface ImportInput {
  /** apiDefinition.swagger.json, parsed. */
  apiDefinition: unknown;
  /** apiProperties.json, parsed (optional: a bare swagger imports with no connection parameters). */
  apiProperties?: unknown;
  name?: string;
  /**
   * Upstream ships custom code (script.csx) with the connector. Operations listed in
   * scriptOperations (or script.operationIds) are marked either way; with no list, custom code
   * covers every operation (Power Platform's default), which only the caller can know.
   */
  customCode?: boolean;
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export function connectorName(title: string): string | undefined {
  const folded = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '');
  return folded === '' ? undefined : `shared_${folded}`;
}

export function apiIdOf(name: string): string {
  return `/providers/Microsoft.PowerApps/apis/${name}`;
}

/** The files as bytes or text: tolerant reading (read-json.ts), then import. */
export function importConnectorFiles(files: {
  apiDefinition: Uint8Array | string;
  apiProperties?: Uint8Array | string;
  name?: string;
  customCode?: boolean;
}): Result<Connector> {
  const definition = readConnectorJson(files.apiDefinition, 'apiDefinition');
  if (!definition.ok) return definition;
  const warnings = [...definition.warnings];
  let apiProperties: unknown;
  if (files.apiProperties !== undefined) {
    const properties = readConnectorJson(files.apiProperties, 'apiProperties');
    if (!properties.ok) return properties;
    warnings.push(...properties.warnings);
    apiProperties = properties.value;
  }
  const imported = importConnector({
    apiDefinition: definition.value,
    apiProperties,
    ...(files.name !== undefined ? { name: files.name } : {}),
    ...(files.customCode !== undefined ? { customCode: files.customCode } : {}),
  });
  if (imported.ok) imported.value.warnings.unshift(...warnings);
  return imported;
}

export function importConnector(input: ImportInput): Result<Connector> {
  const doc = input.apiDefinition;
  if (!isRecord(doc)) return invalid('The API definition must be a JSON object.', '');
  const version = doc.swagger;
  if (version !== '2.0' && version !== 2) {
    const openapi = asString(doc.openapi);
    return fail(
      'UnsupportedVersion',
      openapi
        ? `OpenAPI ${openapi} is not supported; custom connectors are Swagger 2.0.`
        : `Expected "swagger": "2.0", found ${JSON.stringify(version ?? null)}.`,
      { document: 'apiDefinition', pointer: openapi ? '/openapi' : '/swagger' },
    );
  }
  if (doc.paths !== undefined && !isRecord(doc.paths)) return invalid('`paths` must be an object.', '/paths');
  const info = isRecord(doc.info) ? doc.info : {};
  const title = asString(info.title)?.trim() ?? '';

  let name: string;
  if (input.name !== undefined) {
    if (!NAME.test(input.name))
      return fail('InvalidName', `Connector name '${input.name}' may use letters, digits, '_', '.' and '-' only.`);
    name = input.name;
  } else {
    const derived = connectorName(title);
    if (!derived)
      return fail('InvalidName', 'The API definition has no title to derive a name from; give a name.', {
        document: 'apiDefinition',
        pointer: '/info/title',
      });
    name = derived;
  }

  const properties = importProperties(input.apiProperties);
  if (!properties.ok) return properties;
  const warnings: ConnectorWarning[] = [];

  let operations: Operation[];
  try {
    operations = importOperations(doc, new RefResolver(doc), warnings);
  } catch (e) {
    if (e instanceof RefError) return { ok: false, error: e.error };
    throw e;
  }
  warnings.push(...properties.value.warnings);

  attachPollingPolicies(operations, properties.value.policies);
  const custom = markCustomCode(operations, properties.value.scriptOperations, input.customCode === true);
  if (custom.length > 0)
    warnings.push({
      code: 'CustomCodeNotSupported',
      document: 'apiProperties',
      operations: custom,
      message: `Custom code (script.csx) is not supported; ${custom.length} operation(s) will fail at run time: ${custom.join(', ')}.`,
    });

  const connector: Connector = {
    name,
    apiId: apiIdOf(name),
    title,
    schemes: asStringArray(doc.schemes).map((s) => s.toLowerCase()),
    basePath: asString(doc.basePath) ?? '/',
    consumes: asStringArray(doc.consumes),
    produces: asStringArray(doc.produces),
    operations,
    securityDefinitions: readSecurityDefinitions(doc.securityDefinitions),
    security: Array.isArray(doc.security) ? doc.security.filter(isRecord).map((r) => Object.keys(r)) : [],
    connectionParameters: properties.value.connectionParameters,
    policies: properties.value.policies,
    capabilities: properties.value.capabilities,
    warnings,
  };
  const host = asString(doc.host)?.trim();
  if (host) connector.host = host;
  const description = asString(info.description);
  if (description !== undefined) connector.description = description;
  const infoVersion = asString(info.version);
  if (infoVersion !== undefined) connector.version = infoVersion;
  if (properties.value.connectionParameterSets)
    connector.connectionParameterSets = properties.value.connectionParameterSets;
  const capabilities = isRecord(doc['x-ms-capabilities']) ? doc['x-ms-capabilities'] : {};
  const test = isRecord(capabilities.testConnection) ? capabilities.testConnection : undefined;
  const testOperation = asString(test?.operationId);
  if (test && testOperation)
    connector.testConnection = {
      operationId: testOperation,
      ...(isRecord(test.parameters) ? { parameters: test.parameters } : {}),
    };
  return { ok: true, value: connector };
}

function readSecurityDefinitions(raw: unknown): Record<string, SecurityDefinition> {
  const out: Record<string, SecurityDefinition> = {};
  if (!isRecord(raw)) return out;
  for (const [key, def] of Object.entries(raw)) {
    if (!isRecord(def)) continue;
    const type = asString(def.type) ?? '';
    const where = asString(def.in)?.toLowerCase();
    const name = asString(def.name);
    if (type.toLowerCase() === 'apikey' && (where === 'header' || where === 'query') && name)
      out[key] = { type: 'apiKey', in: where, name };
    else if (type.toLowerCase() === 'basic') out[key] = { type: 'basic' };
    else if (type.toLowerCase() === 'oauth2') {
      const oauth: SecurityDefinition = { type: 'oauth2' };
      for (const k of ['flow', 'authorizationUrl', 'tokenUrl'] as const) {
        const v = asString(def[k]);
        if (v !== undefined) oauth[k] = v;
      }
      if (isRecord(def.scopes))
        oauth.scopes = Object.fromEntries(Object.entries(def.scopes).map(([k, v]) => [k, String(v)]));
      out[key] = oauth;
    } else out[key] = { type: 'unknown', declaredType: type };
  }
  return out;
}

/** The pollingtrigger policy makes the operations it names polling triggers (batch unless declared). */
function attachPollingPolicies(operations: Operation[], policies: Connector['policies']): void {
  for (const policy of policies) {
    if (policy.templateId !== 'pollingtrigger') continue;
    const config = isRecord(policy.parameters.triggerConfig) ? policy.parameters.triggerConfig : {};
    const pollingPolicy: PollingPolicy = {
      triggerConfig: Object.fromEntries(
        Object.entries(config).filter((e): e is [string, string] => typeof e[1] === 'string'),
      ),
    };
    const dataPath = asString(policy.parameters.triggerDataPath);
    if (dataPath) pollingPolicy.triggerDataPath = dataPath;
    for (const operation of operations) {
      if (!appliesTo(policy, operation.operationId) || operation.trigger?.kind === 'webhook') continue;
      operation.trigger = {
        ...(operation.trigger ?? { cardinality: 'batch' }),
        kind: 'polling',
        pollingPolicy,
      };
    }
  }
}

function markCustomCode(operations: Operation[], listed: string[], shipped: boolean): string[] {
  const marked: string[] = [];
  for (const operation of operations) {
    if (listed.length > 0 ? listed.includes(operation.operationId) : shipped) {
      operation.customCode = true;
      marked.push(operation.operationId);
    }
  }
  return marked;
}

function invalid(message: string, pointer: string): Result<never> {
  return fail('InvalidDocument', message, { document: 'apiDefinition', pointer });
}
