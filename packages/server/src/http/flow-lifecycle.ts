/**
 * The flows API tells the runtime's flow listeners (connector triggers) of each change; a flow
 * that a listener says cannot be on is turned off here, and the answer shows why.
 */
import type { FlowProblem } from '../runtime.js';
import type { Flow } from '../store/index.js';
import type { RouteContext } from './context.js';
import { ApiError } from '../util/api-errors.js';

export async function afterFlowSaved(
  ctx: RouteContext,
  flow: Flow,
  body?: unknown,
): Promise<{ flow: Flow; problem?: FlowProblem }> {
  const problem = await ctx.flowLifecycle?.flowSaved?.(flow, body);
  if (!problem) return { flow };
  const off = flow.state === 'Enabled' ? await ctx.store.updateFlow(flow.id, { state: 'Disabled' }) : flow;
  return { flow: off, problem };
}

/** What a created or saved flow's answer carries when it could not be on. */
export function problemJson(problem: FlowProblem | undefined): Record<string, unknown> {
  return problem ? { stateError: problem } : {};
}

export function problemError(problem: FlowProblem): ApiError {
  return ApiError.of(problem.code, problem.message, undefined, problem.details);
}
