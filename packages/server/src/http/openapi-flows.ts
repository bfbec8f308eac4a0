/** OpenAPI section: the flows API (http/flows.ts). */
import type { Schema, Section } from './openapi-model.js';
import { anyJson, dateTime, listOf, nullableStr, ref } from './openapi-model.js';
import { triggerFilterQuery } from './openapi-templates.js';

const flowProperties = {
  definition: {
    type: 'object',
    description: 'A WDL definition: bare, or in any wrapper form (Logic Apps export, Power Automate package).',
  },
  kind: { enum: ['Stateful', 'Stateless'], description: 'Matched case-insensitively; default from the definition.' },
  state: { enum: ['Enabled', 'Disabled'], description: 'Matched case-insensitively.' },
  parameters: { type: 'object', description: 'Values of the definition parameters.' },
};

const schemas: Record<string, Schema> = {
  FlowCreate: {
    type: 'object',
    required: ['name', 'definition'],
    properties: {
      name: { type: 'string', minLength: 1 },
      ...flowProperties,
      environmentId: { type: 'string', description: "Default 'default'." },
    },
  },
  FlowUpdate: {
    type: 'object',
    required: ['definition'],
    properties: {
      name: { type: 'string', description: 'A new name (blank keeps the old one).' },
      ...flowProperties,
      expectedVersion: {
        type: 'integer',
        description: 'Save only if the flow is still at this version (409 Conflict otherwise).',
      },
    },
  },
  Flow: {
    type: 'object',
    required: ['id', 'name', 'environmentId', 'ownerId', 'state', 'kind', 'version', 'createdAt', 'updatedAt'],
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      environmentId: { type: 'string' },
      ownerId: nullableStr('The user who created it; null when created by a client or the admin token.'),
      state: { enum: ['Enabled', 'Disabled'] },
      kind: { enum: ['Stateful', 'Stateless'] },
      version: { type: 'integer', description: 'The current version.' },
      createdAt: dateTime,
      updatedAt: dateTime,
      definition: { type: 'object', description: 'The current definition (single-flow answers only).' },
      parameters: { type: 'object', description: 'Its parameter values (single-flow answers only).' },
      trigger: {
        type: ['object', 'null'],
        description: "The current definition's first trigger (the list with `expand=trigger`); null when it has none.",
        required: ['name', 'type', 'kind'],
        properties: { name: { type: 'string' }, type: { type: 'string' }, kind: nullableStr() },
      },
      lastRun: {
        anyOf: [ref('Run'), { type: 'null' }],
        description:
          'Its latest run (the list with `expand=lastRun`); null when it never ran; absent when the caller may not read its runs.',
      },
    },
  },
  FlowVersion: {
    type: 'object',
    required: ['version', 'createdAt', 'createdBy', 'definition', 'parameters'],
    properties: {
      version: { type: 'integer' },
      createdAt: dateTime,
      createdBy: nullableStr('Id of the principal that saved it.'),
      definition: anyJson,
      parameters: { type: 'object' },
    },
  },
};

const id = { id: 'The flow id.' };
const flow = { description: 'The flow', schema: ref('Flow') };

export const flowsSection: Section = {
  tags: [{ name: 'flows', description: 'Flows and their versions.' }],
  schemas,
  operations: [
    {
      operationId: 'createFlow',
      method: 'post',
      path: '/api/v1/flows',
      summary: 'Create a flow (needs flows.write in its environment)',
      tag: 'flows',
      body: { schema: ref('FlowCreate') },
      responses: {
        '201': { description: 'Created, with its definition', schema: ref('Flow') },
        '400':
          'InvalidRequest (also when the environment does not exist), or InvalidDefinition with the definition errors in `details` and a JSON pointer in `target`',
        '403': 'Forbidden: no flows.write in the environment',
      },
    },
    {
      operationId: 'listFlows',
      method: 'get',
      path: '/api/v1/flows',
      summary: 'List the flows the caller may read (without definitions)',
      tag: 'flows',
      query: [
        { name: 'environmentId', description: 'Only flows of this environment.', schema: { type: 'string' } },
        {
          name: 'expand',
          description:
            "A comma list: `trigger` adds each flow's first trigger (name, type, kind), `lastRun` its latest run; what a list page shows, in one answer.",
          schema: { type: 'string' },
        },
        ...triggerFilterQuery,
      ],
      responses: { '200': { description: 'The flows', schema: listOf(ref('Flow')) }, '400': 'InvalidRequest' },
    },
    {
      operationId: 'getFlow',
      method: 'get',
      path: '/api/v1/flows/{id}',
      summary: 'Read a flow with its current definition',
      tag: 'flows',
      pathParams: id,
      responses: { '200': flow, '403': 'Forbidden', '404': 'NotFound' },
    },
    {
      operationId: 'saveFlow',
      method: 'put',
      path: '/api/v1/flows/{id}',
      summary: 'Save a new version of a flow (and optionally rename it, change its kind or state)',
      tag: 'flows',
      pathParams: id,
      body: { schema: ref('FlowUpdate') },
      responses: {
        '200': flow,
        '400': 'InvalidRequest or InvalidDefinition',
        '403': 'Forbidden',
        '404': 'NotFound',
        '409': 'Conflict: `expectedVersion` is not the current version',
      },
    },
    {
      operationId: 'deleteFlow',
      method: 'delete',
      path: '/api/v1/flows/{id}',
      summary: 'Delete a flow',
      tag: 'flows',
      pathParams: id,
      responses: { '204': 'Deleted', '403': 'Forbidden', '404': 'NotFound' },
    },
    {
      operationId: 'listFlowVersions',
      method: 'get',
      path: '/api/v1/flows/{id}/versions',
      summary: 'List the versions of a flow',
      tag: 'flows',
      pathParams: id,
      responses: {
        '200': { description: 'The versions', schema: listOf(ref('FlowVersion')) },
        '403': 'Forbidden',
        '404': 'NotFound',
      },
    },
    {
      operationId: 'getFlowVersion',
      method: 'get',
      path: '/api/v1/flows/{id}/versions/{version}',
      summary: 'Read one version of a flow (the definition a run of it ran)',
      tag: 'flows',
      pathParams: { ...id, version: 'The version number, from 1.' },
      responses: {
        '200': { description: 'The version', schema: ref('FlowVersion') },
        '400': 'InvalidRequest: the version is not a whole number from 1',
        '403': 'Forbidden',
        '404': 'NotFound: no such flow, or no such version of it',
      },
    },
    ...(['enable', 'disable'] as const).map((verb) => ({
      operationId: `${verb}Flow`,
      method: 'post' as const,
      path: `/api/v1/flows/{id}/${verb}`,
      summary: verb === 'enable' ? 'Turn a flow on' : 'Turn a flow off (its triggers answer 409 WorkflowDisabled)',
      tag: 'flows',
      pathParams: id,
      responses: {
        '200': { description: 'The flow', schema: ref('Flow') },
        '403': 'Forbidden',
        '404': 'NotFound',
      },
    })),
    {
      operationId: 'regenerateAccessKey',
      method: 'post',
      path: '/api/v1/flows/{id}/regenerateAccessKey',
      summary: 'New access key: invalidates every trigger URL handed out before',
      tag: 'flows',
      pathParams: id,
      responses: { '200': flow, '403': 'Forbidden', '404': 'NotFound' },
    },
  ],
};
