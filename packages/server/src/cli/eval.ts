import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import {
  compileString,
  ExpressionError,
  findKey,
  isObject,
  parseJson,
  stringifyValue,
  type ExpressionErrorCode,
  type Value,
  type ValueObject,
  type WorkflowContext,
} from '@flowbridge/expression';
import type { CliIO } from './io.js';

/**
 * `flowbridge eval '<expression>' [--context <file>]` and `flowbridge eval -` (DESIGN §4).
 * The expression is a definition string ("@add(1,2)", "Hi @{'x'}", or plain text). The context
 * file describes what workflow functions see: {parameters, variables, triggerBody,
 * triggerOutputs, outputs, items, ...}. JSON is read with the expression library's parser so
 * that `5.0` stays a float.
 */

/** Errors of the CLI itself, besides the expression's own. */
export type EvalErrorCode = ExpressionErrorCode | 'InvalidInput' | 'InternalError';

interface ErrorData {
  code: EvalErrorCode;
  message: string;
  expression?: string;
  position?: number;
}

function errorData(e: unknown): ErrorData {
  if (e instanceof ExpressionError) return e.toData();
  return { code: 'InternalError', message: e instanceof Error ? e.message : String(e) };
}

function member(obj: ValueObject, key: string): Value | undefined {
  const k = findKey(obj, key);
  return k === undefined ? undefined : obj[k];
}

function record(v: Value | undefined): ValueObject {
  return v !== undefined && isObject(v) ? v : {};
}

/** Builds the WorkflowContext described by a context JSON object. */
export function contextFromJson(json: Value | undefined): WorkflowContext {
  const c = record(json);
  const parameters = record(member(c, 'parameters'));
  const variables = record(member(c, 'variables'));
  const outputs = record(member(c, 'outputs'));
  const actions = record(member(c, 'actions'));
  const items = record(member(c, 'items'));
  const iterationIndexes = record(member(c, 'iterationIndexes'));
  const results = record(member(c, 'results'));
  const appsettings = record(member(c, 'appsettings'));
  const triggerBody = member(c, 'triggerBody');
  let triggerOutputs = member(c, 'triggerOutputs');
  if (triggerOutputs === undefined) triggerOutputs = triggerBody === undefined ? {} : { body: triggerBody };
  else if (triggerBody !== undefined && isObject(triggerOutputs) && findKey(triggerOutputs, 'body') === undefined) {
    triggerOutputs = { ...triggerOutputs, body: triggerBody };
  }
  const trigger: Value = { name: 'manual', status: 'Succeeded', outputs: triggerOutputs };
  const itemKeys = Object.keys(items);
  const lastLoop = itemKeys[itemKeys.length - 1];
  const workflow = member(c, 'workflow') ?? {
    id: '/workflows/eval',
    name: 'eval',
    type: 'Microsoft.Logic/workflows',
    run: { id: '/workflows/eval/runs/eval', name: 'eval', type: 'Microsoft.Logic/workflows/runs' },
  };
  return {
    trigger: () => trigger,
    action: (name) => {
      const full = member(actions, name);
      if (full !== undefined) return full;
      const out = member(outputs, name);
      return out === undefined ? undefined : { name, status: 'Succeeded', outputs: out };
    },
    item: (loop) => {
      if (loop !== undefined) return member(items, loop);
      return lastLoop === undefined ? undefined : items[lastLoop];
    },
    iterationIndex: (loop) => {
      const v = member(iterationIndexes, loop);
      return typeof v === 'number' ? v : undefined;
    },
    variable: (name) => member(variables, name),
    parameter: (name) => member(parameters, name),
    result: (name) => member(results, name),
    workflow: () => workflow,
    listCallbackUrl: () => {
      const url = member(c, 'callbackUrl');
      return typeof url === 'string' ? url : undefined;
    },
    appsetting: (key) => {
      const v = member(appsettings, key);
      return typeof v === 'string' ? v : undefined;
    },
    now: () => Date.now(),
    newGuid: () => randomUUID(),
    random: () => Math.random(),
  };
}

function evaluate(expression: string, context: Value | undefined): Value {
  return compileString(expression).evaluate(contextFromJson(context));
}

/** One NDJSON line in, one out; never throws. */
export function evalLine(line: string): string {
  let input: Value;
  try {
    input = parseJson(line);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return JSON.stringify({ error: { code: 'InvalidInput', message: `The line is not valid JSON: ${message}` } });
  }
  const expression = isObject(input) ? member(input, 'expression') : undefined;
  if (typeof expression !== 'string') {
    return JSON.stringify({
      error: { code: 'InvalidInput', message: 'Each line must be an object with a string "expression".' },
    });
  }
  try {
    const value = evaluate(expression, member(input as ValueObject, 'context'));
    return `{"value":${stringifyValue(value)}}`;
  } catch (e) {
    const { code, message } = errorData(e);
    return JSON.stringify({ error: { code, message } });
  }
}

const USAGE = "usage: flowbridge eval '<expression>' [--context <file>] | flowbridge eval -\n";

export async function run(args: string[], io: CliIO): Promise<number> {
  let expression: string | undefined;
  let contextFile: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--context') {
      contextFile = args[++i];
      if (contextFile === undefined) {
        io.stderr(`flowbridge eval: --context needs a file\n${USAGE}`);
        return 2;
      }
    } else if (arg.startsWith('--context=')) {
      contextFile = arg.slice('--context='.length);
    } else if (expression === undefined) {
      expression = arg;
    } else {
      io.stderr(`flowbridge eval: unexpected argument '${arg}'\n${USAGE}`);
      return 2;
    }
  }
  if (expression === undefined) {
    io.stderr(USAGE);
    return 2;
  }
  if (expression === '-') {
    for await (const line of io.readStdin()) {
      if (line.trim() === '') continue;
      io.stdout(`${evalLine(line)}\n`);
    }
    return 0;
  }
  let context: Value | undefined;
  if (contextFile !== undefined) {
    try {
      context = parseJson(await readFile(contextFile, 'utf8'));
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      io.stderr(`${JSON.stringify({ code: 'InvalidInput', message: `Cannot read the context file: ${message}` })}\n`);
      return 1;
    }
  }
  try {
    io.stdout(`${stringifyValue(evaluate(expression, context))}\n`);
    return 0;
  } catch (e) {
    io.stderr(`${JSON.stringify(errorData(e))}\n`);
    return 1;
  }
}
