/**
 * The CRM as a Flowbridge connector, built with the host kit: its triggers (record created,
 * updated, deleted; a business event; a selected record) and actions (Get record, Update record,
 * Add note), which call back into the records.
 */
import {
  createConnectorHost,
  type ConnectorHost,
  type JsonSchema,
  type RetryOptions,
  type SubscriptionStore,
} from '@flowbridge/sdk';
import { EVENT_NAMES, TRIGGERS } from './events.js';
import { STATUS_OF, type Change, type Records, type Result } from './records.js';
import { fieldsOf, present, TABLE_NAMES, type Row, type TableName } from './tables.js';

export const API_KEY_HEADER = 'x-crm-api-key';

export interface ConnectorDeps {
  records: Records;
  /** Where Flowbridge reaches the connector: `<public URL>/connector`. */
  baseUrl: string;
  /** Links in records (pages, the approval callback). */
  publicUrl: string;
  apiKey: string;
  store: SubscriptionStore;
  /** Makes a change and tells flows about it (app.ts). */
  apply: (result: Result<Change>) => Result<Change>;
  fetch?: typeof fetch;
  retry?: RetryOptions;
}

const recordSchema: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer', title: 'Record id' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    ...Object.fromEntries(
      TABLE_NAMES.flatMap((t) =>
        Object.entries(fieldsOf(t)).map(([name, spec]) => [
          name,
          { type: spec.type === 'text' ? 'string' : spec.type === 'ref' ? 'integer' : 'number', title: spec.label },
        ]),
      ),
    ),
  },
};

const recordEvent: JsonSchema = {
  type: 'object',
  properties: {
    table: { type: 'string', title: 'Table' },
    id: { type: 'integer', title: 'Record id' },
    op: { type: 'string', title: 'Change' },
    record: recordSchema,
    changed: { type: 'array', items: { type: 'string' }, title: 'Changed fields' },
  },
};

const tableParameter = { type: 'string', summary: 'Table', enum: TABLE_NAMES, required: true } as const;

const recordTrigger = (summary: string) => ({ summary, parameters: { table: tableParameter }, payload: recordEvent });

/** A record as the connector answers it: its fields, the page that shows it, for a request its settle URL. */
export function recordView(table: TableName, row: Row, publicUrl: string): Record<string, unknown> {
  const customerId = table === 'customers' ? row.id : row.customerId;
  return {
    ...present(row),
    url: `${publicUrl}/customers/${customerId}`,
    ...(table === 'requests' ? { settleUrl: `${publicUrl}/hooks/requests/${row.id}/approval` } : {}),
  };
}

function answer(result: Result<Change>, publicUrl: string, status = 200): unknown {
  if (!result.ok) return { status: STATUS_OF[result.error.code], body: { error: result.error } };
  const row = (result.value.after ?? result.value.before)!;
  return { status, body: recordView(result.value.table, row, publicUrl) };
}

export function crmConnector(deps: ConnectorDeps): ConnectorHost {
  const { records, publicUrl, apply } = deps;
  const id = { type: 'integer', summary: 'Record id', required: true } as const;
  return createConnectorHost({
    title: 'Host CRM',
    description: 'Customers, orders, notes and requests of the example CRM.',
    baseUrl: deps.baseUrl,
    auth: { type: 'apiKey', header: API_KEY_HEADER, verify: (key) => key === deps.apiKey },
    store: deps.store,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.retry ? { retry: deps.retry } : {}),
    triggers: {
      [TRIGGERS.created]: recordTrigger('When a record is created'),
      [TRIGGERS.updated]: recordTrigger('When a record is updated'),
      [TRIGGERS.deleted]: recordTrigger('When a record is deleted'),
      [TRIGGERS.event]: {
        summary: 'When a business event occurs',
        parameters: { event: { type: 'string', summary: 'Event', enum: EVENT_NAMES, required: true } },
        payload: {
          type: 'object',
          properties: {
            event: { type: 'string' },
            table: { type: 'string' },
            id: { type: 'integer' },
            record: recordSchema,
          },
        },
      },
      [TRIGGERS.instant]: {
        summary: 'For a selected record',
        instant: true,
        payload: {
          type: 'object',
          properties: { table: { type: 'string' }, id: { type: 'integer' }, record: recordSchema },
        },
      },
    },
    actions: {
      GetRecord: {
        summary: 'Get record',
        method: 'GET',
        path: '/records/{table}/{id}',
        parameters: { table: tableParameter, id },
        response: recordSchema,
        handler: ({ params }) => {
          const found = records.find(params.table, params.id);
          if (!found.ok) return { status: STATUS_OF[found.error.code], body: { error: found.error } };
          return recordView(found.value.table, found.value.row, publicUrl);
        },
      },
      UpdateRecord: {
        summary: 'Update record',
        method: 'PATCH',
        path: '/records/{table}/{id}',
        parameters: { table: tableParameter, id },
        requestBody: { ...recordSchema, title: 'Fields to change' },
        response: recordSchema,
        handler: ({ params, body }) => {
          const found = records.find(params.table, params.id);
          if (!found.ok) return answer(found, publicUrl);
          const patch = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
          return answer(apply(records.update(found.value.table, found.value.row.id, patch)), publicUrl);
        },
      },
      AddNote: {
        summary: 'Add note',
        method: 'POST',
        path: '/customers/{customerId}/notes',
        parameters: { customerId: { type: 'integer', summary: 'Customer id', required: true } },
        requestBody: {
          type: 'object',
          required: ['body'],
          properties: { body: { type: 'string', title: 'Note' }, author: { type: 'string', title: 'Author' } },
        },
        response: recordSchema,
        handler: ({ params, body }) => {
          const note = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
          const input = { body: note.body, author: note.author ?? 'flowbridge', customerId: params.customerId };
          return answer(apply(records.create('notes', input)), publicUrl, 201);
        },
      },
    },
  });
}
