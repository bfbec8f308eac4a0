/**
 * An OpenApiConnection action's `parameters` → the operation's path, query, headers and body.
 * Keys are the swagger's parameter names; the body parameter takes its whole value under its own
 * name (`body`, `item`, `emailMessage`: whatever the swagger calls it) and single properties under
 * flattened paths (`body/meta/url`, `item/title`), as Power Automate writes them (spec §4.6).
 * Defaults fill required and internal parameters and body properties the flow leaves out; what is
 * still required and missing comes back as one error naming every key.
 */
import { createHash } from 'node:crypto';
import { fail, pointerOf, type Result } from './errors.js';
import type { Operation, OperationParameter, Schema } from './model.js';
import { CIRCULAR } from './refs.js';
import { isRecord } from './values.js';

export interface MappedParameters {
  /** The operation path with its values in, escaped per x-ms-url-encoding. */
  path: string;
  pathValues: Record<string, string>;
  query: [string, string][];
  headers: [string, string][];
  body?: string | Uint8Array | Record<string, unknown> | unknown[] | number | boolean | null;
  contentType?: string;
}

export function mapParameters(operation: Operation, given: Record<string, unknown>): Result<MappedParameters> {
  const missing: string[] = [];
  const out: MappedParameters = { path: operation.path, pathValues: {}, query: [], headers: [] };
  const form: [OperationParameter, unknown][] = [];

  for (const parameter of operation.parameters) {
    if (parameter.in === 'body') continue;
    let value = lookup(given, parameter.name);
    if (
      value === undefined &&
      parameter.default !== undefined &&
      (parameter.required || parameter.visibility === 'internal')
    )
      value = parameter.default;
    if (value === undefined || value === null) {
      if (parameter.required) missing.push(parameter.name);
      continue;
    }
    switch (parameter.in) {
      case 'path': {
        const escaped = escapePath(scalarText(value, parameter), parameter.urlEncoding ?? 'single');
        out.pathValues[parameter.name] = escaped;
        out.path = out.path.split(`{${parameter.name}}`).join(escaped);
        break;
      }
      case 'query':
        if (Array.isArray(value) && parameter.collectionFormat === 'multi')
          for (const item of value) out.query.push([parameter.name, scalarText(item, parameter)]);
        else out.query.push([parameter.name, scalarText(value, parameter)]);
        break;
      case 'header':
        out.headers.push([parameter.name, scalarText(value, parameter)]);
        break;
      case 'formData':
        form.push([parameter, value]);
        break;
    }
  }

  const bodyParameter = operation.parameters.find((p) => p.in === 'body');
  if (bodyParameter) {
    const built = buildBody(bodyParameter, given);
    if (!built.ok) return built;
    let body = built.value;
    if (body === undefined && bodyParameter.required && bodyParameter.schema && hasDefaults(bodyParameter.schema))
      body = {};
    if (body !== undefined && bodyParameter.schema) fillDefaults(body, bodyParameter.schema, 0);
    if (body === undefined) {
      if (bodyParameter.required) missing.push(bodyParameter.name);
    } else {
      if (bodyParameter.schema) missingIn(body, bodyParameter.schema, bodyParameter.name, missing, 0);
      const encoded = encodeBody(body, operation, bodyParameter);
      out.body = encoded.body;
      out.contentType = encoded.contentType;
    }
  }
  if (form.length > 0) Object.assign(out, encodeForm(form, operation));

  if (missing.length > 0)
    return fail('MissingRequiredParameters', `Required parameters are missing: ${missing.join(', ')}.`, {
      parameters: missing,
      document: 'inputs',
      pointer: '/parameters',
    });
  return { ok: true, value: out };
}

/** The body from its whole-value key and its flattened `name/a/b` keys (these win). */
function buildBody(parameter: OperationParameter, given: Record<string, unknown>): Result<unknown> {
  let body: unknown = lookup(given, parameter.name);
  if (body !== undefined) body = structuredClone(body);
  const prefix = `${parameter.name.toLowerCase()}/`;
  for (const [key, value] of Object.entries(given)) {
    if (!key.toLowerCase().startsWith(prefix) || value === undefined) continue;
    const path = key
      .slice(prefix.length)
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (body === undefined) body = {};
    if (!isRecord(body))
      return fail('InvalidParameterValue', `'${key}' sets a property, but '${parameter.name}' is not an object.`, {
        document: 'inputs',
        pointer: pointerOf(['parameters', key]),
      });
    let node: Record<string, unknown> = body;
    for (const segment of path.slice(0, -1)) {
      const next = node[segment];
      if (!isRecord(next)) node[segment] = {};
      node = node[segment] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = structuredClone(value);
  }
  return { ok: true, value: body };
}

/** Properties with a default that are required or internal (Power Automate sends those unasked). */
function defaulted(schema: Schema): [string, Schema][] {
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required : [];
  return Object.entries(properties).filter(
    (e): e is [string, Schema] =>
      isRecord(e[1]) &&
      e[1].default !== undefined &&
      (required.includes(e[0]) || e[1]['x-ms-visibility'] === 'internal'),
  );
}

function hasDefaults(schema: Schema): boolean {
  return defaulted(schema).length > 0;
}

function fillDefaults(value: unknown, schema: Schema, depth: number): void {
  if (!isRecord(value) || depth > 16 || schema[CIRCULAR]) return;
  for (const [name, child] of defaulted(schema))
    if (value[name] === undefined) value[name] = structuredClone(child.default);
  const properties = isRecord(schema.properties) ? schema.properties : {};
  for (const [name, child] of Object.entries(properties))
    if (isRecord(child)) fillDefaults(value[name], child, depth + 1);
}

/** Required properties absent from objects that are there (dynamic schemas are not checked). */
function missingIn(value: unknown, schema: Schema, at: string, missing: string[], depth: number): void {
  if (!isRecord(value) || depth > 16 || schema[CIRCULAR] || schema['x-ms-dynamic-schema']) return;
  const properties = isRecord(schema.properties) ? schema.properties : {};
  for (const name of Array.isArray(schema.required) ? schema.required : [])
    if (typeof name === 'string' && (value[name] === undefined || value[name] === null)) missing.push(`${at}/${name}`);
  for (const [name, child] of Object.entries(properties))
    if (isRecord(child)) missingIn(value[name], child, `${at}/${name}`, missing, depth + 1);
}

/** JSON unless the operation consumes something else only; `{$content-type, $content}` is binary. */
function encodeBody(
  body: unknown,
  operation: Operation,
  parameter: OperationParameter,
): { body: MappedParameters['body']; contentType: string } {
  if (isRecord(body) && typeof body['$content'] === 'string') {
    const type = typeof body['$content-type'] === 'string' ? body['$content-type'] : 'application/octet-stream';
    return { body: new Uint8Array(Buffer.from(body['$content'], 'base64')), contentType: type };
  }
  const consumes = operation.consumes.map((c) => c.toLowerCase());
  const json = consumes.length === 0 || consumes.some((c) => c.includes('json'));
  if (!json && consumes.includes('application/x-www-form-urlencoded') && isRecord(body))
    return { body: urlEncoded(Object.entries(body)), contentType: 'application/x-www-form-urlencoded' };
  if (!json && typeof body === 'string') return { body, contentType: consumes[0] ?? 'text/plain' };
  if (parameter.schema?.format === 'binary' && typeof body === 'string')
    return { body, contentType: consumes[0] ?? 'application/octet-stream' };
  return { body: body as MappedParameters['body'], contentType: 'application/json' };
}

/** formData: urlencoded, or multipart when the operation consumes it or a parameter is a file. */
function encodeForm(
  form: [OperationParameter, unknown][],
  operation: Operation,
): Pick<MappedParameters, 'body' | 'contentType'> {
  const multipart =
    operation.consumes.some((c) => c.toLowerCase() === 'multipart/form-data') || form.some(([p]) => p.type === 'file');
  if (!multipart)
    return { body: urlEncoded(form.map(([p, v]) => [p.name, v])), contentType: 'application/x-www-form-urlencoded' };
  const parts: Buffer[] = [];
  for (const [parameter, value] of form) {
    const file = isRecord(value) && typeof value['$content'] === 'string';
    const content = file
      ? Buffer.from(value['$content'] as string, 'base64')
      : Buffer.from(scalarText(value, parameter), 'utf8');
    const type = file && typeof value['$content-type'] === 'string' ? value['$content-type'] : undefined;
    const filename = parameter.type === 'file' || file ? `; filename="${parameter.name}"` : '';
    parts.push(
      Buffer.concat([
        Buffer.from(
          `Content-Disposition: form-data; name="${parameter.name}"${filename}\r\n` +
            (type
              ? `Content-Type: ${type}\r\n`
              : parameter.type === 'file'
                ? 'Content-Type: application/octet-stream\r\n'
                : '') +
            '\r\n',
          'utf8',
        ),
        content,
      ]),
    );
  }
  // Deterministic (the same inputs give the same bytes), and cannot occur inside the parts it hashes.
  const boundary = `flowbridge-${createHash('sha256').update(Buffer.concat(parts)).digest('hex').slice(0, 32)}`;
  const chunks: Buffer[] = [];
  for (const part of parts) chunks.push(Buffer.from(`--${boundary}\r\n`), part, Buffer.from('\r\n'));
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: new Uint8Array(Buffer.concat(chunks)), contentType: `multipart/form-data; boundary=${boundary}` };
}

function urlEncoded(pairs: [string, unknown][]): string {
  return pairs
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v))}`)
    .join('&');
}

const SEPARATORS: Record<string, string> = { csv: ',', ssv: ' ', tsv: '\t', pipes: '|' };

/** A value as the text of a path, query, header or form field. */
function scalarText(value: unknown, parameter: OperationParameter): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value))
    return value.map((v) => scalarText(v, parameter)).join(SEPARATORS[parameter.collectionFormat ?? 'csv'] ?? ',');
  return JSON.stringify(value);
}

/** x-ms-url-encoding: `single` escapes once (a `/` becomes %2F); `double` escapes the escape. */
function escapePath(text: string, encoding: 'single' | 'double'): string {
  const once = encodeURIComponent(text);
  return encoding === 'double' ? encodeURIComponent(once) : once;
}

function lookup(object: Record<string, unknown>, name: string): unknown {
  if (Object.prototype.hasOwnProperty.call(object, name)) return object[name];
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(object)) if (key.toLowerCase() === lower) return value;
  return undefined;
}
