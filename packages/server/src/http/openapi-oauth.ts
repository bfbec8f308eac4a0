/**
 * OpenAPI section: OAuth 2.0 clients (auth/routes-clients.ts) and the client credentials token
 * endpoint (auth/routes-oauth.ts), whose errors are RFC 6749 §5.2's, not the API's.
 */
import { ROLES } from '../auth/permissions.js';
import type { Schema, Section } from './openapi-model.js';
import { dateTime, listOf, nullableStr, ref } from './openapi-model.js';

const schemas: Record<string, Schema> = {
  Client: {
    type: 'object',
    required: ['client_id', 'name', 'roles', 'environmentId', 'createdAt'],
    properties: {
      client_id: { type: 'string' },
      name: nullableStr(),
      roles: { type: 'array', items: { enum: [...ROLES] } },
      environmentId: { type: 'string' },
      createdAt: dateTime,
    },
  },
  ClientCreate: {
    type: 'object',
    required: ['roles'],
    properties: {
      roles: {
        type: 'array',
        minItems: 1,
        items: { enum: [...ROLES] },
        description: 'The client acts with the strongest of them in its environment.',
      },
      name: { type: ['string', 'null'], maxLength: 200 },
      environmentId: { type: 'string', description: "An existing environment (default 'default')." },
    },
  },
  NewClient: {
    allOf: [
      ref('Client'),
      {
        type: 'object',
        required: ['client_secret'],
        properties: { client_secret: { type: 'string', description: 'Shown this once only.' } },
      },
    ],
  },
  TokenRequest: {
    type: 'object',
    required: ['grant_type'],
    properties: {
      grant_type: { const: 'client_credentials' },
      client_id: { type: 'string', description: 'Unless sent by HTTP Basic.' },
      client_secret: { type: 'string', description: 'Unless sent by HTTP Basic (not both).' },
      scope: { type: 'string', description: 'Echoed into the token; permissions come from the client roles.' },
    },
  },
  TokenResponse: {
    type: 'object',
    required: ['access_token', 'token_type', 'expires_in'],
    properties: {
      access_token: { type: 'string', description: 'A signed JWT (ES256), used as a bearer token.' },
      token_type: { const: 'Bearer' },
      expires_in: { type: 'integer', description: 'Seconds.' },
      scope: { type: 'string' },
    },
  },
  OAuthError: {
    type: 'object',
    required: ['error', 'error_description'],
    properties: {
      error: { enum: ['invalid_request', 'invalid_client', 'unsupported_grant_type', 'invalid_scope'] },
      error_description: { type: 'string' },
    },
  },
};

const noStore = { 'Cache-Control': 'Always no-store.' };

export const oauthSection: Section = {
  tags: [{ name: 'oauth', description: 'OAuth 2.0 clients and the client credentials grant.' }],
  schemas,
  operations: [
    {
      operationId: 'issueToken',
      method: 'post',
      path: '/oauth2/v2.0/token',
      summary: 'Client credentials grant (RFC 6749 §4.4): a bearer JWT for an OAuth client',
      description:
        'The client authenticates by HTTP Basic or by `client_id`/`client_secret` in the body. ' +
        'Errors follow RFC 6749 §5.2, except a body that cannot be parsed at all (the API error shape).',
      tag: 'oauth',
      access: 'client',
      body: {
        schema: ref('TokenRequest'),
        media: ['application/x-www-form-urlencoded', 'application/json'],
      },
      responses: {
        '200': { description: 'The token', schema: ref('TokenResponse'), headers: noStore },
        '400': {
          description: 'invalid_request or unsupported_grant_type (or InvalidRequest: the body does not parse)',
          schema: { anyOf: [ref('OAuthError'), ref('Error')] },
          headers: noStore,
        },
        '401': {
          description: 'invalid_client: unknown client, wrong secret, or no credentials',
          schema: ref('OAuthError'),
          headers: { 'WWW-Authenticate': 'Basic (when the client used Basic) or Bearer.', ...noStore },
        },
        '415': 'InvalidRequest: neither form-encoded nor JSON',
      },
    },
    {
      operationId: 'createClient',
      method: 'post',
      path: '/api/v1/clients',
      summary: 'Register an OAuth client (admin); its secret is shown once',
      tag: 'oauth',
      body: { schema: ref('ClientCreate') },
      responses: {
        '201': { description: 'Created, with the secret', schema: ref('NewClient') },
        '400': 'InvalidRequest (`target` names the field)',
        '403': 'Forbidden: needs the admin role',
      },
    },
    {
      operationId: 'listClients',
      method: 'get',
      path: '/api/v1/clients',
      summary: 'List OAuth clients (admin)',
      tag: 'oauth',
      responses: {
        '200': { description: 'The clients', schema: listOf(ref('Client')) },
        '403': 'Forbidden: needs the admin role',
      },
    },
    {
      operationId: 'deleteClient',
      method: 'delete',
      path: '/api/v1/clients/{id}',
      summary: 'Delete an OAuth client (its tokens stop working at once)',
      tag: 'oauth',
      pathParams: { id: 'The client_id.' },
      responses: { '204': 'Deleted', '403': 'Forbidden: needs the admin role', '404': 'NotFound' },
    },
  ],
};
