/**
 * The OpenAPI 3.1 document of the routes this module registers (served at /api/v1/openapi.json).
 * openapi.test.ts checks that every registered /api/v1 route appears here.
 */
interface Operation {
  method: 'get' | 'post' | 'put' | 'delete' | 'patch' | 'head' | 'options';
  path: string;
  summary: string;
  tag: string;
  auth?: 'bearer' | 'signature' | 'none';
  body?: object;
  responses?: Record<string, string>;
}

const error = { $ref: '#/components/schemas/Error' };
const flowInput = {
  type: 'object',
  required: ['name', 'definition'],
  properties: {
    name: { type: 'string' },
    definition: { type: 'object', description: 'A WDL definition, bare or in any wrapper form' },
    kind: { enum: ['Stateful', 'Stateless'] },
    state: { enum: ['Enabled', 'Disabled'] },
    parameters: { type: 'object' },
    environmentId: { type: 'string' },
  },
};

const invokeMethods = ['get', 'post', 'put', 'delete', 'patch', 'head', 'options'] as const;
const invoke = (path: string): Operation[] =>
  invokeMethods.map((method) => ({
    method,
    path,
    summary: 'Call a Request trigger through its signed URL (spec §4.1); answers with the Response, 202 or an error',
    tag: 'triggers',
    auth: 'signature' as const,
    responses: {
      '200': 'The Response action',
      '202': 'Accepted',
      '400': 'Schema',
      '401': 'Bad signature',
      '413': 'Too large',
      '429': 'Throttled',
      '502': 'No response',
      '504': 'Timed out',
    },
  }));

export const operations: Operation[] = [
  {
    method: 'post',
    path: '/api/v1/flows',
    summary: 'Create a flow',
    tag: 'flows',
    body: flowInput,
    responses: { '201': 'Created', '400': 'Invalid definition' },
  },
  { method: 'get', path: '/api/v1/flows', summary: 'List flows', tag: 'flows' },
  { method: 'get', path: '/api/v1/flows/{id}', summary: 'Read a flow with its current definition', tag: 'flows' },
  { method: 'put', path: '/api/v1/flows/{id}', summary: 'Save a new version of a flow', tag: 'flows', body: flowInput },
  {
    method: 'delete',
    path: '/api/v1/flows/{id}',
    summary: 'Delete a flow',
    tag: 'flows',
    responses: { '204': 'Deleted' },
  },
  { method: 'get', path: '/api/v1/flows/{id}/versions', summary: 'List the versions of a flow', tag: 'flows' },
  { method: 'post', path: '/api/v1/flows/{id}/enable', summary: 'Turn a flow on', tag: 'flows' },
  { method: 'post', path: '/api/v1/flows/{id}/disable', summary: 'Turn a flow off', tag: 'flows' },
  {
    method: 'post',
    path: '/api/v1/flows/{id}/regenerateAccessKey',
    summary: 'New access key: invalidates every trigger URL',
    tag: 'flows',
  },
  {
    method: 'post',
    path: '/api/v1/flows/{id}/triggers/{name}/listCallbackUrl',
    summary: 'The signed URL of a Request trigger',
    tag: 'triggers',
  },
  {
    method: 'post',
    path: '/api/v1/flows/{id}/triggers/{name}/run',
    summary: 'Run a manual trigger with typed inputs',
    tag: 'triggers',
    body: { type: 'object' },
    responses: { '202': 'Run started' },
  },
  {
    method: 'get',
    path: '/api/v1/flows/{id}/triggers/{name}/histories',
    summary: 'Trigger history (the runs it fired)',
    tag: 'triggers',
  },
  ...invoke('/api/v1/workflows/{flowId}/triggers/{trigger}/paths/invoke'),
  ...invoke('/api/v1/workflows/{flowId}/triggers/{trigger}/paths/invoke/{relativePath}'),
  {
    method: 'get',
    path: '/api/v1/runs',
    summary: 'List runs (filters flowId, status, from, to; cursor paging)',
    tag: 'runs',
  },
  {
    method: 'get',
    path: '/api/v1/runs/{id}',
    summary: 'A run; with ?expand=actions the run result JSON with every action',
    tag: 'runs',
  },
  {
    method: 'post',
    path: '/api/v1/runs/{id}/cancel',
    summary: 'Cancel a run',
    tag: 'runs',
    responses: { '202': 'Cancelling', '409': 'Already ended' },
  },
  {
    method: 'post',
    path: '/api/v1/runs/{id}/resubmit',
    summary: 'Start a new run with the same trigger outputs',
    tag: 'runs',
    responses: { '202': 'Run started' },
  },
  {
    method: 'post',
    path: '/api/v1/callbacks/{runId}/{sig}/{key}',
    summary: 'Deliver a webhook callback to a waiting run',
    tag: 'runs',
    auth: 'signature',
    responses: { '202': 'Delivered', '401': 'Bad signature', '404': 'Nobody waits' },
  },
  { method: 'get', path: '/api/v1/openapi.json', summary: 'This document', tag: 'meta', auth: 'none' },
];

export function openApiDocument(version: string): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const op of operations) {
    const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const responses: Record<string, object> = {};
    for (const [code, description] of Object.entries(op.responses ?? { '200': 'OK' }))
      responses[code] = { description, content: { 'application/json': { schema: Number(code) >= 400 ? error : {} } } };
    if (op.auth !== 'signature' && op.auth !== 'none') {
      responses['401'] ??= {
        description: 'Missing or invalid bearer token',
        content: { 'application/json': { schema: error } },
      };
      responses['403'] ??= { description: 'Not allowed', content: { 'application/json': { schema: error } } };
    }
    (paths[op.path] ??= {})[op.method] = {
      summary: op.summary,
      tags: [op.tag],
      ...(params.length ? { parameters: params } : {}),
      ...(op.auth === 'signature' || op.auth === 'none' ? { security: [] } : {}),
      ...(op.body ? { requestBody: { content: { 'application/json': { schema: op.body } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Flowbridge API', version },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' }, target: { type: 'string' } },
            },
          },
        },
      },
    },
    paths,
  };
}
