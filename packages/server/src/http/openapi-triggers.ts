/**
 * OpenAPI section: triggers (http/triggers.ts): callback URLs, manual runs, histories, and the
 * signed Request trigger URL in the Logic Apps form (DESIGN §4), which needs no bearer token.
 */
import type { HttpMethod, Operation, Parameter, Schema, Section } from './openapi-model.js';
import { anyJson, dateTime, listOf, ref } from './openapi-model.js';

const schemas: Record<string, Schema> = {
  CallbackUrl: {
    type: 'object',
    required: ['value', 'method', 'basePath', 'queries'],
    properties: {
      value: { type: 'string', format: 'uri', description: 'The signed URL to call.' },
      method: { type: 'string', description: "The trigger's method (POST when it declares none)." },
      basePath: { type: 'string', format: 'uri', description: 'The URL without its query.' },
      relativePath: { type: 'string', description: "The trigger's relative path template, when it has one." },
      relativePathParameters: { type: 'array', items: { type: 'string' } },
      queries: {
        type: 'object',
        required: ['api-version', 'sp', 'sv', 'sig'],
        properties: {
          'api-version': { type: 'string' },
          sp: { type: 'string' },
          sv: { type: 'string' },
          sig: { type: ['string', 'null'] },
        },
      },
    },
  },
  TriggerHistory: {
    type: 'object',
    description:
      'One evaluation of the trigger: fired (its run), Skipped (conditions false) or Failed (a body that failed the schema, a failed expression).',
    required: ['name', 'startTime', 'status', 'fired', 'run'],
    properties: {
      name: { type: 'string', description: 'The run id, or an id of the evaluation that started no run.' },
      startTime: dateTime,
      status: { type: 'string', enum: ['Succeeded', 'Skipped', 'Failed'] },
      fired: { type: 'boolean' },
      run: {
        type: ['object', 'null'],
        required: ['name', 'status'],
        properties: { name: { type: 'string' }, status: { type: 'string' } },
      },
      code: { type: 'string', description: 'Failed: why.' },
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

const flowTrigger = { id: 'The flow id.', name: 'The trigger name (case-insensitive).' };
const runIdHeader = { 'x-ms-workflow-run-id': 'The id of the run started.' };

const signedQuery: Parameter[] = [
  { name: 'api-version', description: 'Logic Apps compatibility (2016-06-01).', schema: { type: 'string' } },
  {
    name: 'sp',
    description: "The permission signed: '/triggers/{trigger}/run'.",
    schema: { type: 'string' },
    required: true,
  },
  { name: 'sv', description: 'The signature version (1.0).', schema: { type: 'string' }, required: true },
  {
    name: 'sig',
    description: 'HMAC-SHA256 of the URL with the flow access key.',
    schema: { type: 'string' },
    required: true,
  },
];

// The methods a Request trigger may declare; HEAD comes with GET.
const invokeMethods: HttpMethod[] = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options'];

function invoke(path: string, idSuffix: string): Operation[] {
  return invokeMethods.map((method) => ({
    operationId: `invokeTrigger${idSuffix}${method[0]!.toUpperCase()}${method.slice(1)}`,
    method,
    path,
    summary: 'Call a Request (or webhook) trigger through its signed URL',
    description:
      'No bearer token: the `sig` query parameter is the credential. The body may be of any content type; ' +
      'JSON is parsed and checked against the trigger schema. The answer is the Response action, or 202.',
    tag: 'triggers',
    access: 'none',
    pathParams: {
      flowId: 'The flow id.',
      trigger: 'The trigger name.',
      ...(idSuffix
        ? { relativePath: "The rest of the path (may contain '/'), matched to the trigger's relativePath." }
        : {}),
    },
    query: signedQuery,
    headers: [
      {
        name: 'x-ms-client-tracking-id',
        description: 'Client tracking id of the run (echoed).',
        schema: { type: 'string' },
      },
    ],
    ...(method === 'get' || method === 'head' || method === 'options'
      ? {}
      : { body: { schema: anyJson, required: false, media: ['*/*'] } }),
    responses: {
      default: {
        description: "The flow's Response action: its status, headers and body",
        schema: anyJson,
        media: 'any',
        headers: { 'x-ms-workflow-run-id': 'The run id.', 'x-ms-workflow-id': 'The flow id.' },
      },
      '202': {
        description:
          'Accepted: the run started (no Response action, or splitOn: `{runIds}` when several), or the trigger conditions skipped it (`x-ms-trigger-skipped: true`)',
        schema: { type: 'object', properties: { runIds: { type: 'array', items: { type: 'string' } } } },
        headers: { 'x-ms-workflow-run-id': 'The (first) run id.', 'x-ms-trigger-skipped': "'true' when skipped." },
      },
      '400':
        'SchemaValidationFailed, InvalidRequest (bad JSON), NestingTooDeep (JSON past 1,000 levels), MissingApiVersionParameter or InvalidApiVersionParameter, InvalidTemplate or InvalidSplitOn',
      '401': 'Unauthorized: the signature is missing or not valid (or the flow does not exist)',
      '404': 'TriggerNotFound, or NotFound (the relative path does not match)',
      '405': 'MethodNotAllowed: the trigger declares another method',
      '409': 'WorkflowDisabled or AutomationBlocked',
      '413': 'RequestTooLarge',
      '429': {
        description:
          "TooManyRequests: the flow is called too often (with Retry-After), or its trigger's concurrency limit is reached and its waiting-runs queue is full",
        schema: ref('Error'),
        headers: { 'Retry-After': 'Seconds to wait (rate limit).' },
      },
      '502': 'NoResponse: the run ended without running its Response action',
      '504': 'ResponseTimeout: the flow did not respond in time (the run goes on)',
    },
  }));
}

export const triggersSection: Section = {
  tags: [
    {
      name: 'triggers',
      description: 'Callback URLs, manual runs, histories, and the signed trigger URLs (Logic Apps form).',
    },
  ],
  schemas,
  operations: [
    {
      operationId: 'listCallbackUrl',
      method: 'post',
      path: '/api/v1/flows/{id}/triggers/{name}/listCallbackUrl',
      summary: 'The signed URL of a Request trigger',
      tag: 'triggers',
      pathParams: flowTrigger,
      responses: {
        '200': { description: 'The URL and its parts', schema: ref('CallbackUrl') },
        '403': 'Forbidden',
        '404': 'NotFound or TriggerNotFound',
      },
    },
    {
      operationId: 'runManualTrigger',
      method: 'post',
      path: '/api/v1/flows/{id}/triggers/{name}/run',
      summary: 'Run a manual trigger with typed inputs',
      description: "The body is the trigger body, checked against the trigger's schema.",
      tag: 'triggers',
      pathParams: flowTrigger,
      body: { schema: anyJson, required: false },
      responses: {
        '202': {
          description:
            'Accepted: the run started (splitOn: `runIds` too when several), or the trigger conditions skipped it (`x-ms-trigger-skipped: true`, no body)',
          schema: {
            type: 'object',
            properties: { runId: { type: 'string' }, runIds: { type: 'array', items: { type: 'string' } } },
          },
          headers: { ...runIdHeader, 'x-ms-trigger-skipped': "'true' when skipped." },
        },
        '400': 'SchemaValidationFailed (the errors in `details`), InvalidTemplate or InvalidSplitOn',
        '403': 'Forbidden: no runs.operate',
        '404': 'NotFound or TriggerNotFound',
        '409': 'WorkflowDisabled or AutomationBlocked',
        '429': 'TooManyRequests: too many runs',
      },
    },
    {
      operationId: 'listTriggerHistories',
      method: 'get',
      path: '/api/v1/flows/{id}/triggers/{name}/histories',
      summary: 'Trigger history: every evaluation (fired, skipped, failed), newest first',
      tag: 'triggers',
      pathParams: flowTrigger,
      query: [
        {
          name: 'limit',
          description: 'Entries per page (default 50, at most 1000).',
          schema: { type: 'integer' },
        },
        { name: 'cursor', description: 'The `nextCursor` of the previous page.', schema: { type: 'string' } },
      ],
      responses: {
        '200': { description: 'The history', schema: listOf(ref('TriggerHistory'), true) },
        '400': 'InvalidRequest: a cursor this server did not give out',
        '403': 'Forbidden',
        '404': 'NotFound',
      },
    },
    ...invoke('/api/v1/workflows/{flowId}/triggers/{trigger}/paths/invoke', ''),
    ...invoke('/api/v1/workflows/{flowId}/triggers/{trigger}/paths/invoke/{relativePath}', 'WithPath'),
  ],
};
