/**
 * The CRM's records in SQLite: create, read, update, delete with validation from tables.ts. Every
 * write returns the Change it made, which events.ts turns into trigger events; errors are data.
 */
import Database from 'better-sqlite3';
import { fieldsOf, isTableName, TABLE_NAMES, TABLES, type FieldSpec, type Row, type TableName } from './tables.js';

export type CrmErrorCode =
  'UnknownTable' | 'NotFound' | 'MissingField' | 'InvalidField' | 'UnknownField' | 'ReadOnlyField' | 'AlreadySettled';

export interface CrmError {
  code: CrmErrorCode;
  message: string;
  /** The field or record concerned (`status`, `customers/7`). */
  target?: string;
}

export interface Change {
  table: TableName;
  op: 'created' | 'updated' | 'deleted';
  id: number;
  before?: Row;
  after?: Row;
  /** The fields whose value changed (all given fields for a new record). */
  changed: string[];
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: CrmError };

const fail = (code: CrmErrorCode, message: string, target?: string): { ok: false; error: CrmError } => ({
  ok: false,
  error: { code, message, ...(target !== undefined ? { target } : {}) },
});

function columnSql(name: string, spec: FieldSpec): string {
  const type = spec.type === 'text' ? 'TEXT' : spec.type === 'number' ? 'REAL' : 'INTEGER';
  const notNull = spec.required ? ' NOT NULL' : '';
  const ref = spec.ref ? ` REFERENCES ${spec.ref}(id) ON DELETE CASCADE` : '';
  return `${name} ${type}${notNull}${ref}`;
}

/** One value from a form (text) or JSON, checked against its field. */
export function coerce(name: string, spec: FieldSpec, raw: unknown): Result<string | number | null> {
  if (raw === undefined || raw === null || raw === '') {
    return spec.required ? fail('MissingField', `'${name}' is required.`, name) : { ok: true, value: null };
  }
  if (spec.type === 'text') {
    if (typeof raw !== 'string' && typeof raw !== 'number') return fail('InvalidField', `'${name}' is text.`, name);
    const value = String(raw).trim();
    if (spec.values && !spec.values.includes(value)) {
      return fail('InvalidField', `'${name}' is one of ${spec.values.join(', ')}.`, name);
    }
    return { ok: true, value };
  }
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : NaN;
  if (!Number.isFinite(value)) return fail('InvalidField', `'${name}' is a number.`, name);
  if (spec.type === 'ref' && !Number.isInteger(value)) return fail('InvalidField', `'${name}' is a record id.`, name);
  if (spec.min !== undefined && value < spec.min)
    return fail('InvalidField', `'${name}' is at least ${spec.min}.`, name);
  if (spec.max !== undefined && value > spec.max)
    return fail('InvalidField', `'${name}' is at most ${spec.max}.`, name);
  return { ok: true, value };
}

export class Records {
  readonly db: Database.Database;

  constructor(
    file: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    for (const table of TABLE_NAMES) {
      const columns = Object.entries(fieldsOf(table)).map(([name, spec]) => columnSql(name, spec));
      this.db.exec(
        `CREATE TABLE IF NOT EXISTS ${table} (id INTEGER PRIMARY KEY AUTOINCREMENT, ${columns.join(', ')}, ` +
          'createdAt TEXT NOT NULL, updatedAt TEXT NOT NULL)',
      );
    }
    this.db.exec('CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  }

  /** A value kept with the records (the generated API key), made on first use. */
  setting(key: string, make: () => string): string {
    this.db.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)').run(key, make());
    return (this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string }).value;
  }

  close(): void {
    this.db.close();
  }

  list(table: TableName, where: { customerId?: number } = {}): Row[] {
    if (where.customerId !== undefined) {
      return this.db
        .prepare(`SELECT * FROM ${table} WHERE customerId = ? ORDER BY id DESC`)
        .all(where.customerId) as Row[];
    }
    return this.db.prepare(`SELECT * FROM ${table} ORDER BY id DESC`).all() as Row[];
  }

  get(table: TableName, id: number): Row | undefined {
    return this.db.prepare(`SELECT * FROM ${table} WHERE id = ?`).get(id) as Row | undefined;
  }

  /** The record, or NotFound / UnknownTable naming it: what the pages and the connector answer. */
  find(table: unknown, id: unknown): Result<{ table: TableName; row: Row }> {
    if (!isTableName(table)) return fail('UnknownTable', `No table '${String(table)}'.`, String(table));
    const n = typeof id === 'number' ? id : Number(id);
    const row = Number.isInteger(n) ? this.get(table, n) : undefined;
    if (!row) return fail('NotFound', `No ${TABLES[table].singular} ${String(id)}.`, `${table}/${String(id)}`);
    return { ok: true, value: { table, row } };
  }

  create(table: TableName, input: Record<string, unknown>): Result<Change> {
    const values: Record<string, string | number | null> = {};
    for (const [name, spec] of Object.entries(fieldsOf(table))) {
      if (spec.system && input[name] !== undefined) return fail('ReadOnlyField', `'${name}' is set by the CRM.`, name);
      const given = input[name] === '' ? undefined : input[name];
      const value = coerce(name, spec, spec.system ? spec.default : (given ?? spec.default));
      if (!value.ok) return value;
      values[name] = value.value;
    }
    const unknown = Object.keys(input).find((k) => !Object.hasOwn(fieldsOf(table), k));
    if (unknown !== undefined) return fail('UnknownField', `${table} has no field '${unknown}'.`, unknown);
    const parent = this.checkRefs(table, values);
    if (parent) return parent;
    const at = this.now().toISOString();
    const names = Object.keys(values);
    const info = this.db
      .prepare(
        `INSERT INTO ${table} (${names.join(', ')}, createdAt, updatedAt) VALUES (${names.map(() => '?').join(', ')}, ?, ?)`,
      )
      .run(...names.map((n) => values[n]), at, at);
    const id = Number(info.lastInsertRowid);
    const after = this.get(table, id)!;
    return { ok: true, value: { table, op: 'created', id, after, changed: names.filter((n) => values[n] !== null) } };
  }

  /** A partial update from a form or the connector; `system` fields only through `settle`. */
  update(
    table: TableName,
    id: number,
    patch: Record<string, unknown>,
    options: { system?: boolean } = {},
  ): Result<Change> {
    const found = this.find(table, id);
    if (!found.ok) return found;
    const before = found.value.row;
    const values: Record<string, string | number | null> = {};
    for (const [name, raw] of Object.entries(patch)) {
      const spec = fieldsOf(table)[name];
      if (!spec) return fail('UnknownField', `${table} has no field '${name}'.`, name);
      if (spec.system && !options.system) return fail('ReadOnlyField', `'${name}' is set by the CRM.`, name);
      const value = coerce(name, spec, raw);
      if (!value.ok) return value;
      if (value.value === before[name]) continue;
      if (spec.fixed) return fail('ReadOnlyField', `'${name}' cannot change.`, name);
      values[name] = value.value;
    }
    const changed = Object.keys(values);
    if (changed.length === 0) return { ok: true, value: { table, op: 'updated', id, before, after: before, changed } };
    const at = this.now().toISOString();
    this.db
      .prepare(`UPDATE ${table} SET ${changed.map((n) => `${n} = ?`).join(', ')}, updatedAt = ? WHERE id = ?`)
      .run(...changed.map((n) => values[n]), at, id);
    return { ok: true, value: { table, op: 'updated', id, before, after: this.get(table, id)!, changed } };
  }

  /** Deletes the record; records that point to it (a customer's orders, notes, requests) go with it. */
  remove(table: TableName, id: number): Result<Change> {
    const found = this.find(table, id);
    if (!found.ok) return found;
    this.db.prepare(`DELETE FROM ${table} WHERE id = ?`).run(id);
    return { ok: true, value: { table, op: 'deleted', id, before: found.value.row, changed: [] } };
  }

  /**
   * An approval's outcome settles a pending request exactly once. Flowbridge posts it at least
   * once, so the same approval again is a success that changes nothing; another one is refused.
   */
  settle(id: number, outcome: { approvalId: string; approved: boolean; decidedBy: string }): Result<Change | null> {
    const found = this.find('requests', id);
    if (!found.ok) return found;
    const row = found.value.row;
    if (row.status !== 'pending') {
      if (row.approvalId === outcome.approvalId) return { ok: true, value: null };
      return fail('AlreadySettled', `Request ${id} is already ${String(row.status)}.`, `requests/${id}`);
    }
    return this.update(
      'requests',
      id,
      {
        status: outcome.approved ? 'approved' : 'rejected',
        approvalId: outcome.approvalId,
        decidedBy: outcome.decidedBy,
      },
      { system: true },
    );
  }

  private checkRefs(table: TableName, values: Record<string, unknown>): { ok: false; error: CrmError } | undefined {
    for (const [name, spec] of Object.entries(fieldsOf(table))) {
      if (!spec.ref || values[name] === null) continue;
      if (!this.get(spec.ref, Number(values[name]))) {
        return fail('NotFound', `No ${TABLES[spec.ref].singular} ${String(values[name])}.`, name);
      }
    }
    return undefined;
  }
}

/** The HTTP status each error answers with (the connector's actions and the CRM's hooks). */
export const STATUS_OF: Record<CrmErrorCode, number> = {
  UnknownTable: 400,
  NotFound: 404,
  MissingField: 400,
  InvalidField: 400,
  UnknownField: 400,
  ReadOnlyField: 400,
  AlreadySettled: 409,
};
