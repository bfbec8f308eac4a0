/**
 * The OpenAPI 3.1 document served at /api/v1/openapi.json: every route `flowbridge start`
 * registers (core, auth and approvals), one section per area (openapi-<area>.ts) merged here with
 * the document-wide parts: security schemes and the error shape. openapi.test.ts checks the
 * document against the routes a real server registers, both ways.
 */
import { buildSections } from './openapi-build.js';
import { adminSection } from './openapi-admin.js';
import { approvalsSection } from './openapi-approvals.js';
import { connectorsSection } from './openapi-connectors.js';
import { desktopSection } from './openapi-desktop.js';
import { authSection } from './openapi-auth.js';
import { clusterSection } from './openapi-cluster.js';
import { flowsSection } from './openapi-flows.js';
import { metaSection } from './openapi-meta.js';
import type { Operation, Section } from './openapi-model.js';
import { oauthSection } from './openapi-oauth.js';
import { runsSection } from './openapi-runs.js';
import { templatesSection } from './openapi-templates.js';
import { triggersSection } from './openapi-triggers.js';
import { webSection } from './openapi-web.js';

export const sections: readonly Section[] = [
  metaSection,
  flowsSection,
  templatesSection,
  triggersSection,
  runsSection,
  authSection,
  oauthSection,
  adminSection,
  approvalsSection,
  webSection,
  clusterSection,
  connectorsSection,
  desktopSection,
];

export const operations: readonly Operation[] = sections.flatMap((s) => s.operations);

const TOKEN_URL = '/oauth2/v2.0/token';

const securitySchemes = {
  bearer: {
    type: 'http',
    scheme: 'bearer',
    description:
      'The admin token (FLOWBRIDGE_ADMIN_TOKEN), the one-time setup token (fbs_...), a personal access token ' +
      `(fbp_..., POST /api/v1/users/{id}/tokens) or a JWT an OAuth client got from ${TOKEN_URL}.`,
  },
  oauth2: {
    type: 'oauth2',
    description: 'OAuth 2.0 client credentials; the token is then sent as a bearer token.',
    flows: { clientCredentials: { tokenUrl: TOKEN_URL, scopes: {} } },
  },
  clientBasic: {
    type: 'http',
    scheme: 'basic',
    description: `OAuth client authentication at ${TOKEN_URL}: client_id and client_secret (RFC 6749 §2.3.1).`,
  },
};

/** `{error: {code, message, target?, details?}}` of every 4xx/5xx (the codes: ApiErrorCode in util/api-errors.ts). */
const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'From a closed set, e.g. NotFound, InvalidRequest, Forbidden.' },
        message: { type: 'string' },
        target: { type: 'string', description: 'The field, JSON pointer or id the error is about.' },
        details: { description: 'More about the error, e.g. every definition error of InvalidDefinition.' },
      },
    },
  },
};

export function openApiDocument(version: string): object {
  // The error shape goes in as a section of its own, so a section cannot redefine it unnoticed.
  const { tags, schemas, paths } = buildSections([
    { tags: [], schemas: { Error: errorSchema }, operations: [] },
    ...sections,
  ]);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Flowbridge API',
      version,
      description:
        'A self-hosted runtime for Logic Apps / Power Automate workflow definitions. Routes need a bearer ' +
        'token unless they say `security: []` (health, signed trigger and callback URLs, one-click approval links).',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { oauth2: [] }],
    tags,
    paths,
    components: { securitySchemes, schemas },
  };
}
