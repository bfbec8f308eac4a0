/** OpenAPI section: environments, the organisation's automation switch, the audit log (auth/routes-admin.ts). */
import type { Schema, Section } from './openapi-model.js';
import { anyJson, dateTime, listOf, nullableStr, pagingQuery, ref } from './openapi-model.js';

const schemas: Record<string, Schema> = {
  Environment: {
    type: 'object',
    required: ['id', 'name', 'createdAt'],
    properties: { id: { type: 'string' }, name: { type: 'string' }, createdAt: dateTime },
  },
  EnvironmentCreate: {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 200 },
      id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'Default: generated.' },
    },
  },
  AppSettings: {
    type: 'object',
    description:
      "An environment's app settings, read by `@appsetting('<name>')`: names of letters, digits and `_ . : -`, " +
      'string values. They override the FLOWBRIDGE_APPSETTING_<name> variables of the server.',
    additionalProperties: { type: 'string', maxLength: 65536 },
    maxProperties: 500,
  },
  AutomationState: {
    type: 'object',
    required: ['enabled', 'reason', 'changedAt', 'changedBy'],
    properties: {
      enabled: { type: 'boolean' },
      reason: nullableStr(),
      changedAt: { type: ['string', 'null'], format: 'date-time' },
      changedBy: nullableStr("Who switched it, e.g. 'user:<id>'."),
    },
  },
  AuditEntry: {
    type: 'object',
    required: ['id', 'at', 'actor', 'action', 'target', 'details'],
    properties: {
      id: { type: 'integer' },
      at: dateTime,
      actor: { type: 'string', description: "e.g. 'user:<id>', 'client:<id>', 'admin-token:admin', 'system'." },
      action: { type: 'string', description: "Dotted, e.g. 'user.create'." },
      target: { type: 'string', description: "e.g. 'user:<id>'." },
      details: anyJson,
    },
  },
};

const adminOnly = 'Forbidden: needs the admin role';

export const adminSection: Section = {
  tags: [{ name: 'admin', description: 'Environments, the automation switch and the audit log.' }],
  schemas,
  operations: [
    {
      operationId: 'listEnvironments',
      method: 'get',
      path: '/api/v1/environments',
      summary: 'List the environments the caller has a role in (all, for admins)',
      tag: 'admin',
      responses: { '200': { description: 'The environments', schema: listOf(ref('Environment')) } },
    },
    {
      operationId: 'createEnvironment',
      method: 'post',
      path: '/api/v1/environments',
      summary: 'Create an environment (admin)',
      tag: 'admin',
      body: { schema: ref('EnvironmentCreate') },
      responses: {
        '201': { description: 'Created', schema: ref('Environment') },
        '400': 'InvalidRequest',
        '403': adminOnly,
        '409': 'Conflict: the id is taken',
      },
    },
    {
      operationId: 'getEnvironmentSettings',
      method: 'get',
      path: '/api/v1/environments/{id}/settings',
      summary: "The environment's app settings (needs flows.write there: values may be secrets)",
      tag: 'admin',
      pathParams: { id: 'The environment id' },
      responses: {
        '200': { description: 'The settings', schema: ref('AppSettings') },
        '403': 'Forbidden: needs flows.write in the environment',
        '404': 'NotFound: no such environment',
      },
    },
    {
      operationId: 'setEnvironmentSettings',
      method: 'put',
      path: '/api/v1/environments/{id}/settings',
      summary: "Replace the environment's app settings (runs started afterwards read them)",
      tag: 'admin',
      pathParams: { id: 'The environment id' },
      body: { schema: ref('AppSettings') },
      responses: {
        '200': { description: 'The settings stored', schema: ref('AppSettings') },
        '400': 'InvalidRequest: a bad name or a value that is not a string (target names it)',
        '403': 'Forbidden: needs flows.write in the environment',
        '404': 'NotFound: no such environment',
      },
    },
    {
      operationId: 'getAutomation',
      method: 'get',
      path: '/api/v1/settings/automation',
      summary: "The organisation's automation switch",
      tag: 'admin',
      responses: { '200': { description: 'The switch', schema: ref('AutomationState') } },
    },
    {
      operationId: 'setAutomation',
      method: 'put',
      path: '/api/v1/settings/automation',
      summary: 'Switch automation off (no trigger starts a run) or on, for the whole organisation (admin)',
      tag: 'admin',
      body: { schema: ref('AutomationSwitch') },
      responses: {
        '200': { description: 'The switch', schema: ref('AutomationState') },
        '400': 'InvalidRequest',
        '403': adminOnly,
      },
    },
    {
      operationId: 'listAudit',
      method: 'get',
      path: '/api/v1/audit',
      summary: 'The audit log, newest first (admin)',
      tag: 'admin',
      query: pagingQuery(1000, 100),
      responses: {
        '200': { description: 'A page of entries', schema: listOf(ref('AuditEntry'), true) },
        '400': 'InvalidRequest: a bad limit or cursor',
        '403': adminOnly,
      },
    },
  ],
};
