/**
 * What every request is checked for before a route sees it (README "Limits"): the body size of its
 * kind of route, the nesting depth of a JSON body, an empty JSON body (sent by real clients on
 * body-less POSTs: it is no body), and query parameters given twice where a route reads one.
 * Installed on the root app before any route, so auth's and the extensions' routes get it too;
 * the raw-body scope of trigger URLs and callbacks has its own parsers (triggers.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { JSON_DEPTH, jsonDepthExceeds } from '../util/json-depth.js';
import { ApiError } from '../util/api-errors.js';

const MiB = 1024 * 1024;

/** The kinds of route, by what their bodies carry. */
type RouteKind = 'payload' | 'definitions' | 'management';

interface Limits {
  /** Largest body in bytes (undefined: the app's bodyLimit, 100 MiB as Logic Apps). */
  bytes: number | undefined;
  /** Deepest JSON nesting of the body. */
  depth: number;
}

const LIMITS: Readonly<Record<RouteKind, Limits>> = {
  /** Trigger URLs, manual trigger runs, callbacks: what a flow is started or resumed with. */
  payload: { bytes: undefined, depth: JSON_DEPTH.payload },
  /** Flows (definitions, ARM templates) and connectors (OpenAPI documents). */
  definitions: { bytes: 10 * MiB, depth: JSON_DEPTH.management },
  /** Every other management body (users, tokens, settings, approvals...). */
  management: { bytes: 1 * MiB, depth: JSON_DEPTH.management },
};

/** The kind of a route, from its URL template (fastify's `:param` form). */
export function routeKind(url: string): RouteKind {
  const u = url.toLowerCase();
  if (u.includes('/paths/invoke') || u.startsWith('/api/v1/callbacks/') || /\/triggers\/:[^/]+\/run$/.test(u))
    return 'payload';
  if (/^\/api\/v1\/(flows|connectors|customconnectors)\b/.test(u)) return 'definitions';
  return 'management';
}

/** Where repeated query parameters are the caller's data, not ours to read (trigger URLs keep the last). */
function takesRepeatedQuery(url: string): boolean {
  return url.toLowerCase().includes('/paths/invoke');
}

/** Installs the guards on the root app: call before registering routes (the body limit is set per route). */
export function installRequestGuards(app: FastifyInstance): void {
  // A route that declares its own bodyLimit keeps it.
  app.addHook('onRoute', (route) => {
    const { bytes } = LIMITS[routeKind(route.url)];
    if (route.bodyLimit === undefined && bytes !== undefined) route.bodyLimit = bytes;
  });

  const parseJson = app.getDefaultJsonParser('error', 'ignore');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = String(body);
    // Clients send `content-type: application/json` with no body on enable, cancel, listCallbackUrl...
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    const { depth } = LIMITS[routeKind(request.routeOptions.url ?? request.url)];
    if (jsonDepthExceeds(text, depth)) {
      done(tooDeep(depth), undefined);
      return;
    }
    // fastify's parser answers through `done` (its type allows a promise; it returns none).
    void parseJson(request, text, done);
  });

  app.addHook('preValidation', async (request) => {
    checkQuery(request);
  });
}

export function tooDeep(depth: number): ApiError {
  return ApiError.of('NestingTooDeep', `The JSON body nests arrays and objects deeper than ${depth} levels.`, 'body');
}

/** Every route reads its query parameters as single strings: a parameter given twice is refused by name. */
function checkQuery(request: FastifyRequest): void {
  if (takesRepeatedQuery(request.routeOptions.url ?? request.url)) return;
  const query = request.query;
  if (typeof query !== 'object' || query === null) return;
  for (const [name, value] of Object.entries(query)) {
    if (Array.isArray(value))
      throw ApiError.of('InvalidRequest', `The query parameter '${name}' is given more than once.`, name);
  }
}
