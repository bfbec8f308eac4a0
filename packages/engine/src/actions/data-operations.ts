// Query, Select and Table (spec §6.18–6.21): parts of their inputs are evaluated once per element
// of `from`, with item() bound to it, so they are compiled as roles of their own.
import type { Value } from '@flowbridge/expression';
import type { ActionNode } from '../definition/model.js';
import { getProp, ptr } from '../definition/load.js';
import type { Compiled } from '../expr.js';
import { toJson } from '../expr.js';
import { isRecord } from '../json.js';
import type { ActionHost, Frame, Rec } from '../run/host.js';
import { automaticHeaders, cellText } from './data.js';
import { fail } from './settle.js';
import { formatTable } from './table.js';
import { define } from './types.js';
import type { ActionType, DefinitionCheck } from './types.js';
import { isPlainObject, prop } from './values.js';

/** Evaluates the inputs but `from` must be an array; returns it, or undefined when the action failed. */
function source(host: ActionHost, rec: Rec, frame: Frame): { from: Value[]; inputs: Value } | undefined {
  const node = rec.node;
  const ev = host.eval('inputs', rec, frame);
  if (!ev) return undefined;
  const from = prop(ev.value, 'from');
  rec.inputs = isPlainObject(ev.value) ? { ...ev.value } : {};
  if (!Array.isArray(from)) {
    fail(
      host,
      rec,
      frame,
      'InvalidTemplate',
      `The 'from' property of ${node.type} '${node.name}' must be an array, not ${from === undefined || from === null ? 'null' : typeof from}.`,
    );
    return undefined;
  }
  return { from, inputs: ev.value };
}

function query(host: ActionHost, rec: Rec, frame: Frame): void {
  const src = source(host, rec, frame);
  if (!src) return;
  const where = rec.node.compiled.get('where') as Compiled;
  const out: Value[] = [];
  for (const item of src.from) {
    const r = host.evalCompiled(where, rec, frame, { value: item });
    if (!r) return;
    if (typeof r.value !== 'boolean')
      return fail(
        host,
        rec,
        frame,
        'InvalidTemplate',
        `The 'where' expression of Query '${rec.node.name}' must evaluate to a boolean.`,
      );
    if (r.value) out.push(item);
  }
  host.settle(rec, frame, 'Succeeded', { outputs: { body: out }, code: 'OK' });
}

function select(host: ActionHost, rec: Rec, frame: Frame): void {
  const src = source(host, rec, frame);
  if (!src) return;
  const map = rec.node.compiled.get('select') as Compiled;
  const out: Value[] = [];
  for (const item of src.from) {
    const r = host.evalCompiled(map, rec, frame, { value: item });
    if (!r) return;
    out.push(r.value);
  }
  host.settle(rec, frame, 'Succeeded', { outputs: { body: out }, code: 'OK' });
}

function table(host: ActionHost, rec: Rec, frame: Frame): void {
  const src = source(host, rec, frame);
  if (!src) return;
  const { from } = src;
  const node = rec.node;
  const rawFormat = prop(src.inputs, 'format');
  const format = typeof rawFormat === 'string' ? rawFormat.toUpperCase() : '';
  if (format !== 'CSV' && format !== 'HTML')
    return fail(
      host,
      rec,
      frame,
      'InvalidInput',
      `Table format must be CSV or HTML, not ${JSON.stringify(toJson(rawFormat ?? null))}.`,
    );
  let headers: string[];
  const rows: string[][] = [];
  if (node.columns && node.columns.length > 0) {
    headers = [];
    for (const col of node.columns) {
      if (!col.header) {
        headers.push('');
        continue;
      }
      const h = host.evalCompiled(col.header, rec, frame);
      if (!h) return;
      headers.push(cellText(h.value));
    }
    for (const item of from) {
      const row: string[] = [];
      for (const col of node.columns) {
        if (!col.value) {
          row.push('');
          continue;
        }
        const v = host.evalCompiled(col.value, rec, frame, { value: item });
        if (!v) return;
        row.push(cellText(v.value));
      }
      rows.push(row);
    }
  } else {
    const auto = automaticHeaders(from);
    if (!auto)
      return fail(host, rec, frame, 'InvalidInput', `Table '${node.name}' without columns needs an array of objects.`);
    headers = auto;
    for (const item of from) rows.push(headers.map((h) => cellText((item as Record<string, Value>)[h])));
  }
  host.settle(rec, frame, 'Succeeded', { outputs: { body: formatTable(format, headers, rows) }, code: 'OK' });
}

/** Compiles where/select/columns per element and the rest of the inputs as a whole. */
function compileParts(node: ActionNode, inputs: Record<string, unknown>, c: DefinitionCheck): void {
  const p = node.pointer;
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(inputs)) {
    const lk = k.toLowerCase();
    if (lk === 'where') c.compileRole('where', v, p + '/inputs' + ptr(k), 'condition');
    else if (lk === 'select') c.compileRole('select', v, p + '/inputs' + ptr(k));
    else if (lk === 'columns' && node.type === 'Table' && Array.isArray(v)) {
      node.columns = v.map((col, i) => {
        const cp = p + '/inputs' + ptr(k) + ptr(i);
        if (!isRecord(col)) return {};
        const h = getProp(col, 'header');
        const val = getProp(col, 'value');
        const out: { header?: Compiled; value?: Compiled } = {};
        const hc = h === undefined ? undefined : c.compile(h, cp + '/header');
        const vc = val === undefined ? undefined : c.compile(val, cp + '/value');
        if (hc) out.header = hc;
        if (vc) out.value = vc;
        return out;
      });
    } else rest[k] = v;
  }
  if (node.type === 'Query' && getProp(inputs, 'where') === undefined)
    c.err(p + '/inputs', 'MissingRequiredProperty', `Query '${node.name}' requires inputs.where.`);
  if (node.type === 'Select' && getProp(inputs, 'select') === undefined)
    c.err(p + '/inputs', 'MissingRequiredProperty', `Select '${node.name}' requires inputs.select.`);
  c.compileRole('inputs', rest, p + '/inputs');
}

export const dataActions: ActionType[] = [
  define({ name: 'Query', kind: 'builtin', compileInputs: compileParts, run: query }),
  define({ name: 'Select', kind: 'builtin', compileInputs: compileParts, run: select }),
  define({ name: 'Table', kind: 'builtin', compileInputs: compileParts, run: table }),
];
