/** OpenAPI section: the caller, users and their personal access tokens (auth/routes-users.ts). */
import { PERMISSIONS, ROLES } from '../auth/permissions.js';
import type { Schema, Section } from './openapi-model.js';
import { dateTime, listOf, nullableDateTime, nullableStr, ref } from './openapi-model.js';

const roleByEnvironment: Schema = {
  type: 'object',
  description: 'Role per environment id.',
  additionalProperties: ref('Role'),
};

const schemas: Record<string, Schema> = {
  Role: { enum: [...ROLES] },
  Me: {
    type: 'object',
    required: ['kind', 'id', 'roles', 'isAdmin', 'permissions'],
    properties: {
      kind: { enum: ['admin-token', 'user', 'client'] },
      id: { type: 'string', description: "User id, OAuth client id, or 'admin' for the admin or setup token." },
      email: { type: 'string' },
      displayName: { type: 'string' },
      roles: roleByEnvironment,
      isAdmin: { type: 'boolean' },
      permissions: {
        type: 'object',
        description: 'What the caller may do, per environment id.',
        additionalProperties: { type: 'array', items: { enum: [...PERMISSIONS] } },
      },
    },
  },
  User: {
    type: 'object',
    required: ['id', 'email', 'displayName', 'role', 'roles', 'disabled', 'createdAt', 'automation'],
    properties: {
      id: { type: 'string' },
      email: { type: 'string' },
      displayName: { type: 'string' },
      role: { anyOf: [ref('Role'), { type: 'null' }], description: "Role in the 'default' environment." },
      roles: roleByEnvironment,
      disabled: { type: 'boolean' },
      createdAt: dateTime,
      automation: {
        type: 'object',
        required: ['enabled', 'reason'],
        properties: { enabled: { type: 'boolean' }, reason: nullableStr() },
      },
    },
  },
  UserCreate: {
    type: 'object',
    required: ['email', 'role'],
    properties: {
      email: { type: 'string', format: 'email', maxLength: 200 },
      role: ref('Role'),
      displayName: {
        type: ['string', 'null'],
        maxLength: 200,
        description: 'Default: the part of the email before @.',
      },
      environmentId: {
        type: ['string', 'null'],
        description: "The environment the role is in (default 'default'); it must exist.",
      },
      password: {
        type: 'string',
        minLength: 8,
        maxLength: 256,
        description: 'Lets the user sign in to the web app (POST /api/v1/session); stored as a scrypt hash.',
      },
    },
  },
  UserUpdate: {
    type: 'object',
    properties: {
      displayName: { type: ['string', 'null'], maxLength: 200 },
      disabled: { type: 'boolean' },
      role: {
        anyOf: [ref('Role'), { type: 'null' }],
        description: 'The role in `environmentId`; null removes the user from that environment.',
      },
      environmentId: { type: ['string', 'null'], description: "Where `role` applies (default 'default')." },
    },
  },
  AutomationSwitch: {
    type: 'object',
    required: ['enabled'],
    properties: {
      enabled: { type: 'boolean' },
      reason: { type: ['string', 'null'], maxLength: 500, description: 'Shown to whoever triggers a blocked flow.' },
    },
  },
  AccessToken: {
    type: 'object',
    required: ['id', 'name', 'createdAt', 'lastUsedAt'],
    properties: { id: { type: 'string' }, name: { type: 'string' }, createdAt: dateTime, lastUsedAt: nullableDateTime },
  },
  NewAccessToken: {
    allOf: [
      ref('AccessToken'),
      {
        type: 'object',
        required: ['token'],
        properties: { token: { type: 'string', description: 'The token (fbp_...), shown this once only.' } },
      },
    ],
  },
};

const userId = { id: 'The user id.' };
const user = { description: 'The user', schema: ref('User') };
const selfOrAdmin = 'Forbidden: only an admin or the user themself';

export const authSection: Section = {
  tags: [
    { name: 'users', description: 'The caller, users, their roles, automation switch and personal access tokens.' },
  ],
  schemas,
  operations: [
    {
      operationId: 'getMe',
      method: 'get',
      path: '/api/v1/me',
      summary: 'The caller and what it may do where',
      tag: 'users',
      responses: { '200': { description: 'The caller', schema: ref('Me') } },
    },
    {
      operationId: 'createUser',
      method: 'post',
      path: '/api/v1/users',
      summary: 'Create a user (admin; with the setup token, creating the first admin ends setup)',
      tag: 'users',
      body: { schema: ref('UserCreate') },
      responses: {
        '201': { description: 'Created', schema: ref('User') },
        '400': 'InvalidRequest (`target` names the field)',
        '403': 'Forbidden: needs the admin role',
        '409': 'Conflict: a user with this email exists',
      },
    },
    {
      operationId: 'listUsers',
      method: 'get',
      path: '/api/v1/users',
      summary: 'List users (admin)',
      tag: 'users',
      responses: {
        '200': { description: 'The users', schema: listOf(ref('User')) },
        '403': 'Forbidden: needs the admin role',
      },
    },
    {
      operationId: 'getUser',
      method: 'get',
      path: '/api/v1/users/{id}',
      summary: 'Read a user (admin, or the user themself)',
      tag: 'users',
      pathParams: userId,
      responses: { '200': user, '403': selfOrAdmin, '404': 'NotFound' },
    },
    {
      operationId: 'updateUser',
      method: 'patch',
      path: '/api/v1/users/{id}',
      summary: 'Rename, disable or change the role of a user (admin)',
      tag: 'users',
      pathParams: userId,
      body: { schema: ref('UserUpdate') },
      responses: {
        '200': user,
        '400': 'InvalidRequest',
        '403': 'Forbidden: needs the admin role',
        '404': 'NotFound',
        '409': 'Conflict: an admin cannot disable themself or drop their own admin role',
      },
    },
    {
      operationId: 'setUserAutomation',
      method: 'put',
      path: '/api/v1/users/{id}/automation',
      summary: 'Switch automation off (or on) for the flows a user owns (admin)',
      tag: 'users',
      pathParams: userId,
      body: { schema: ref('AutomationSwitch') },
      responses: {
        '200': {
          description: "The user's switch",
          schema: {
            type: 'object',
            required: ['enabled', 'reason'],
            properties: { enabled: { type: 'boolean' }, reason: nullableStr() },
          },
        },
        '400': 'InvalidRequest',
        '403': 'Forbidden: needs the admin role',
        '404': 'NotFound',
      },
    },
    {
      operationId: 'createAccessToken',
      method: 'post',
      path: '/api/v1/users/{id}/tokens',
      summary: 'Create a personal access token (shown once)',
      tag: 'users',
      pathParams: userId,
      body: {
        required: false,
        schema: { type: 'object', properties: { name: { type: ['string', 'null'], maxLength: 200 } } },
      },
      responses: {
        '201': { description: 'Created, with the token', schema: ref('NewAccessToken') },
        '400': 'InvalidRequest',
        '403': selfOrAdmin,
        '404': 'NotFound',
        '409': 'Conflict: the user is disabled',
      },
    },
    {
      operationId: 'listAccessTokens',
      method: 'get',
      path: '/api/v1/users/{id}/tokens',
      summary: "List a user's personal access tokens (never the tokens themselves)",
      tag: 'users',
      pathParams: userId,
      responses: {
        '200': { description: 'The tokens', schema: listOf(ref('AccessToken')) },
        '403': selfOrAdmin,
        '404': 'NotFound',
      },
    },
    {
      operationId: 'revokeAccessToken',
      method: 'delete',
      path: '/api/v1/users/{id}/tokens/{tokenId}',
      summary: 'Revoke a personal access token',
      tag: 'users',
      pathParams: { ...userId, tokenId: 'The token id.' },
      responses: { '204': 'Revoked', '403': selfOrAdmin, '404': 'NotFound' },
    },
  ],
};
