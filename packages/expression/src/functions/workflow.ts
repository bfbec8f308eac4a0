import type { AnyFunctionDef } from './types.js';
import type { WorkflowContext } from '../context.js';
import { isObject, type Value } from '../values.js';
import { ExpressionError } from '../errors.js';
import { argError, expectInteger, expectString, nth } from '../coerce.js';
import { findKey } from '../objects.js';

/**
 * Workflow (run-context) functions (spec §9.7). They read the injected WorkflowContext; a source
 * the context cannot answer is an InvalidReference error.
 */

function missing(message: string): ExpressionError {
  return new ExpressionError('InvalidReference', message);
}

/** A member of a record, case-insensitively; null when absent or when the record is not an object. */
function member(v: Value | undefined, key: string): Value {
  if (v === undefined || !isObject(v)) return null;
  const k = findKey(v, key);
  return k === undefined ? null : (v[k] as Value);
}

function triggerRecord(ctx: WorkflowContext): Value {
  if (!ctx.trigger) throw missing('The trigger is not available in this context.');
  return ctx.trigger();
}

function actionRecord(fn: string, ctx: WorkflowContext, nameArg: Value): Value {
  const name = expectString(fn, nameArg);
  const record = ctx.action?.(name);
  if (record === undefined) {
    throw missing(
      `The template function '${fn}' cannot be evaluated: the action '${name}' is not defined in the template or has not run yet.`,
    );
  }
  return record;
}

const actionBody = (fn: string) => (args: Value[], ctx: WorkflowContext) =>
  member(member(actionRecord(fn, ctx, args[0] as Value), 'outputs'), 'body');
const actionOutputs = (fn: string) => (args: Value[], ctx: WorkflowContext) =>
  member(actionRecord(fn, ctx, args[0] as Value), 'outputs');

/** Entries of a form-data body (`$formdata: [{key, value}]`) whose key matches. */
function formValues(fn: string, body: Value, keyArg: Value): Value[] {
  const key = expectString(fn, keyArg, nth(body === undefined ? 0 : 1));
  const entries = member(body, '$formdata');
  if (!Array.isArray(entries)) {
    throw argError(fn, 'expects a body of content type application/x-www-form-urlencoded or multipart/form-data.');
  }
  const out: Value[] = [];
  for (const e of entries) if (member(e, 'key') === key) out.push(member(e, 'value'));
  return out;
}

function formValue(fn: string, body: Value, keyArg: Value): Value {
  const values = formValues(fn, body, keyArg);
  if (values.length > 1) {
    throw argError(fn, `found more than one value for the key '${String(keyArg)}'; use the MultiValues variant.`);
  }
  return values[0] ?? null;
}

function multipartPart(fn: string, body: Value, indexArg: Value): Value {
  const index = expectInteger(fn, indexArg);
  const parts = member(body, '$multipart');
  if (!Array.isArray(parts)) throw argError(fn, 'expects a body of content type multipart.');
  const part = parts[index];
  if (index < 0 || part === undefined) {
    throw argError(fn, `was given the part index ${index}, but the body has ${parts.length} parts.`);
  }
  return member(part, 'body');
}

function notFound(what: string, name: string): ExpressionError {
  return missing(`The ${what} '${name}' cannot be found.`);
}

const triggerBody = (ctx: WorkflowContext): Value => member(member(triggerRecord(ctx), 'outputs'), 'body');

export const workflowFunctions: AnyFunctionDef[] = [
  { name: 'trigger', minArgs: 0, maxArgs: 0, impl: (_a, ctx) => triggerRecord(ctx) },
  { name: 'triggerOutputs', minArgs: 0, maxArgs: 0, impl: (_a, ctx) => member(triggerRecord(ctx), 'outputs') },
  { name: 'triggerBody', minArgs: 0, maxArgs: 0, impl: (_a, ctx) => triggerBody(ctx) },
  {
    name: 'triggerFormDataValue',
    minArgs: 1,
    maxArgs: 1,
    impl: ([key], ctx) => formValue('triggerFormDataValue', triggerBody(ctx), key as Value),
  },
  {
    name: 'triggerFormDataMultiValues',
    minArgs: 1,
    maxArgs: 1,
    impl: ([key], ctx) => formValues('triggerFormDataMultiValues', triggerBody(ctx), key as Value),
  },
  {
    name: 'triggerMultipartBody',
    minArgs: 1,
    maxArgs: 1,
    impl: ([index], ctx) => multipartPart('triggerMultipartBody', triggerBody(ctx), index as Value),
  },
  { name: 'actions', minArgs: 1, maxArgs: 1, impl: ([name], ctx) => actionRecord('actions', ctx, name as Value) },
  {
    name: 'action',
    minArgs: 0,
    maxArgs: 0,
    impl: (_a, ctx) => {
      const record = ctx.currentAction?.();
      if (record === undefined) throw missing("The template function 'action' is not available in this context.");
      return record;
    },
  },
  { name: 'body', minArgs: 1, maxArgs: 1, impl: actionBody('body') },
  { name: 'actionBody', minArgs: 1, maxArgs: 1, impl: actionBody('actionBody') },
  { name: 'outputs', minArgs: 1, maxArgs: 1, impl: actionOutputs('outputs') },
  { name: 'actionOutputs', minArgs: 1, maxArgs: 1, impl: actionOutputs('actionOutputs') },
  {
    name: 'formDataValue',
    minArgs: 2,
    maxArgs: 2,
    impl: (args, ctx) => formValue('formDataValue', actionBody('formDataValue')(args, ctx), args[1] as Value),
  },
  {
    name: 'formDataMultiValues',
    minArgs: 2,
    maxArgs: 2,
    impl: (args, ctx) =>
      formValues('formDataMultiValues', actionBody('formDataMultiValues')(args, ctx), args[1] as Value),
  },
  {
    name: 'multipartBody',
    minArgs: 2,
    maxArgs: 2,
    impl: (args, ctx) => multipartPart('multipartBody', actionBody('multipartBody')(args, ctx), args[1] as Value),
  },
  {
    name: 'items',
    minArgs: 1,
    maxArgs: 1,
    impl: ([name], ctx) => {
      const n = expectString('items', name as Value);
      const v = ctx.item?.(n);
      if (v === undefined) throw notFound('repeating action', n);
      return v;
    },
  },
  {
    name: 'item',
    minArgs: 0,
    maxArgs: 0,
    impl: (_a, ctx) => {
      const v = ctx.item?.(undefined);
      if (v === undefined) throw missing("The template function 'item' can only be used inside a repeating action.");
      return v;
    },
  },
  {
    name: 'iterationIndexes',
    minArgs: 1,
    maxArgs: 1,
    impl: ([name], ctx) => {
      const n = expectString('iterationIndexes', name as Value);
      const v = ctx.iterationIndex?.(n);
      if (v === undefined) throw notFound('Until loop', n);
      return v;
    },
  },
  {
    name: 'variables',
    minArgs: 1,
    maxArgs: 1,
    impl: ([name], ctx) => {
      const n = expectString('variables', name as Value);
      const v = ctx.variable?.(n);
      if (v === undefined) throw notFound('variable', n);
      return v;
    },
  },
  {
    name: 'parameters',
    minArgs: 1,
    maxArgs: 1,
    impl: ([name], ctx) => {
      const n = expectString('parameters', name as Value);
      const v = ctx.parameter?.(n);
      if (v === undefined) throw notFound('workflow parameter', n);
      return v;
    },
  },
  {
    name: 'result',
    minArgs: 1,
    maxArgs: 1,
    impl: ([name], ctx) => {
      const n = expectString('result', name as Value);
      const v = ctx.result?.(n);
      if (v === undefined) throw notFound('scoped action', n);
      return v;
    },
  },
  {
    name: 'workflow',
    minArgs: 0,
    maxArgs: 0,
    impl: (_a, ctx) => {
      if (!ctx.workflow) throw missing('The workflow details are not available in this context.');
      return ctx.workflow();
    },
  },
  {
    name: 'listCallbackUrl',
    minArgs: 0,
    maxArgs: 0,
    impl: (_a, ctx) => {
      const url = ctx.listCallbackUrl?.();
      if (url === undefined) throw missing('No callback URL is available for this trigger or action.');
      return url;
    },
  },
  {
    name: 'appsetting',
    minArgs: 1,
    maxArgs: 1,
    impl: ([key], ctx) => {
      const name = expectString('appsetting', key as Value);
      if (!ctx.appsetting) throw missing('App settings are not available in this context.');
      return ctx.appsetting(name) ?? null;
    },
  },
];
