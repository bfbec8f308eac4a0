/**
 * The swagger's paths → operations: parameters (path-item ones merged in, $refs resolved),
 * consumes/produces, responses, x-ms-trigger with its webhook or polling nature (spec §14.1,
 * §14.2). Throws RefError for a broken $ref (the importer turns it into a coded error).
 */
import { pointerOf, type ConnectorWarning } from './errors.js';
import {
  HTTP_METHODS,
  type NotificationUrlLocation,
  type Operation,
  type OperationParameter,
  type OperationResponse,
  type ParameterLocation,
  type Schema,
  type TriggerInfo,
} from './model.js';
import { CIRCULAR, type RefResolver } from './refs.js';
import { asBool, asString, asStringArray, isRecord } from './values.js';

const LOCATIONS: readonly ParameterLocation[] = ['path', 'query', 'header', 'body', 'formData'];

export function importOperations(
  doc: Record<string, unknown>,
  refs: RefResolver,
  warnings: ConnectorWarning[],
): Operation[] {
  const paths = isRecord(doc.paths) ? doc.paths : {};
  const globalConsumes = asStringArray(doc.consumes);
  const globalProduces = asStringArray(doc.produces);
  const operations: Operation[] = [];
  const seen = new Set<string>();
  for (const [path, rawItem] of Object.entries(paths)) {
    if (!isRecord(rawItem)) continue;
    const item = typeof rawItem.$ref === 'string' ? refs.resolve(rawItem, ['paths', path]) : rawItem;
    if (!isRecord(item)) continue;
    const shared = readParameters(item.parameters, ['paths', path, 'parameters'], refs);
    const notificationContent = readNotificationContent(item['x-ms-notification-content'], path, refs);
    for (const method of HTTP_METHODS) {
      const raw = item[method];
      if (!isRecord(raw)) continue;
      const at = ['paths', path, method];
      const own = readParameters(raw.parameters, [...at, 'parameters'], refs);
      const parameters = [...shared.filter((s) => !own.some((o) => o.name === s.name && o.in === s.in)), ...own];
      let operationId = asString(raw.operationId)?.trim() ?? '';
      if (operationId === '') {
        operationId = `${method.toUpperCase()} ${path}`;
        warnings.push({
          code: 'OperationWithoutId',
          document: 'apiDefinition',
          pointer: pointerOf(at),
          message: `${method.toUpperCase()} ${path} has no operationId; kept as '${operationId}'.`,
        });
      }
      if (seen.has(operationId)) {
        warnings.push({
          code: 'DuplicateOperationId',
          document: 'apiDefinition',
          pointer: pointerOf(at),
          message: `operationId '${operationId}' is used twice; the first one is kept.`,
          operations: [operationId],
        });
        continue;
      }
      seen.add(operationId);
      const operation: Operation = {
        operationId,
        method,
        path,
        deprecated: asBool(raw.deprecated) ?? false,
        parameters,
        consumes: Array.isArray(raw.consumes) ? asStringArray(raw.consumes) : globalConsumes,
        produces: Array.isArray(raw.produces) ? asStringArray(raw.produces) : globalProduces,
        responses: readResponses(raw.responses, [...at, 'responses'], refs),
        customCode: false,
        pointer: pointerOf(at),
      };
      const summary = asString(raw.summary);
      if (summary !== undefined) operation.summary = summary;
      const description = asString(raw.description);
      if (description !== undefined) operation.description = description;
      const visibility = asString(raw['x-ms-visibility']);
      if (visibility) operation.visibility = visibility.toLowerCase();
      const trigger = readTrigger(raw, parameters, notificationContent);
      if (trigger) operation.trigger = trigger;
      operations.push(operation);
    }
  }
  return operations;
}

function readParameters(raw: unknown, at: (string | number)[], refs: RefResolver): OperationParameter[] {
  if (!Array.isArray(raw)) return [];
  const out: OperationParameter[] = [];
  for (const [i, entry] of raw.entries()) {
    const resolved = refs.resolve(entry, [...at, i]);
    if (!isRecord(resolved)) continue;
    const name = asString(resolved.name);
    const location = LOCATIONS.find((l) => l.toLowerCase() === asString(resolved.in)?.toLowerCase());
    if (name === undefined || location === undefined) continue;
    const parameter: OperationParameter = {
      name,
      in: location,
      // Swagger: path parameters are always required.
      required: location === 'path' ? true : (asBool(resolved.required) ?? false),
    };
    const type = asString(resolved.type);
    if (type !== undefined) parameter.type = type;
    const format = asString(resolved.format);
    if (format) parameter.format = format;
    if (resolved.default !== undefined) parameter.default = resolved.default;
    if (Array.isArray(resolved.enum)) parameter.enum = resolved.enum;
    const collectionFormat = asString(resolved.collectionFormat);
    if (collectionFormat !== undefined) parameter.collectionFormat = collectionFormat;
    if (isRecord(resolved.items)) parameter.items = resolved.items;
    const encoding = asString(resolved['x-ms-url-encoding'])?.toLowerCase();
    if (encoding === 'single' || encoding === 'double') parameter.urlEncoding = encoding;
    const visibility = asString(resolved['x-ms-visibility']);
    if (visibility) parameter.visibility = visibility.toLowerCase();
    const summary = asString(resolved['x-ms-summary']);
    if (summary !== undefined) parameter.summary = summary;
    const description = asString(resolved.description);
    if (description !== undefined) parameter.description = description;
    if (isRecord(resolved.schema)) parameter.schema = resolved.schema;
    if (asBool(resolved['x-ms-notification-url'])) parameter.notificationUrl = true;
    out.push(parameter);
  }
  return out;
}

function readResponses(raw: unknown, at: string[], refs: RefResolver): Record<string, OperationResponse> {
  const out: Record<string, OperationResponse> = {};
  if (!isRecord(raw)) return out;
  for (const [status, entry] of Object.entries(raw)) {
    const resolved = refs.resolve(entry, [...at, status]);
    if (!isRecord(resolved)) continue;
    const response: OperationResponse = {};
    const description = asString(resolved.description);
    if (description !== undefined) response.description = description;
    if (isRecord(resolved.schema)) response.schema = resolved.schema;
    if (isRecord(resolved.headers)) response.headers = resolved.headers;
    out[status] = response;
  }
  return out;
}

function readNotificationContent(raw: unknown, path: string, refs: RefResolver): TriggerInfo['notificationContent'] {
  if (!isRecord(raw)) return undefined;
  const resolved = refs.resolve(raw, ['paths', path, 'x-ms-notification-content']);
  if (!isRecord(resolved)) return undefined;
  const content: NonNullable<TriggerInfo['notificationContent']> = {};
  const description = asString(resolved.description);
  if (description !== undefined) content.description = description;
  if (isRecord(resolved.schema)) content.schema = resolved.schema;
  return content;
}

/**
 * A trigger is an operation with x-ms-trigger. Webhook when the callback URL has a place in its
 * request (x-ms-notification-url on a parameter or body property); polling otherwise. The
 * pollingtrigger policy is attached later, by the importer (it knows the policies).
 */
function readTrigger(
  raw: Record<string, unknown>,
  parameters: OperationParameter[],
  notificationContent: TriggerInfo['notificationContent'],
): TriggerInfo | undefined {
  const declared = asString(raw['x-ms-trigger'])?.toLowerCase();
  if (declared === undefined) return undefined;
  const cardinality = declared === 'batch' ? 'batch' : 'single';
  const notificationUrl = findNotificationUrl(parameters);
  const trigger: TriggerInfo = { kind: notificationUrl ? 'webhook' : 'polling', cardinality };
  if (notificationUrl) trigger.notificationUrl = notificationUrl;
  if (notificationContent) trigger.notificationContent = notificationContent;
  const hint = asString(raw['x-ms-trigger-hint']);
  if (hint !== undefined) trigger.hint = hint;
  return trigger;
}

export function findNotificationUrl(parameters: readonly OperationParameter[]): NotificationUrlLocation | undefined {
  for (const p of parameters) if (p.notificationUrl) return { in: p.in, name: p.name, path: [] };
  for (const p of parameters) {
    if (p.in !== 'body' || !p.schema) continue;
    const path = findInSchema(p.schema, 0);
    if (path) return { in: 'body', name: p.name, path };
  }
  return undefined;
}

function findInSchema(schema: Schema, depth: number): string[] | undefined {
  if (depth > 8 || schema[CIRCULAR]) return undefined;
  const properties = isRecord(schema.properties) ? schema.properties : {};
  for (const [name, child] of Object.entries(properties))
    if (isRecord(child) && asBool(child['x-ms-notification-url'])) return [name];
  for (const [name, child] of Object.entries(properties)) {
    if (!isRecord(child)) continue;
    const below = findInSchema(child, depth + 1);
    if (below) return [name, ...below];
  }
  return undefined;
}
