/**
 * OpenAPI section: connectors and connections (connector-host/routes.ts). Connection parameters
 * go in; secret ones never come out.
 */
import type { Operation, Parameter, Schema, Section } from './openapi-model.js';
import { anyJson, dateTime, listOf, nullableStr, ref, str } from './openapi-model.js';

const environmentQuery: Parameter = {
  name: 'environmentId',
  description: "The environment (default 'default').",
  schema: { type: 'string' },
};

const operationSummary: Schema = {
  type: 'object',
  properties: {
    operationId: str(),
    method: str(),
    path: str(),
    summary: str(),
    deprecated: { type: 'boolean' },
    supported: { type: 'boolean', description: 'False when it cannot run here (custom code, an unsupported policy).' },
    kind: { enum: ['webhook', 'polling'], description: 'Triggers only.' },
    cardinality: { enum: ['single', 'batch'], description: 'Triggers only.' },
  },
};

const schemas: Record<string, Schema> = {
  Connector: {
    type: 'object',
    required: ['name', 'apiId', 'operations', 'triggers', 'warnings'],
    properties: {
      name: str('Default: `shared_` + the title folded to lower case without spaces.'),
      apiId: str('`/providers/Microsoft.PowerApps/apis/<name>`'),
      environmentId: str(),
      version: { type: 'integer', description: 'Increases with every PUT.' },
      title: str(),
      operations: { type: 'array', items: operationSummary },
      triggers: { type: 'array', items: operationSummary },
      warnings: { type: 'array', items: { type: 'object', properties: { code: str(), message: str() } } },
      createdAt: dateTime,
      updatedAt: dateTime,
    },
  },
  ConnectorImport: {
    type: 'object',
    required: ['apiDefinition'],
    properties: {
      name: str(),
      apiDefinition: { description: 'apiDefinition.swagger.json: its JSON, or its text (read tolerantly).' },
      apiProperties: { description: 'apiProperties.json: its JSON, or its text.' },
      environmentId: str(),
      customCode: { type: 'boolean', description: 'The connector ships custom code (script.csx).' },
    },
  },
  Connection: {
    type: 'object',
    required: ['name', 'connectorName', 'status'],
    properties: {
      name: str(),
      connectorName: str(),
      environmentId: str(),
      displayName: nullableStr(),
      parameterSet: str(),
      parameters: { type: 'object', description: 'The parameters that are not secret (secret ones are never shown).' },
      status: { enum: ['Connected', 'NeedsConsent', 'Error'] },
      createdAt: dateTime,
      updatedAt: dateTime,
    },
  },
  ConnectionInput: {
    type: 'object',
    properties: {
      name: str('Default: `<connectorName>-<random>`.'),
      connectorName: str('Required on POST.'),
      displayName: str(),
      parameterSet: str('Which of the connector`s connectionParameterSets (when it has several).'),
      parameters: { type: 'object', description: 'By connection parameter name.', additionalProperties: anyJson },
      environmentId: str(),
    },
  },
};

const named = { name: 'The name.' };

const crud = (
  kind: 'connector' | 'connection',
  plural: string,
  schema: string,
  input: string,
  createSummary: string,
): Operation[] => {
  const Kind = kind === 'connector' ? 'Connector' : 'Connection';
  const base = `/api/v1/${plural}`;
  return [
    {
      operationId: kind === 'connector' ? 'importConnector' : 'createConnection',
      method: 'post',
      path: base,
      summary: createSummary,
      tag: 'connectors',
      body: { schema: ref(input) },
      responses: {
        '201': { description: `The ${kind}`, schema: ref(schema) },
        '400': 'InvalidRequest, or InvalidConnector (`details.code` and a JSON pointer say what)',
        '403': 'Forbidden: makers and admins only',
        ...(kind === 'connection'
          ? { '404': 'NotFound: no such connector', '409': 'Conflict: the name is taken' }
          : {}),
      },
    },
    {
      operationId: `list${Kind}s`,
      method: 'get',
      path: base,
      summary: `The ${plural} the caller may see`,
      tag: 'connectors',
      query: [
        environmentQuery,
        ...(kind === 'connection'
          ? [{ name: 'connectorName', description: 'Only those of this connector.', schema: { type: 'string' } }]
          : []),
      ],
      responses: { '200': { description: `The ${plural}`, schema: listOf(ref(schema)) } },
    },
    {
      operationId: `get${Kind}`,
      method: 'get',
      path: `${base}/{name}`,
      summary: `Read a ${kind}`,
      tag: 'connectors',
      pathParams: named,
      query: [environmentQuery],
      responses: { '200': { description: `The ${kind}`, schema: ref(schema) }, '403': 'Forbidden', '404': 'NotFound' },
    },
    {
      operationId: `update${Kind}`,
      method: 'put',
      path: `${base}/{name}`,
      summary: kind === 'connector' ? 'Import a new version of a connector' : 'Replace a connection`s values',
      tag: 'connectors',
      pathParams: named,
      query: [environmentQuery],
      body: { schema: ref(input) },
      responses: {
        '200': { description: `The ${kind}`, schema: ref(schema) },
        '400': 'InvalidRequest or InvalidConnector',
        '403': 'Forbidden',
        '404': 'NotFound',
      },
    },
    {
      operationId: `delete${Kind}`,
      method: 'delete',
      path: `${base}/{name}`,
      summary: `Delete a ${kind}`,
      tag: 'connectors',
      pathParams: named,
      query: [environmentQuery],
      responses: { '204': 'Deleted', '403': 'Forbidden', '404': 'NotFound' },
    },
  ];
};

export const connectorsSection: Section = {
  tags: [
    {
      name: 'connectors',
      description:
        'Custom connectors (apiDefinition.swagger.json + apiProperties.json) and connections (their credentials, kept encrypted).',
    },
  ],
  schemas,
  operations: [
    ...crud('connector', 'connectors', 'Connector', 'ConnectorImport', 'Import a custom connector'),
    ...crud('connection', 'connections', 'Connection', 'ConnectionInput', 'Create a connection to a connector'),
    {
      operationId: 'connectionConsentLink',
      method: 'post',
      path: '/api/v1/connections/{name}/consentLink',
      summary: 'The OAuth 2.0 consent URL of a connection (authorization code): open it in a browser',
      tag: 'connectors',
      pathParams: named,
      query: [environmentQuery],
      responses: {
        '200': {
          description: 'The URL, and the redirect URI to register with the provider',
          schema: { type: 'object', required: ['value'], properties: { value: str(), redirectUri: str() } },
        },
        '400': 'InvalidConnector: the connection does not use OAuth 2.0 or has no client id',
        '403': 'Forbidden',
        '404': 'NotFound',
      },
    },
    {
      operationId: 'connectionOAuthRedirect',
      method: 'get',
      path: '/connections/oauth/redirect',
      summary: 'Where the provider sends the browser back: the code is exchanged for tokens',
      tag: 'connectors',
      access: 'none',
      query: [
        { name: 'code', description: 'The authorization code.', schema: { type: 'string' } },
        { name: 'state', description: 'The sealed state of the consent link.', schema: { type: 'string' } },
        { name: 'error', description: 'The provider refused.', schema: { type: 'string' } },
      ],
      responses: {
        '200': { description: 'Connected', media: 'text' },
        '400': { description: 'Refused, invalid or expired', media: 'text' },
        '502': { description: 'The token request failed', media: 'text' },
      },
    },
  ],
};
