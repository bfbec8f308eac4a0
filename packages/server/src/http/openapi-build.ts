/**
 * Turns sections (openapi-model.ts) into OpenAPI 3.1 `paths`, `tags` and component schemas.
 * Duplicate operations, operation ids or schema names are programming errors and throw here, so a
 * bad section fails every test that builds a server rather than serving a wrong document.
 */
import type { Operation, Parameter, ResponseMedia, ResponseSpec, Schema, Section, Tag } from './openapi-model.js';
import { ref } from './openapi-model.js';

const MEDIA: Record<ResponseMedia, string> = {
  json: 'application/json',
  html: 'text/html',
  text: 'text/plain',
  any: '*/*',
};

const UNAUTHORIZED = 'Unauthorized: the bearer token is missing or not valid.';

export interface BuiltSections {
  tags: Tag[];
  schemas: Record<string, Schema>;
  paths: Record<string, Record<string, object>>;
}

export function buildSections(sections: readonly Section[]): BuiltSections {
  const tags: Tag[] = [];
  const schemas: Record<string, Schema> = {};
  const paths: Record<string, Record<string, object>> = {};
  const ids = new Set<string>();
  for (const section of sections) {
    tags.push(...section.tags);
    for (const [name, schema] of Object.entries(section.schemas ?? {})) {
      if (name in schemas) throw new Error(`openapi: schema '${name}' is defined twice`);
      schemas[name] = schema;
    }
    for (const op of section.operations) {
      if (ids.has(op.operationId)) throw new Error(`openapi: operationId '${op.operationId}' is used twice`);
      ids.add(op.operationId);
      const item = (paths[op.path] ??= {});
      if (item[op.method]) throw new Error(`openapi: ${op.method.toUpperCase()} ${op.path} is described twice`);
      item[op.method] = operationObject(op);
    }
  }
  return { tags, schemas, paths };
}

function operationObject(op: Operation): object {
  const access = op.access ?? 'bearer';
  const parameters = [
    ...pathParameters(op),
    ...(op.query ?? []).map((p) => parameter(p, 'query')),
    ...(op.headers ?? []).map((p) => parameter(p, 'header')),
  ];
  const responses: Record<string, object> = {};
  for (const [code, spec] of Object.entries(op.responses)) responses[code] = response(code, spec);
  if (access === 'bearer') responses['401'] ??= response('401', UNAUTHORIZED);
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [op.tag],
    ...(parameters.length ? { parameters } : {}),
    // Bearer routes inherit the document's security; the others say what they need instead.
    ...(access === 'none' ? { security: [] } : access === 'client' ? { security: [{ clientBasic: [] }, {}] } : {}),
    ...(op.body
      ? {
          requestBody: {
            required: op.body.required ?? true,
            ...(op.body.description ? { description: op.body.description } : {}),
            content: Object.fromEntries(
              (op.body.media ?? ['application/json']).map((m) => [m, { schema: op.body!.schema }]),
            ),
          },
        }
      : {}),
    responses,
  };
}

function pathParameters(op: Operation): object[] {
  const names = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  for (const name of Object.keys(op.pathParams ?? {}))
    if (!names.includes(name)) throw new Error(`openapi: ${op.operationId} describes '${name}', not in ${op.path}`);
  return names.map((name) => ({
    name,
    in: 'path',
    required: true,
    ...(op.pathParams?.[name] ? { description: op.pathParams[name] } : {}),
    schema: { type: 'string' },
  }));
}

function parameter(p: Parameter, where: 'query' | 'header'): object {
  return { name: p.name, in: where, required: p.required ?? false, description: p.description, schema: p.schema };
}

function response(code: string, spec: ResponseSpec): object {
  const { description, schema, media, headers } = typeof spec === 'string' ? { description: spec } : spec;
  const failure = Number(code) >= 400;
  const text = media === 'html' || media === 'text';
  const body = schema ?? (text ? { type: 'string' } : failure ? ref('Error') : undefined);
  return {
    description,
    ...(headers
      ? {
          headers: Object.fromEntries(
            Object.entries(headers).map(([name, d]) => [name, { description: d, schema: { type: 'string' } }]),
          ),
        }
      : {}),
    ...(body ? { content: { [MEDIA[media ?? 'json']]: { schema: body } } } : {}),
  };
}
