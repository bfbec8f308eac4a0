// What the host asks of a trigger before a run exists (spec §4.7): do its conditions hold, and
// how does splitOn divide one firing into several runs.
import type { Value } from '@flowbridge/expression';
import type { Workflow, TriggerNode } from './definition/model.js';
import { toJson } from './expr.js';
import { evaluationError } from './expr.js';

export class TriggerError extends Error {
  constructor(
    readonly code: 'InvalidTemplate' | 'InvalidSplitOn' | 'NoTrigger',
    message: string,
  ) {
    super(message);
    this.name = 'TriggerError';
  }
}

function pick(workflow: Workflow, name: string | undefined): TriggerNode {
  const t =
    name === undefined
      ? workflow.triggers[0]
      : workflow.triggers.find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (!t)
    throw new TriggerError(
      'NoTrigger',
      name === undefined ? 'The definition has no trigger.' : `The definition has no trigger '${name}'.`,
    );
  return t;
}

function triggerContext(t: TriggerNode, outputs: unknown, now?: number) {
  const record = { name: t.name, outputs: (outputs ?? null) as Value, status: 'Succeeded' } as Value;
  return { trigger: () => record, now: () => now ?? 0 };
}

/**
 * Whether every `conditions[].expression` of the trigger holds for these outputs (AND).
 * An evaluation error or a non-boolean result throws TriggerError (the trigger attempt fails).
 */
export function evaluateTriggerConditions(
  workflow: Workflow,
  triggerOutputs: unknown,
  triggerName?: string,
  now?: number,
): boolean {
  const t = pick(workflow, triggerName);
  const ctx = triggerContext(t, triggerOutputs, now);
  for (const c of t.conditions) {
    let v: Value;
    try {
      v = c.evaluate(ctx);
    } catch (e) {
      throw new TriggerError('InvalidTemplate', evaluationError(e).message);
    }
    if (v !== true && v !== false)
      throw new TriggerError('InvalidTemplate', 'A trigger condition must evaluate to a boolean.');
    if (!v) return false;
  }
  return true;
}

/**
 * One trigger-outputs object per element of the splitOn array (the element becomes the body);
 * without splitOn, the outputs unchanged in a one-element array.
 */
export function splitTrigger(
  workflow: Workflow,
  triggerOutputs: unknown,
  triggerName?: string,
  now?: number,
): unknown[] {
  const t = pick(workflow, triggerName);
  if (!t.splitOn) return [triggerOutputs];
  let v: Value;
  try {
    v = t.splitOn.evaluate(triggerContext(t, triggerOutputs, now));
  } catch (e) {
    throw new TriggerError('InvalidTemplate', evaluationError(e).message);
  }
  if (!Array.isArray(v)) throw new TriggerError('InvalidSplitOn', 'The splitOn expression must evaluate to an array.');
  const headers =
    typeof triggerOutputs === 'object' && triggerOutputs !== null
      ? (triggerOutputs as Record<string, unknown>).headers
      : undefined;
  return v.map((item) => (headers === undefined ? { body: toJson(item) } : { headers, body: toJson(item) }));
}
