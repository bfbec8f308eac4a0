/** OpenAPI section: what the server says about itself (health, readiness, metrics, this document). */
import type { Schema, Section } from './openapi-model.js';

const status = (value: string): Schema => ({
  type: 'object',
  required: ['status'],
  properties: { status: { const: value } },
});

export const metaSection: Section = {
  tags: [{ name: 'meta', description: 'Health, readiness, metrics and this description. No credentials needed.' }],
  operations: [
    {
      operationId: 'getHealth',
      method: 'get',
      path: '/healthz',
      summary: 'Liveness: the process answers',
      tag: 'meta',
      access: 'none',
      responses: { '200': { description: 'Alive', schema: status('ok') } },
    },
    {
      operationId: 'getReadiness',
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: the store is reachable',
      tag: 'meta',
      access: 'none',
      responses: {
        '200': { description: 'Ready', schema: status('ready') },
        '503': 'ServiceUnavailable: the store is not reachable',
      },
    },
    {
      operationId: 'getMetrics',
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics (runs, actions, trigger latency, live runs, queue)',
      tag: 'meta',
      access: 'none',
      responses: { '200': { description: 'Prometheus text exposition format', media: 'text' } },
    },
    {
      operationId: 'getOpenApiDocument',
      method: 'get',
      path: '/api/v1/openapi.json',
      summary: 'This OpenAPI 3.1 document',
      tag: 'meta',
      access: 'none',
      responses: { '200': { description: 'The document', schema: { type: 'object' } } },
    },
  ],
};
