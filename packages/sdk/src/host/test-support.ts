/** A small CRM host for the unit tests, with a fake fetch that records and answers as told. */
import { createConnectorHost, type ConnectorHost } from './index.js';
import type { ConnectorHostOptions } from './types.js';

export const KEY = 'test-key-123';
export const BASE = 'https://crm.example.com/flowbridge';

export function crmOptions(extra: Partial<ConnectorHostOptions> = {}): ConnectorHostOptions {
  return {
    title: 'Acme CRM',
    baseUrl: BASE,
    auth: { type: 'apiKey', header: 'x-api-key', verify: (key) => key === KEY },
    triggers: {
      OnRecordChanged: {
        summary: 'When a record changes',
        description: 'A record of a table is created or updated',
        parameters: {
          table: { type: 'string', summary: 'Table', enum: ['customer', 'order'], required: true },
          event: { type: 'string', summary: 'Event', enum: ['created', 'updated'] },
          priority: { type: 'integer', summary: 'Priority' },
        },
        payload: { type: 'object', properties: { id: { type: 'string' } } },
      },
      OnRecordsImported: {
        summary: 'When records are imported',
        batch: true,
        payload: { type: 'object', properties: { id: { type: 'string' } } },
      },
      ForSelectedRecord: {
        summary: 'For a selected record',
        instant: true,
        parameters: { table: { type: 'string', summary: 'Table' } },
        payload: { type: 'object', properties: { id: { type: 'string' } } },
      },
    },
    actions: {
      GetRecord: {
        summary: 'Get a record',
        method: 'GET',
        path: '/records/{table}/{id}',
        parameters: {
          id: { type: 'integer', summary: 'Record id' },
          fields: { type: 'string', summary: 'Fields' },
          'x-tenant': { type: 'string', in: 'header', required: true },
        },
        response: { type: 'object', properties: { id: { type: 'integer' } } },
        handler: ({ params }) => ({ id: params.id, table: params.table, fields: params.fields ?? null }),
      },
      CreateRecord: {
        summary: 'Create a record',
        method: 'POST',
        path: '/records/{table}',
        requestBody: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } },
        },
        handler: ({ params, body }) => ({ status: 201, headers: { location: '/records/x/1' }, body: { params, body } }),
      },
      SearchRecords: {
        summary: 'Search records',
        method: 'GET',
        path: '/records/search/{id}',
        handler: ({ params }) => ({ searched: params.id }),
      },
      Explode: {
        summary: 'Fails',
        method: 'POST',
        path: '/explode',
        handler: () => {
          throw new Error('internal detail');
        },
      },
    },
    ...extra,
  };
}

export interface Call {
  url: string;
  headers: Headers;
  body: string;
}

/** A fetch that answers from `answers` in turn (a number = that status; an Error = a network error). */
export function fakeFetch(answers: Array<number | Error | Response>) {
  const calls: Call[] = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), headers: new Headers(init?.headers), body: String(init?.body ?? '') });
    const next = answers.length > 1 ? answers.shift()! : answers[0]!;
    if (next instanceof Error) throw next;
    return typeof next === 'number' ? new Response(null, { status: next }) : next;
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

/** A host whose waits are recorded, not slept. */
export function testHost(extra: Partial<ConnectorHostOptions> = {}): { host: ConnectorHost; delays: number[] } {
  const delays: number[] = [];
  const host = createConnectorHost(
    crmOptions({
      retry: {
        sleep: async (ms) => {
          delays.push(ms);
        },
      },
      ...extra,
    }),
  );
  return { host, delays };
}

/** A request to the host, with the API key unless `key` says otherwise. */
export function call(
  host: ConnectorHost,
  method: string,
  path: string,
  options: { body?: unknown; key?: string | null; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== null) headers['x-api-key'] = options.key ?? KEY;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  return host.fetch(
    new Request(`${BASE}${path}`, {
      method,
      headers,
      ...(options.body !== undefined
        ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }
        : {}),
    }),
  );
}

/** Subscribes like Flowbridge does; returns the Location. */
export async function subscribe(
  host: ConnectorHost,
  operationId: string,
  query: Record<string, string>,
  flow: { id: string; name: string },
  callbackUrl = `https://flows.example.com/hooks/${flow.id}`,
): Promise<string> {
  const qs = new URLSearchParams(query).toString();
  const res = await call(host, 'POST', `/webhooks/${operationId}${qs ? `?${qs}` : ''}`, {
    body: { callbackUrl },
    headers: { 'x-ms-workflow-id': flow.id, 'x-ms-workflow-name': flow.name },
  });
  if (res.status !== 201) throw new Error(`subscribe answered ${res.status}: ${await res.text()}`);
  return res.headers.get('location')!;
}
