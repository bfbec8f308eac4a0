// The triggers of a definition (spec §4): their types, conditions, splitOn, secured data and
// concurrency control.
import { isRecord } from '../json.js';
import { LIMITS } from './limits.js';
import { getProp, ptr } from './load.js';
import type { TriggerConcurrency, TriggerNode } from './model.js';
import type { Reporter } from './report.js';
import { secureDataProperties } from './secure.js';
import { triggerType } from './trigger-types.js';

const SINGLE_INSTANCE = /(^|,)\s*singleinstance\s*(,|$)/i;

export function triggerNodes(a: Reporter, triggers: unknown): TriggerNode[] {
  const out: TriggerNode[] = [];
  if (triggers === undefined || triggers === null) return out;
  if (!isRecord(triggers)) {
    a.err('/triggers', 'InvalidProperty', 'triggers must be an object.');
    return out;
  }
  for (const [name, def] of Object.entries(triggers)) {
    const p = '/triggers' + ptr(name);
    if (!isRecord(def)) {
      a.err(p, 'InvalidProperty', `Trigger '${name}' must be an object.`);
      continue;
    }
    const rawType = getProp(def, 'type');
    if (typeof rawType !== 'string' || rawType === '') {
      a.err(p + '/type', 'MissingType', `Trigger '${name}' has no type.`);
      continue;
    }
    const t = triggerType(rawType);
    if (!t) {
      a.err(p + '/type', 'UnknownTriggerType', `Trigger '${name}' has unknown type '${rawType}'.`);
      continue;
    }
    const inputs = getProp(def, 'inputs');
    if (
      (t === 'Request' || t === 'Manual') &&
      isRecord(inputs) &&
      getProp(inputs, 'relativePath') !== undefined &&
      getProp(inputs, 'method') === undefined
    ) {
      a.err(p + '/inputs', 'RelativePathWithoutMethod', `Request trigger '${name}' has a relativePath but no method.`);
    }
    const oo = getProp(def, 'operationOptions');
    const rc = getProp(def, 'runtimeConfiguration');
    const conc = isRecord(rc) ? getProp(rc, 'concurrency') : undefined;
    if (typeof oo === 'string' && SINGLE_INSTANCE.test(oo) && isRecord(conc) && getProp(conc, 'runs') !== undefined) {
      a.err(
        p + '/operationOptions',
        'InvalidConcurrency',
        `Trigger '${name}' sets both SingleInstance and concurrency.runs.`,
      );
    }
    const secureProps = secureDataProperties(rc);
    const node: TriggerNode = {
      name,
      type: t,
      def,
      conditions: [],
      secureInputs: secureProps.includes('inputs'),
      secureOutputs: secureProps.includes('outputs'),
    };
    const concurrency = triggerConcurrency(a, p, oo, conc);
    if (concurrency) node.concurrency = concurrency;
    const kind = getProp(def, 'kind');
    if (typeof kind === 'string') node.kind = kind;
    const conds = getProp(def, 'conditions');
    if (Array.isArray(conds)) {
      conds.forEach((c, i) => {
        const e = isRecord(c) ? getProp(c, 'expression') : undefined;
        if (e === undefined) {
          a.err(p + '/conditions' + ptr(i), 'MissingRequiredProperty', 'A trigger condition needs an expression.');
          return;
        }
        const compiled = a.compile(e, p + '/conditions' + ptr(i) + '/expression', 'condition');
        if (compiled) node.conditions.push(compiled);
      });
    }
    const splitOn = getProp(def, 'splitOn');
    if (splitOn !== undefined) {
      const c = a.compile(splitOn, p + '/splitOn');
      if (c) node.splitOn = c;
    }
    out.push(node);
  }
  return out;
}

/**
 * The trigger's concurrency control: `runtimeConfiguration.concurrency` (runs, maximumWaitingRuns)
 * or `operationOptions: SingleInstance` (one run at a time). Undefined = unlimited parallel runs.
 */
function triggerConcurrency(
  a: Reporter,
  p: string,
  operationOptions: unknown,
  conc: unknown,
): TriggerConcurrency | undefined {
  const singleInstance = typeof operationOptions === 'string' && SINGLE_INSTANCE.test(operationOptions);
  if (conc !== undefined && !isRecord(conc)) {
    a.err(p + '/runtimeConfiguration/concurrency', 'InvalidConcurrency', 'concurrency must be an object.');
    return undefined;
  }
  const runsRaw = conc ? getProp(conc, 'runs') : undefined;
  const waitingRaw = conc ? getProp(conc, 'maximumWaitingRuns') : undefined;
  if (!singleInstance && runsRaw === undefined && waitingRaw === undefined) return undefined;
  let runs: number = singleInstance ? 1 : LIMITS.triggerRunsDefault;
  if (runsRaw !== undefined && !singleInstance) {
    const v = intIn(runsRaw, 1, LIMITS.triggerRunsMax);
    if (v === undefined) {
      a.err(
        p + '/runtimeConfiguration/concurrency/runs',
        'InvalidConcurrency',
        `Trigger concurrency runs must be an integer from 1 to ${LIMITS.triggerRunsMax}.`,
      );
      return undefined;
    }
    runs = v;
  }
  let maximumWaitingRuns = Math.min(10 + runs, LIMITS.waitingRunsMax);
  if (waitingRaw !== undefined) {
    const v = intIn(waitingRaw, 0, LIMITS.waitingRunsMax);
    if (v === undefined) {
      a.err(
        p + '/runtimeConfiguration/concurrency/maximumWaitingRuns',
        'InvalidConcurrency',
        `maximumWaitingRuns must be an integer from 0 to ${LIMITS.waitingRunsMax}.`,
      );
      return undefined;
    }
    maximumWaitingRuns = v;
  }
  return { runs, maximumWaitingRuns };
}

/** An integer in [min, max], also when written as a numeric string (as some exports do). */
function intIn(v: unknown, min: number, max: number): number | undefined {
  const x = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
  return typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max ? x : undefined;
}
