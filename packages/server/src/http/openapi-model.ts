/**
 * The vocabulary the OpenAPI sections are written in: an operation as data (method, path,
 * parameters, body, responses, who may call it), and small schema helpers. openapi-build.ts turns
 * these into the OpenAPI 3.1 document; each openapi-<area>.ts describes the routes of one area.
 */

/** A JSON Schema (2020-12, as OpenAPI 3.1 uses it). */
export type Schema = Record<string, unknown>;

export type HttpMethod = 'get' | 'post' | 'put' | 'delete' | 'patch' | 'head' | 'options';

/**
 * Who may call: `bearer` (the default) needs `Authorization: Bearer` (admin token, setup token,
 * personal access token or a client's JWT); `none` needs no credentials (health, the public
 * document, and the routes whose URL carries its own signature or token); `client` is the OAuth
 * token endpoint, where the client authenticates by HTTP Basic or by fields in the body.
 */
export type Access = 'bearer' | 'none' | 'client';

export interface Parameter {
  name: string;
  description: string;
  schema: Schema;
  required?: boolean;
}

export interface RequestBody {
  schema: Schema;
  description?: string;
  /** Default true. */
  required?: boolean;
  /** Media types accepted (default application/json). */
  media?: string[];
}

/** Media type of a response body: JSON (default), an HTML page, plain text, or whatever the flow answers. */
export type ResponseMedia = 'json' | 'html' | 'text' | 'any';

/**
 * A response. A bare string is its description: for 4xx/5xx a body in the API's error shape, for
 * the others no body. The object form gives the body's schema and media type, and headers.
 */
export type ResponseSpec =
  | string
  | {
      description: string;
      /** Without it, 4xx/5xx carry the API's error shape and other statuses no body. */
      schema?: Schema;
      media?: ResponseMedia;
      headers?: Record<string, string>;
    };

export interface Operation {
  /** Unique across the document. */
  operationId: string;
  method: HttpMethod;
  /** OpenAPI form: `{param}` for fastify's `:param`, `{relativePath}` for a trailing `*`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  /** Default 'bearer'. */
  access?: Access;
  /** Descriptions of the path parameters (every `{name}` in the path is a required string). */
  pathParams?: Record<string, string>;
  query?: Parameter[];
  headers?: Parameter[];
  body?: RequestBody;
  /** Keyed by status code (or 'default'). Bearer routes get 401 added unless given. */
  responses: Record<string, ResponseSpec>;
}

export interface Tag {
  name: string;
  description: string;
}

/** One area of the API: its tags, the component schemas it defines, and its operations. */
export interface Section {
  tags: Tag[];
  schemas?: Record<string, Schema>;
  operations: Operation[];
}

// ---- schema helpers

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

/** `{value: [items]}`, the list shape of every collection route, with an optional paging cursor. */
export function listOf(items: Schema, paged = false): Schema {
  return {
    type: 'object',
    required: paged ? ['value', 'nextCursor'] : ['value'],
    properties: {
      value: { type: 'array', items },
      ...(paged
        ? {
            nextCursor: {
              type: ['string', 'null'],
              description: 'Pass as `cursor` for the next page; null on the last page.',
            },
          }
        : {}),
    },
  };
}

export const str = (description?: string): Schema => ({ type: 'string', ...(description ? { description } : {}) });
export const nullableStr = (description?: string): Schema => ({
  type: ['string', 'null'],
  ...(description ? { description } : {}),
});
export const dateTime: Schema = { type: 'string', format: 'date-time' };
export const nullableDateTime: Schema = { type: ['string', 'null'], format: 'date-time' };
/** Any JSON value. */
export const anyJson: Schema = {};

/** The common paging query parameters (`limit`, `cursor`). */
export function pagingQuery(max: number, defaultLimit: number): Parameter[] {
  return [
    {
      name: 'limit',
      description: `Page size (1 to ${max}, default ${defaultLimit}).`,
      schema: { type: 'integer', minimum: 1, maximum: max, default: defaultLimit },
    },
    { name: 'cursor', description: 'The `nextCursor` of the previous page.', schema: { type: 'string' } },
  ];
}
