// The run's outputs (the definition's `outputs` section), evaluated once when the run ends.
import type { Workflow } from '../definition/model.js';
import { evaluationError, toJson } from '../expr.js';
import { SECURED_VALUE } from '../secured.js';
import type { EvalContext } from './context.js';

/**
 * Sets each output into `into`: its value as JSON, the secured placeholder for a secure one, and
 * an OutputEvaluationFailed error for one whose expression fails (the run's status stands).
 */
export function evaluateOutputs(
  outputs: Workflow['outputs'],
  context: EvalContext,
  into: Record<string, unknown>,
): void {
  for (const o of outputs) {
    try {
      const v = toJson(o.value.evaluate(context));
      into[o.name] = o.secure ? SECURED_VALUE : v;
    } catch (e) {
      into[o.name] = { error: { code: 'OutputEvaluationFailed', message: evaluationError(e).message } };
    }
  }
}
