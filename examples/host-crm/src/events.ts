/**
 * What a change in the CRM tells flows: the record trigger of its kind (parameter `table`), and the
 * business events it amounts to (parameter `event`), defined as one table.
 */
import type { Change } from './records.js';
import { present, type Row, type TableName } from './tables.js';

/** The connector's trigger operation ids (connector.ts declares them, pages and tests name them). */
export const TRIGGERS = {
  created: 'WhenRecordCreated',
  updated: 'WhenRecordUpdated',
  deleted: 'WhenRecordDeleted',
  event: 'WhenBusinessEvent',
  instant: 'ForSelectedRecord',
} as const;
export type TriggerId = (typeof TRIGGERS)[keyof typeof TRIGGERS];

export interface RecordPayload {
  table: TableName;
  id: number;
  op: Change['op'];
  /** The record as it is now (as it was, for a deletion). */
  record: Row;
  changed: string[];
}

export interface EventPayload {
  event: string;
  table: TableName;
  id: number;
  record: Row;
}

export interface Emission {
  opId: TriggerId;
  parameters: Record<string, string>;
  payload: RecordPayload | EventPayload;
}

interface BusinessEvent {
  event: string;
  summary: string;
  when: (change: Change) => boolean;
}

const LARGE_ORDER = 1000;

const became = (change: Change, field: string, value: string): boolean =>
  change.op === 'updated' && change.changed.includes(field) && change.after?.[field] === value;

export const BUSINESS_EVENTS: readonly BusinessEvent[] = [
  {
    event: 'order.large',
    summary: `An order of ${LARGE_ORDER} or more was placed`,
    when: (c) => c.table === 'orders' && c.op === 'created' && Number(c.after?.amount) >= LARGE_ORDER,
  },
  {
    event: 'customer.vip',
    summary: 'A customer became VIP',
    when: (c) => c.table === 'customers' && became(c, 'status', 'vip'),
  },
  {
    event: 'request.submitted',
    summary: 'A request was submitted for approval',
    when: (c) => c.table === 'requests' && c.op === 'created',
  },
  {
    event: 'request.settled',
    summary: 'A request was approved or rejected',
    when: (c) => c.table === 'requests' && c.op === 'updated' && c.changed.includes('status'),
  },
];

export const EVENT_NAMES = BUSINESS_EVENTS.map((e) => e.event);

/** The trigger events of one change; an update that changed nothing tells nobody. */
export function emissionsOf(change: Change): Emission[] {
  if (change.op === 'updated' && change.changed.length === 0) return [];
  const record = present((change.after ?? change.before)!);
  const base = { table: change.table, id: change.id };
  const out: Emission[] = [
    {
      opId: TRIGGERS[change.op],
      parameters: { table: change.table },
      payload: { ...base, op: change.op, record, changed: change.changed },
    },
  ];
  for (const e of BUSINESS_EVENTS) {
    if (e.when(change))
      out.push({ opId: TRIGGERS.event, parameters: { event: e.event }, payload: { event: e.event, ...base, record } });
  }
  return out;
}
