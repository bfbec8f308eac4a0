// Containers (spec §6.6–6.10): Scope, If, Switch, Foreach and Until own action maps and finish
// when what they ran is done. Their status comes from their leaves (spec §7.3).
import type { Value } from '@flowbridge/expression';
import type { ActionNode, ContainerDef } from '../definition/model.js';
import { getProp, ptr } from '../definition/load.js';
import { LIMITS } from '../definition/limits.js';
import { evaluationError, toJson } from '../expr.js';
import { isRecord } from '../json.js';
import type { ActionHost, Frame, Rec, Settlement } from '../run/host.js';
import type { LoopCtx } from '../run/context.js';
import { parseDuration } from '../run/timing.js';
import type { Outcome } from '../statuses.js';
import type { ErrorData } from '../types.js';
import { define } from './types.js';
import type { ActionType, DefinitionCheck } from './types.js';
import { deepEquals, numeric, prop } from './values.js';

/** The error of a container (and a run) whose actions failed. */
export const FAILED_CONTAINER: ErrorData = {
  code: 'ActionFailed',
  message: 'An action failed. No dependent actions succeeded.',
};

const NOT_CHOSEN = 'ActionBranchingConditionNotSatisfied';

/** Settles a container from the outcome of what it ran. */
function finish(host: ActionHost, rec: Rec, frame: Frame, outcome: Outcome, extra: Settlement = {}): void {
  host.settle(
    rec,
    frame,
    outcome,
    outcome === 'Failed'
      ? { ...extra, error: FAILED_CONTAINER, code: 'ActionFailed' }
      : { ...extra, code: 'NotSpecified' },
  );
}

/** Fails a container before it ran anything: everything inside is Skipped. */
function refuse(host: ActionHost, rec: Rec, frame: Frame, error: ErrorData): void {
  host.skipBodies(rec.node, frame.prefix, 'ActionSkipped');
  host.settle(rec, frame, 'Failed', { error });
}

function runScope(host: ActionHost, rec: Rec, frame: Frame): void {
  host.startFrame(rec.node.body as ContainerDef, frame.prefix, frame.loop, (s) => finish(host, rec, frame, s));
}

function runIf(host: ActionHost, rec: Rec, frame: Frame): void {
  const node = rec.node;
  const ev = host.eval('expression', rec, frame);
  if (!ev) return host.skipBodies(node, frame.prefix, 'ActionSkipped');
  if (typeof ev.value !== 'boolean')
    return refuse(host, rec, frame, {
      code: 'InvalidTemplate',
      message: `The expression of If '${node.name}' must evaluate to a boolean, not ${JSON.stringify(toJson(ev.value))}.`,
    });
  rec.inputs = { expressionResult: ev.value };
  const chosen = (ev.value ? node.body : node.elseBody) as ContainerDef;
  const other = (ev.value ? node.elseBody : node.body) as ContainerDef;
  host.skipContainer(other, frame.prefix, NOT_CHOSEN);
  host.startFrame(chosen, frame.prefix, frame.loop, (s) => finish(host, rec, frame, s));
}

function runSwitch(host: ActionHost, rec: Rec, frame: Frame): void {
  const node = rec.node;
  const ev = host.eval('expression', rec, frame);
  if (!ev) return host.skipBodies(node, frame.prefix, 'ActionSkipped');
  const value = ev.value;
  rec.inputs = { expression: value };
  const match = (node.cases ?? []).find((c) => deepEquals(value, c.value as Value));
  const chosen = match ? match.body : (node.defaultBody as ContainerDef);
  for (const c of node.cases ?? []) if (c !== match) host.skipContainer(c.body, frame.prefix, NOT_CHOSEN);
  if (match && node.defaultBody) host.skipContainer(node.defaultBody, frame.prefix, NOT_CHOSEN);
  host.startFrame(chosen, frame.prefix, frame.loop, (s) =>
    finish(host, rec, frame, s, { outputs: { expression: value } }),
  );
}

function runForeach(host: ActionHost, rec: Rec, frame: Frame): void {
  const node = rec.node;
  const ev = host.eval('foreach', rec, frame);
  if (!ev) return host.skipBodies(node, frame.prefix, 'ActionSkipped');
  const items = ev.value;
  if (!Array.isArray(items)) {
    const kind = items === null ? 'Null' : typeof items === 'object' ? 'Object' : typeof items;
    return refuse(host, rec, frame, {
      code: 'InvalidTemplate',
      message: `The execution of template action '${node.name}' failed: the result of the evaluation of 'foreach' expression is of type '${kind}'. The result must be a valid array.`,
    });
  }
  rec.repetitionCount = items.length;
  const limit = node.concurrency > 0 ? node.concurrency : host.defaultForeachConcurrency;
  let next = 0;
  let active = 0;
  let failed = false;
  const body = node.body as ContainerDef;
  const pump = (): void => {
    while (active < limit && next < items.length && !host.halted) {
      const i = next++;
      active++;
      const loop: LoopCtx = { node, item: items[i] as Value, index: i, parent: frame.loop };
      host.startFrame(body, `${frame.prefix}${node.name}[${i}]/`, loop, (s) => {
        active--;
        if (s === 'Failed') failed = true;
        pump();
      });
    }
    if (active === 0 && (next >= items.length || host.halted)) {
      active = -1; // finish once
      finish(host, rec, frame, failed ? 'Failed' : 'Succeeded');
    }
  };
  pump();
}

/** Until (spec §6.9): a do-while loop bounded by limit.count and limit.timeout. */
function runUntil(host: ActionHost, rec: Rec, frame: Frame): void {
  const node = rec.node;
  let count = 60;
  let timeoutMs = 3600000;
  if (node.compiled.has('limit')) {
    const lim = host.eval('limit', rec, frame);
    if (!lim) return host.skipBodies(node, frame.prefix, 'ActionSkipped');
    const c = numeric(prop(lim.value, 'count') ?? null);
    const t = prop(lim.value, 'timeout');
    if (c !== undefined) count = Number(c);
    if (typeof t === 'string' && t !== '') {
      const ms = parseDuration(t);
      if (ms === undefined)
        return refuse(host, rec, frame, {
          code: 'InvalidInput',
          message: `Until limit.timeout '${t}' is not an ISO 8601 duration.`,
        });
      timeoutMs = ms;
    }
  }
  const started = host.now;
  const body = node.body as ContainerDef;
  const limitsFail = node.options.has('failwhenlimitsreached');
  const end = (outcome: Outcome, error?: ErrorData): void => {
    if (outcome === 'Failed')
      host.settle(rec, frame, 'Failed', { error: error ?? FAILED_CONTAINER, code: error?.code ?? 'ActionFailed' });
    else host.settle(rec, frame, 'Succeeded', { code: 'NotSpecified' });
  };
  let i = 0;
  const iterate = (): void => {
    const loop: LoopCtx = { node, item: undefined, index: i, parent: frame.loop };
    rec.repetitionCount = i + 1;
    host.startFrame(body, `${frame.prefix}${node.name}[${i}]/`, loop, (s) => {
      i++;
      if (host.halted) return end(s);
      // do-while: the condition is checked after each iteration (spec §6.9).
      let cond: Value;
      try {
        cond = node.compiled.get('expression')?.evaluate(host.context(frame, rec)) ?? null;
      } catch (e) {
        return end('Failed', evaluationError(e));
      }
      if (typeof cond !== 'boolean')
        return end('Failed', {
          code: 'InvalidTemplate',
          message: `The expression of Until '${node.name}' must evaluate to a boolean.`,
        });
      if (cond) return end(s);
      if (i >= count || host.now - started >= timeoutMs) {
        if (limitsFail)
          return end('Failed', {
            code: 'UntilLimitReached',
            message: `The Until loop '${node.name}' reached its limit (count ${count}, timeout ${timeoutMs} ms) before its condition held.`,
          });
        return end(s);
      }
      iterate();
    });
  };
  iterate();
}

// ---- save-time checks

function checkIf(node: ActionNode, c: DefinitionCheck): void {
  const p = node.pointer;
  const e = c.required('expression');
  if (e !== undefined) c.compileRole('expression', e, p + '/expression', 'condition');
  node.body = c.body(getProp(node.def, 'actions'), p + '/actions');
  const els = getProp(node.def, 'else');
  node.elseBody = c.body(isRecord(els) ? getProp(els, 'actions') : undefined, p + '/else/actions');
}

function checkSwitch(node: ActionNode, c: DefinitionCheck): void {
  const p = node.pointer;
  const e = c.required('expression');
  if (e !== undefined) c.compileRole('expression', e, p + '/expression');
  const cases = c.required('cases');
  node.cases = [];
  const seen: unknown[] = [];
  if (isRecord(cases)) {
    const entries = Object.entries(cases);
    if (entries.length > LIMITS.switchCases)
      c.err(
        p + '/cases',
        'TooManySwitchCases',
        `Switch '${node.name}' has ${entries.length} cases; the limit is ${LIMITS.switchCases}.`,
      );
    for (const [cname, cdef] of entries) {
      const cp = p + '/cases' + ptr(cname);
      if (!isRecord(cdef)) {
        c.err(cp, 'InvalidProperty', `Switch case '${cname}' must be an object.`);
        continue;
      }
      const value = getProp(cdef, 'case');
      if (
        value === undefined ||
        (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
      ) {
        c.err(cp + '/case', 'InvalidProperty', `Switch case '${cname}' needs a constant 'case' value.`);
      } else if (seen.some((s) => s === value)) {
        c.err(
          cp + '/case',
          'DuplicateSwitchCase',
          `Switch case value ${JSON.stringify(value)} is used more than once.`,
        );
      } else seen.push(value);
      node.cases.push({ name: cname, value, body: c.body(getProp(cdef, 'actions'), cp + '/actions') });
    }
  } else if (cases !== undefined)
    c.err(p + '/cases', 'InvalidProperty', `Switch '${node.name}' cases must be an object.`);
  const def = getProp(node.def, 'default');
  node.defaultBody = c.body(isRecord(def) ? getProp(def, 'actions') : undefined, p + '/default/actions');
}

function checkForeach(node: ActionNode, c: DefinitionCheck): void {
  const p = node.pointer;
  const fe = c.required('foreach');
  if (fe !== undefined) c.compileRole('foreach', fe, p + '/foreach');
  const rc = getProp(node.def, 'runtimeConfiguration');
  const conc = isRecord(rc) ? getProp(rc, 'concurrency') : undefined;
  const reps = isRecord(conc) ? getProp(conc, 'repetitions') : undefined;
  const sequential = node.options.has('sequential');
  if (reps !== undefined) {
    if (typeof reps !== 'number' || !Number.isInteger(reps) || reps < 1 || reps > LIMITS.foreachMax) {
      c.err(
        p + '/runtimeConfiguration/concurrency/repetitions',
        'InvalidConcurrency',
        `Foreach repetitions must be an integer from 1 to ${LIMITS.foreachMax}.`,
      );
    } else if (sequential) {
      c.err(
        p + '/operationOptions',
        'InvalidConcurrency',
        `Foreach '${node.name}' sets both Sequential and concurrency.repetitions.`,
      );
    }
    node.concurrency = typeof reps === 'number' && reps >= 1 ? Math.min(Math.floor(reps), LIMITS.foreachMax) : 0;
  } else node.concurrency = sequential ? 1 : 0; // 0 = the workflow default
  node.body = c.body(getProp(node.def, 'actions'), p + '/actions');
}

function checkUntil(node: ActionNode, c: DefinitionCheck): void {
  const p = node.pointer;
  const e = c.required('expression');
  if (e !== undefined) c.compileRole('expression', e, p + '/expression', 'condition');
  const limit = getProp(node.def, 'limit');
  if (limit !== undefined) c.compileRole('limit', limit, p + '/limit');
  node.body = c.body(getProp(node.def, 'actions'), p + '/actions');
}

function checkScope(node: ActionNode, c: DefinitionCheck): void {
  node.body = c.body(getProp(node.def, 'actions'), node.pointer + '/actions');
}

export const containerActions: ActionType[] = [
  define({ name: 'If', kind: 'container', check: checkIf, run: runIf }),
  define({ name: 'Switch', kind: 'container', check: checkSwitch, run: runSwitch }),
  define({ name: 'Foreach', kind: 'container', loop: true, check: checkForeach, run: runForeach }),
  define({ name: 'Until', kind: 'container', loop: true, check: checkUntil, run: runUntil }),
  define({ name: 'Scope', kind: 'container', check: checkScope, run: runScope }),
];
