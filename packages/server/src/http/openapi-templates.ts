/** OpenAPI section: flow templates (http/templates.ts) and the flows list's trigger filter. */
import type { Parameter, Schema, Section } from './openapi-model.js';
import { dateTime, listOf, nullableStr, ref } from './openapi-model.js';

/** The query a host lists flows or templates by: what their trigger uses (http/trigger-filter.ts). */
export const triggerFilterQuery: Parameter[] = [
  {
    name: 'connector',
    description: "Only those whose trigger uses a connection of this connector (e.g. 'shared_crm').",
    schema: { type: 'string' },
  },
  {
    name: 'triggerOperation',
    description:
      "Only those whose trigger is this connector operation (`inputs.host.operationId`). Also `triggerParameter.<name>=<value>`: only those whose trigger's parameter `<name>` (`inputs.parameters`) has this value; several are all required. Matched on one trigger; connector and operation case-insensitively.",
    schema: { type: 'string' },
  },
];

const templateProperties = {
  name: { type: 'string', minLength: 1, description: 'Unique in its environment.' },
  description: { type: 'string' },
  definition: {
    type: 'object',
    description: 'A WDL definition, checked as a flow definition is (InvalidDefinition with JSON pointers).',
  },
  connectionReferences: {
    type: 'object',
    description: 'The connection each reference the definition uses must be of.',
    additionalProperties: {
      type: 'object',
      required: ['connectorName'],
      properties: { connectorName: { type: 'string', minLength: 1 } },
    },
  },
  parameters: { type: 'object', description: 'Default values of the definition parameters (no secure ones).' },
  tags: { type: 'array', items: { type: 'string', minLength: 1 } },
};

const schemas: Record<string, Schema> = {
  TemplateCreate: {
    type: 'object',
    required: ['name', 'definition'],
    properties: { ...templateProperties, environmentId: { type: 'string', description: "Default 'default'." } },
  },
  TemplateUpdate: { type: 'object', required: ['name', 'definition'], properties: templateProperties },
  Template: {
    type: 'object',
    required: [
      'id',
      'environmentId',
      'name',
      'description',
      'definition',
      'connectionReferences',
      'parameters',
      'tags',
      'trigger',
      'createdBy',
      'createdAt',
      'updatedAt',
    ],
    properties: {
      id: { type: 'string' },
      environmentId: { type: 'string' },
      ...templateProperties,
      trigger: {
        type: ['object', 'null'],
        description: 'What its (first) trigger uses; null when it has none.',
        required: ['name', 'connectorName', 'operationId'],
        properties: {
          name: { type: 'string' },
          connectorName: nullableStr('The connector of the reference it names.'),
          operationId: nullableStr(),
        },
      },
      createdBy: nullableStr('Id of the principal that created it.'),
      createdAt: dateTime,
      updatedAt: dateTime,
    },
  },
  TemplateInstantiate: {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1, description: 'The new flow’s name.' },
      connectionReferences: {
        type: 'object',
        description: 'A connection (its name) for each of the template’s references.',
        additionalProperties: { type: 'string', minLength: 1 },
      },
      parameters: { type: 'object', description: 'Parameter values over the template’s defaults.' },
      state: { enum: ['Enabled', 'Disabled'], description: 'Default Enabled.' },
      environmentId: { type: 'string', description: 'Default: the template’s environment.' },
    },
  },
};

const id = { id: 'The template id.' };
const template = { description: 'The template', schema: ref('Template') };

export const templatesSection: Section = {
  tags: [{ name: 'templates', description: 'Flow templates a host offers, and flows made from them.' }],
  schemas,
  operations: [
    {
      operationId: 'createTemplate',
      method: 'post',
      path: '/api/v1/templates',
      summary: 'Create a flow template (needs flows.write in its environment)',
      tag: 'templates',
      body: { schema: ref('TemplateCreate') },
      responses: {
        '201': { description: 'Created', schema: ref('Template') },
        '400':
          'InvalidRequest, InvalidDefinition (definition errors in `details`), or InvalidConnectionReference: the definition uses a reference not declared (`target` /connectionReferences/<ref>)',
        '403': 'Forbidden',
        '409': 'Conflict: the name is taken in the environment',
      },
    },
    {
      operationId: 'listTemplates',
      method: 'get',
      path: '/api/v1/templates',
      summary: 'List the templates the caller may read',
      tag: 'templates',
      query: [
        { name: 'environmentId', description: 'Only templates of this environment.', schema: { type: 'string' } },
        { name: 'tag', description: 'Only templates with this tag (case-insensitive).', schema: { type: 'string' } },
        ...triggerFilterQuery,
      ],
      responses: { '200': { description: 'The templates', schema: listOf(ref('Template')) }, '400': 'InvalidRequest' },
    },
    {
      operationId: 'getTemplate',
      method: 'get',
      path: '/api/v1/templates/{id}',
      summary: 'Read a template',
      tag: 'templates',
      pathParams: id,
      responses: { '200': template, '403': 'Forbidden', '404': 'NotFound' },
    },
    {
      operationId: 'saveTemplate',
      method: 'put',
      path: '/api/v1/templates/{id}',
      summary: 'Replace a template',
      tag: 'templates',
      pathParams: id,
      body: { schema: ref('TemplateUpdate') },
      responses: {
        '200': template,
        '400': 'InvalidRequest, InvalidDefinition or InvalidConnectionReference',
        '403': 'Forbidden',
        '404': 'NotFound',
        '409': 'Conflict: the name is taken',
      },
    },
    {
      operationId: 'deleteTemplate',
      method: 'delete',
      path: '/api/v1/templates/{id}',
      summary: 'Delete a template (flows made from it stay)',
      tag: 'templates',
      pathParams: id,
      responses: { '204': 'Deleted', '403': 'Forbidden', '404': 'NotFound' },
    },
    {
      operationId: 'instantiateTemplate',
      method: 'post',
      path: '/api/v1/templates/{id}/instantiate',
      summary: 'Create a flow from a template, with a connection for each of its references',
      description:
        'The flow is created as POST /api/v1/flows creates one (flows.write in its environment); its answer is the same.',
      tag: 'templates',
      pathParams: id,
      body: { schema: ref('TemplateInstantiate') },
      responses: {
        '201': { description: 'The flow created', schema: ref('Flow') },
        '400':
          'InvalidRequest, InvalidDefinition, or InvalidConnectionReference: a reference without a connection, a connection that does not exist or is of another connector (`target` /connectionReferences/<ref>)',
        '403': 'Forbidden',
        '404': 'NotFound',
      },
    },
  ],
};
