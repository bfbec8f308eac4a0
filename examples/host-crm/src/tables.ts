/**
 * The CRM's data model as one table: every table, its fields and their rules. The SQL schema, form
 * parsing, validation, the pages' forms and the connector's `table` parameter all read it.
 */
export type FieldType = 'text' | 'number' | 'ref';

export interface FieldSpec {
  type: FieldType;
  label: string;
  required?: boolean;
  /** Closed set of values (a select on the pages). */
  values?: readonly string[];
  default?: string | number;
  min?: number;
  max?: number;
  /** For `ref`: the table it points to (deleting that record deletes this one). */
  ref?: TableName;
  /** Set when created, never changed afterwards (a record does not move to another customer). */
  fixed?: boolean;
  /** Set by the CRM itself (approval outcomes), never by forms or the connector. */
  system?: boolean;
}

export interface TableSpec {
  /** One record, in sentences ("a customer"). */
  singular: string;
  fields: Record<string, FieldSpec>;
}

export const REQUEST_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const TABLE_NAMES = ['customers', 'orders', 'notes', 'requests'] as const;
export type TableName = (typeof TABLE_NAMES)[number];

export const TABLES: Record<TableName, TableSpec> = {
  customers: {
    singular: 'customer',
    fields: {
      name: { type: 'text', label: 'Name', required: true },
      email: { type: 'text', label: 'Email' },
      company: { type: 'text', label: 'Company' },
      status: { type: 'text', label: 'Status', values: ['lead', 'active', 'vip', 'churned'], default: 'lead' },
    },
  },
  orders: {
    singular: 'order',
    fields: {
      customerId: { type: 'ref', label: 'Customer', ref: 'customers', required: true, fixed: true },
      description: { type: 'text', label: 'Description' },
      amount: { type: 'number', label: 'Amount', required: true, min: 0 },
      status: { type: 'text', label: 'Status', values: ['open', 'paid', 'cancelled'], default: 'open' },
    },
  },
  notes: {
    singular: 'note',
    fields: {
      customerId: { type: 'ref', label: 'Customer', ref: 'customers', required: true, fixed: true },
      body: { type: 'text', label: 'Note', required: true },
      author: { type: 'text', label: 'Author', default: 'crm' },
    },
  },
  requests: {
    singular: 'request',
    fields: {
      customerId: { type: 'ref', label: 'Customer', ref: 'customers', required: true, fixed: true },
      kind: { type: 'text', label: 'Kind', values: ['discount', 'refund', 'credit'], default: 'discount' },
      percent: { type: 'number', label: 'Percent', required: true, min: 0, max: 100 },
      reason: { type: 'text', label: 'Reason' },
      status: { type: 'text', label: 'Status', values: REQUEST_STATUSES, default: 'pending', system: true },
      approvalId: { type: 'text', label: 'Approval', system: true },
      decidedBy: { type: 'text', label: 'Decided by', system: true },
    },
  },
};

export function isTableName(value: unknown): value is TableName {
  return typeof value === 'string' && Object.hasOwn(TABLES, value);
}

export function fieldsOf(table: TableName): Record<string, FieldSpec> {
  return TABLES[table].fields;
}

/** A stored record: its fields plus id and the two timestamps (ISO 8601). */
export type Row = Record<string, string | number | null> & { id: number; createdAt: string; updatedAt: string };

/** A record without its empty fields: what flows get (a missing field reads as null with `?[...]`). */
export function present(row: Row): Row {
  return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null)) as Row;
}
