/** OpenAPI section: runs (http/runs.ts) and the signed webhook callback URL (http/callbacks.ts). */
import type { Schema, Section } from './openapi-model.js';
import { anyJson, dateTime, listOf, nullableDateTime, nullableStr, pagingQuery, ref } from './openapi-model.js';

const RUN_STATUSES = ['Waiting', 'Running', 'Succeeded', 'Failed', 'Cancelled', 'TimedOut', 'Skipped', 'Aborted'];

const schemas: Record<string, Schema> = {
  Run: {
    type: 'object',
    required: ['id', 'flowId', 'flowVersion', 'triggerName', 'status', 'startTime', 'endTime', 'error'],
    properties: {
      id: { type: 'string' },
      flowId: { type: 'string' },
      flowVersion: { type: 'integer' },
      triggerName: { type: 'string' },
      status: { enum: RUN_STATUSES, description: 'A run queued behind a concurrency limit shows as Waiting.' },
      startTime: dateTime,
      endTime: nullableDateTime,
      error: { type: ['object', 'null'] },
      clientTrackingId: nullableStr(),
    },
  },
  RunDetail: {
    description:
      'A run with its trigger, response and outputs; with `?expand=actions` the run result JSON (DESIGN §4) with every action.',
    allOf: [
      ref('Run'),
      {
        type: 'object',
        required: ['trigger', 'response', 'outputs'],
        properties: {
          trigger: {
            type: 'object',
            properties: { name: { type: 'string' }, outputs: anyJson },
          },
          response: {
            type: ['object', 'null'],
            properties: { statusCode: { type: 'integer' }, headers: { type: 'object' }, body: anyJson },
          },
          outputs: { type: 'object' },
          historyKept: {
            type: 'boolean',
            description:
              'false: a Stateless run that kept no per-action history (the app setting `Workflows.<name>.OperationOptions` is not `WithStatelessRunHistory`); absent otherwise.',
          },
          actions: {
            type: 'object',
            description: 'Every action by name, nested ones included (with expand=actions).',
            additionalProperties: {
              type: 'object',
              properties: {
                status: { type: 'string' },
                inputs: anyJson,
                outputs: anyJson,
                error: anyJson,
                startTime: { type: 'string' },
                endTime: { type: 'string' },
                repetitions: { type: 'array' },
              },
            },
          },
        },
      },
    ],
  },
};

const id = { id: 'The run id.' };
const runIdHeader = { 'x-ms-workflow-run-id': 'The id of the new run.' };

export const runsSection: Section = {
  tags: [{ name: 'runs', description: 'Runs: list, read, cancel, resubmit; webhook callbacks into waiting runs.' }],
  schemas,
  operations: [
    {
      operationId: 'listRuns',
      method: 'get',
      path: '/api/v1/runs',
      summary: 'List runs the caller may read, newest first, with cursor paging',
      tag: 'runs',
      query: [
        { name: 'flowId', description: 'Only runs of this flow.', schema: { type: 'string' } },
        {
          name: 'status',
          description: `Comma-separated statuses (case-insensitive): ${RUN_STATUSES.join(', ')}, Queued.`,
          schema: { type: 'string' },
        },
        { name: 'from', description: 'Started at or after (date-time or epoch ms).', schema: { type: 'string' } },
        { name: 'to', description: 'Started before (date-time or epoch ms).', schema: { type: 'string' } },
        ...pagingQuery(1000, 100),
      ],
      responses: {
        '200': { description: 'A page of runs', schema: listOf(ref('Run'), true) },
        '400': 'InvalidRequest: a bad status, date, limit or cursor',
        '403': 'Forbidden: no runs.read for the flow',
        '404': 'NotFound: no such flow',
      },
    },
    {
      operationId: 'getRun',
      method: 'get',
      path: '/api/v1/runs/{id}',
      summary: 'A run; with ?expand=actions the run result JSON with every action',
      tag: 'runs',
      pathParams: id,
      query: [{ name: 'expand', description: "'actions' to include every action.", schema: { type: 'string' } }],
      responses: {
        '200': { description: 'The run', schema: ref('RunDetail') },
        '403': 'Forbidden',
        '404': 'NotFound',
      },
    },
    {
      operationId: 'cancelRun',
      method: 'post',
      path: '/api/v1/runs/{id}/cancel',
      summary: 'Cancel a run',
      tag: 'runs',
      pathParams: id,
      responses: {
        '202': {
          description: 'Cancelling',
          schema: {
            type: 'object',
            required: ['id', 'status'],
            properties: { id: { type: 'string' }, status: { const: 'Cancelling' } },
          },
        },
        '403': 'Forbidden: no runs.operate',
        '404': 'NotFound',
        '409': 'Conflict: the run has already ended',
      },
    },
    {
      operationId: 'resubmitRun',
      method: 'post',
      path: '/api/v1/runs/{id}/resubmit',
      summary: "Start a new run of the flow's current version with the same trigger outputs",
      tag: 'runs',
      pathParams: id,
      responses: {
        '202': {
          description: 'Run started',
          schema: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
          headers: runIdHeader,
        },
        '403': 'Forbidden: no runs.operate',
        '404': 'NotFound',
        '429': "TooManyRequests: the trigger's concurrency limit is reached and its waiting-runs queue is full",
      },
    },
    {
      operationId: 'deliverCallback',
      method: 'post',
      path: '/api/v1/callbacks/{runId}/{sig}/{key}',
      summary: 'Deliver a webhook callback to a waiting run',
      description:
        'The URL a webhook action hands out (`listCallbackUrl()`); no bearer token: `sig` is an HMAC of the run id. ' +
        'Any content type; the payload reaches the action as it would in Logic Apps.',
      tag: 'runs',
      access: 'none',
      pathParams: {
        runId: 'The waiting run.',
        sig: 'HMAC-SHA256 of the run id with the server secret.',
        key: 'The callback key (starts with the run id).',
      },
      body: { schema: anyJson, required: false, media: ['*/*'] },
      responses: {
        '202': 'Delivered',
        '401': 'Unauthorized: the signature is not valid',
        '404': 'NotFound: no run waits for this callback (already delivered?)',
      },
    },
  ],
};
