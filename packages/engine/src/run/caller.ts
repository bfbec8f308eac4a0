// What the HTTP caller of a run's trigger received, for the run result's `response` (spec §4.1
// "What the HTTP caller receives"). A Response action's answer is recorded when it runs; a run whose
// caller is answered at once (no Response action, or a splitOn trigger whose Response actions do
// not answer) records that 202. Runs of other triggers (Recurrence, polling) have no caller.
import type { TriggerNode, Workflow } from '../definition/model.js';
import type { RunResult } from '../types.js';

type Response = NonNullable<RunResult['response']>;

/** Trigger types a caller starts over HTTP (the Request trigger and the webhook triggers). */
const CALLED_OVER_HTTP = new Set(['request', 'httpwebhook', 'apiconnectionwebhook', 'openapiconnectionwebhook']);

export const ACCEPTED: Response = { statusCode: 202, headers: {}, body: null };

/** What the run result says of the trigger a run was started by (RunResult.trigger, .response). */
export interface TriggerFacts {
  /** Its caller got ACCEPTED at once, whatever Response the run sends. */
  answeredAtOnce: boolean;
  /** Its outputs are secured in the result. */
  secured: boolean;
}

/** The facts of the trigger named so (any case) in the workflow. */
export function triggerFacts(workflow: Workflow, triggerName: string): TriggerFacts {
  const lower = triggerName.toLowerCase();
  const same = (t: TriggerNode): boolean => t.name.toLowerCase() === lower;
  return {
    answeredAtOnce: answeredAtOnce(workflow, workflow.triggers.find(same)),
    secured: workflow.triggers.some((t) => t.secureOutputs && same(t)),
  };
}

function answeredAtOnce(workflow: Workflow, trigger: TriggerNode | undefined): boolean {
  if (!trigger || !CALLED_OVER_HTTP.has(trigger.type.toLowerCase())) return false;
  return trigger.splitOn !== undefined || !workflow.hasResponse;
}
