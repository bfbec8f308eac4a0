// Built-in actions that are pure computation over their inputs (spec §6.1, §6.17, §6.20, §6.23):
// they finish within the step.
import type { Value } from '@flowbridge/expression';
import { compileValue } from '../expr.js';
import type { Compiled } from '../expr.js';
import type { ActionHost, Frame, Rec } from '../run/host.js';
import { getProp } from '../definition/load.js';
import { join, parseJson } from './data.js';
import { fail, withInputs } from './settle.js';
import { define } from './types.js';
import type { ActionType } from './types.js';
import { prop } from './values.js';

const compose = withInputs((host, rec, frame, inputs) =>
  host.settle(rec, frame, 'Succeeded', { outputs: inputs, code: 'OK' }),
);

const parse = withInputs((host, rec, frame, inputs) => {
  const r = parseJson(prop(inputs, 'content'), prop(inputs, 'schema'));
  if (!r.ok) return fail(host, rec, frame, r.code, r.message, r.outputs);
  host.settle(rec, frame, 'Succeeded', { outputs: r.outputs, code: 'OK' });
});

const joinAction = withInputs((host, rec, frame, inputs) => {
  const r = join(prop(inputs, 'from') ?? null, prop(inputs, 'joinWith'));
  if (!r.ok) return fail(host, rec, frame, r.code, r.message);
  host.settle(rec, frame, 'Succeeded', { outputs: r.outputs, code: 'OK' });
});

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

function expressionAction(host: ActionHost, rec: Rec, frame: Frame, inputs: Value): void {
  const kind = String(getProp(rec.node.def, 'kind') ?? '');
  const spec = EXPRESSION_KINDS[kind.toLowerCase()];
  if (!spec) return fail(host, rec, frame, 'InvalidInput', `Unknown Expression action kind '${kind}'.`);
  const args: string[] = [];
  const values = new Map<string, Value>();
  for (const a of spec.args) {
    const v = prop(inputs, a);
    if (v === undefined) return fail(host, rec, frame, 'InvalidInput', `Expression action ${kind} needs inputs.${a}.`);
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
    const body = compiled.evaluate({
      now: () => host.now,
      parameter: (name: string) => values.get(name.toLowerCase()),
    });
    host.settle(rec, frame, 'Succeeded', { outputs: { body }, code: 'OK' });
  } catch (e) {
    fail(host, rec, frame, 'InvalidTemplate', `Expression action ${kind} failed: ${(e as Error).message}`);
  }
}

export const builtinActions: ActionType[] = [
  define({
    name: 'Compose',
    kind: 'builtin',
    check: (_node, c) => {
      c.required('inputs');
    },
    run: compose,
  }),
  define({ name: 'ParseJson', kind: 'builtin', run: parse }),
  define({ name: 'Join', kind: 'builtin', run: joinAction }),
  define({ name: 'Expression', kind: 'builtin', run: withInputs(expressionAction) }),
];
