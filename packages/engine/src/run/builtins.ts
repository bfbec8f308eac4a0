// Built-in actions that are pure computation (spec §6.1–6.5, §6.11–6.12, §6.17–6.21, §6.23):
// they evaluate their inputs and finish within the same step.
import type { Value } from '@flowbridge/expression';
import { compileValue, toJson, toText } from '../expr.js';
import type { Compiled } from '../expr.js';
import { TERMINATE_STATUSES, statusNamed } from '../statuses.js';
import type { ErrorData } from '../types.js';
import type { Frame, Rec, Run } from './run.js';
import {
  appendToArray,
  appendToString,
  incrementVariable,
  initializeVariable,
  setVariable,
} from '../actions/variables.js';
import type { OpResult } from '../actions/variables.js';
import { automaticHeaders, cellText, join, parseJson } from '../actions/data.js';
import { formatTable } from '../actions/table.js';
import { isPlainObject, numeric, prop } from '../actions/values.js';

const fail = (run: Run, rec: Rec, frame: Frame, code: string, message: string, outputs?: Value): void =>
  run.settleNow(
    rec,
    frame,
    'Failed',
    outputs === undefined ? { error: { code, message } } : { error: { code, message }, outputs },
  );

export function builtinAction(run: Run, rec: Rec, frame: Frame): void {
  const node = rec.node;
  switch (node.type) {
    case 'Query':
    case 'Select':
    case 'Table':
      return dataOperation(run, rec, frame);
    default:
      break;
  }
  const ev = run.eval('inputs', rec, frame);
  if (!ev) return;
  const inputs = ev.value;
  rec.inputs = inputs;
  switch (node.type) {
    case 'Compose':
      return run.settleNow(rec, frame, 'Succeeded', { outputs: inputs, code: 'OK' });
    case 'InitializeVariable':
      return variableOp(run, rec, frame, initializeVariable(run.vars, inputs));
    case 'SetVariable':
      return variableOp(run, rec, frame, setVariable(run.vars, inputs));
    case 'IncrementVariable':
      return variableOp(run, rec, frame, incrementVariable(run.vars, inputs, 1));
    case 'DecrementVariable':
      return variableOp(run, rec, frame, incrementVariable(run.vars, inputs, -1));
    case 'AppendToArrayVariable':
      return variableOp(run, rec, frame, appendToArray(run.vars, inputs));
    case 'AppendToStringVariable':
      return variableOp(run, rec, frame, appendToString(run.vars, inputs));
    case 'ParseJson': {
      const r = parseJson(prop(inputs, 'content'), prop(inputs, 'schema'));
      if (!r.ok) return fail(run, rec, frame, r.code, r.message, r.outputs);
      return run.settleNow(rec, frame, 'Succeeded', { outputs: r.outputs, code: 'OK' });
    }
    case 'Join': {
      const r = join(prop(inputs, 'from') ?? null, prop(inputs, 'joinWith'));
      if (!r.ok) return fail(run, rec, frame, r.code, r.message);
      return run.settleNow(rec, frame, 'Succeeded', { outputs: r.outputs, code: 'OK' });
    }
    case 'Terminate':
      return terminate(run, rec, frame, inputs);
    case 'Response':
      return response(run, rec, frame, inputs);
    case 'Expression':
      return expressionAction(run, rec, frame, inputs);
    default:
      return fail(run, rec, frame, 'NoHostForAction', `The engine cannot run actions of type ${node.type}.`);
  }
}

function variableOp(run: Run, rec: Rec, frame: Frame, r: OpResult): void {
  if (!r.ok) return fail(run, rec, frame, r.code, r.message);
  const extra: { code: string; outputs?: Value } = { code: 'NotSpecified' };
  if (r.outputs !== undefined) extra.outputs = r.outputs;
  run.settleNow(rec, frame, 'Succeeded', extra);
}

function terminate(run: Run, rec: Rec, frame: Frame, inputs: Value): void {
  const raw = prop(inputs, 'runStatus');
  const status = statusNamed(TERMINATE_STATUSES, raw);
  if (!status)
    return fail(
      run,
      rec,
      frame,
      'InvalidInput',
      `Terminate runStatus must be Succeeded, Failed or Cancelled, not ${JSON.stringify(toJson(raw ?? null))}.`,
    );
  let error: ErrorData | null = null;
  if (status === 'Failed') {
    const re = prop(inputs, 'runError');
    const code = prop(re, 'code');
    const message = prop(re, 'message');
    error = {
      code: code === undefined || code === null ? 'Terminated' : toText(code),
      message:
        message === undefined || message === null ? 'The run was terminated with status Failed.' : toText(message),
    };
  }
  // The Terminate action itself succeeds; then the whole run stops (spec §6.11).
  run.settleNow(rec, frame, 'Succeeded', { code: 'OK' });
  run.halt(status, error);
}

// Headers the service drops from a Response (spec §6.12).
const DROPPED = new Set(['allow', 'cookie', 'expires', 'last-modified', 'set-cookie', 'transfer-encoding']);
const KEPT_CONTENT = new Set(['content-disposition', 'content-encoding', 'content-type']);

function response(run: Run, rec: Rec, frame: Frame, inputs: Value): void {
  if (run.response)
    return fail(
      run,
      rec,
      frame,
      'ResponseAlreadySent',
      'The request has already been answered by another Response action.',
    );
  const rawCode = prop(inputs, 'statusCode');
  let statusCode = 200;
  if (rawCode !== undefined && rawCode !== null) {
    const n = typeof rawCode === 'string' ? Number(rawCode.trim()) : Number(numeric(rawCode));
    if (!Number.isInteger(n))
      return fail(
        run,
        rec,
        frame,
        'InvalidResponseStatusCode',
        `The Response status code ${JSON.stringify(toJson(rawCode))} is not an integer.`,
      );
    statusCode = n;
  }
  if (statusCode < 200 || statusCode > 599 || (statusCode >= 300 && statusCode < 400)) {
    return fail(
      run,
      rec,
      frame,
      'InvalidResponseStatusCode',
      `The Response status code ${statusCode} is not allowed: use 2xx, 4xx or 5xx.`,
    );
  }
  const headers: Record<string, string> = {};
  const rawHeaders = prop(inputs, 'headers');
  if (isPlainObject(rawHeaders)) {
    for (const [k, v] of Object.entries(rawHeaders)) {
      const lk = k.toLowerCase();
      if (DROPPED.has(lk) || (lk.startsWith('content-') && !KEPT_CONTENT.has(lk))) continue;
      headers[k] = v === null ? '' : toText(v);
    }
  }
  const bodyValue = prop(inputs, 'body');
  const body = bodyValue === undefined ? null : toJson(bodyValue);
  run.response = { statusCode, headers, body };
  run.emitCommand({ kind: 'response', path: rec.path, statusCode, headers, body });
  const outputs: Record<string, Value> = { statusCode, headers };
  if (bodyValue !== undefined) outputs.body = bodyValue;
  run.settleNow(rec, frame, 'Succeeded', { outputs, code: 'OK' });
}

// ---- Query / Select / Table: parts evaluated once per element with item() bound to it.

function dataOperation(run: Run, rec: Rec, frame: Frame): void {
  const node = rec.node;
  const ev = run.eval('inputs', rec, frame);
  if (!ev) return;
  const from = prop(ev.value, 'from');
  const recorded: Record<string, Value> = isPlainObject(ev.value) ? { ...ev.value } : {};
  rec.inputs = recorded;
  if (!Array.isArray(from)) {
    return fail(
      run,
      rec,
      frame,
      'InvalidTemplate',
      `The 'from' property of ${node.type} '${node.name}' must be an array, not ${from === undefined || from === null ? 'null' : typeof from}.`,
    );
  }
  if (node.type === 'Query') {
    const where = node.compiled.get('where') as Compiled;
    const out: Value[] = [];
    for (const item of from) {
      const r = run.evalCompiled(where, rec, frame, { value: item });
      if (!r) return;
      if (typeof r.value !== 'boolean')
        return fail(
          run,
          rec,
          frame,
          'InvalidTemplate',
          `The 'where' expression of Query '${node.name}' must evaluate to a boolean.`,
        );
      if (r.value) out.push(item);
    }
    return run.settleNow(rec, frame, 'Succeeded', { outputs: { body: out }, code: 'OK' });
  }
  if (node.type === 'Select') {
    const select = node.compiled.get('select') as Compiled;
    const out: Value[] = [];
    for (const item of from) {
      const r = run.evalCompiled(select, rec, frame, { value: item });
      if (!r) return;
      out.push(r.value);
    }
    return run.settleNow(rec, frame, 'Succeeded', { outputs: { body: out }, code: 'OK' });
  }
  // Table
  const rawFormat = prop(ev.value, 'format');
  const format = typeof rawFormat === 'string' ? rawFormat.toUpperCase() : '';
  if (format !== 'CSV' && format !== 'HTML')
    return fail(
      run,
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
      const h = run.evalCompiled(col.header, rec, frame);
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
        const v = run.evalCompiled(col.value, rec, frame, { value: item });
        if (!v) return;
        row.push(cellText(v.value));
      }
      rows.push(row);
    }
  } else {
    const auto = automaticHeaders(from);
    if (!auto)
      return fail(run, rec, frame, 'InvalidInput', `Table '${node.name}' without columns needs an array of objects.`);
    headers = auto;
    for (const item of from) rows.push(headers.map((h) => cellText((item as Record<string, Value>)[h])));
  }
  run.settleNow(rec, frame, 'Succeeded', { outputs: { body: formatTable(format, headers, rows) }, code: 'OK' });
}

// ---- Expression actions (spec §6.23): each kind is one library function over the inputs,
// compiled once and fed through parameters() of a tiny private context.

const EXPRESSION_KINDS: Record<string, { fn: string; args: string[]; optional?: string[] }> = {
  currenttime: { fn: 'utcNow', args: [] },
  addtotime: { fn: 'addToTime', args: ['baseTime', 'interval', 'timeUnit'], optional: ['formatString'] },
  subtractfromtime: { fn: 'subtractFromTime', args: ['baseTime', 'interval', 'timeUnit'], optional: ['formatString'] },
  getfuturetime: { fn: 'getFutureTime', args: ['interval', 'timeUnit'], optional: ['formatString'] },
  getpasttime: { fn: 'getPastTime', args: ['interval', 'timeUnit'], optional: ['formatString'] },
  converttimezone: {
    fn: 'convertTimeZone',
    args: ['baseTime', 'sourceTimeZone', 'destinationTimeZone'],
    optional: ['formatString'],
  },
  formatnumber: { fn: 'formatNumber', args: ['number', 'format'], optional: ['locale'] },
  indexof: { fn: 'indexOf', args: ['text', 'searchText'] },
};
const expressionCache = new Map<string, Compiled>();

function expressionAction(run: Run, rec: Rec, frame: Frame, inputs: Value): void {
  const kind = String(prop(rec.node.def as unknown as Value, 'kind') ?? '');
  const spec = EXPRESSION_KINDS[kind.toLowerCase()];
  if (!spec) return fail(run, rec, frame, 'InvalidInput', `Unknown Expression action kind '${kind}'.`);
  const args: string[] = [];
  const values = new Map<string, Value>();
  for (const a of spec.args) {
    const v = prop(inputs, a);
    if (v === undefined) return fail(run, rec, frame, 'InvalidInput', `Expression action ${kind} needs inputs.${a}.`);
    args.push(a);
    values.set(a.toLowerCase(), v);
  }
  for (const a of spec.optional ?? []) {
    const v = prop(inputs, a);
    if (v !== undefined && v !== null && v !== '') {
      args.push(a);
      values.set(a.toLowerCase(), v);
    }
  }
  const text = `@${spec.fn}(${args.map((a) => `parameters('${a}')`).join(', ')})`;
  let compiled = expressionCache.get(text);
  if (!compiled) {
    compiled = compileValue(text);
    expressionCache.set(text, compiled);
  }
  try {
    const ctx = run.ctx(frame, rec);
    const body = compiled.evaluate({
      now: () => ctx.now(),
      parameter: (name: string) => values.get(name.toLowerCase()),
    });
    run.settleNow(rec, frame, 'Succeeded', { outputs: { body }, code: 'OK' });
  } catch (e) {
    fail(run, rec, frame, 'InvalidTemplate', `Expression action ${kind} failed: ${(e as Error).message}`);
  }
}
