/**
 * Workflow (call a child workflow, spec §6.16): calls the child's Request trigger through an
 * injected resolver (in-process for the CLI, the store and queue for the server). The child's
 * Response becomes the action outputs; 2xx → Succeeded.
 */
import { isRetryableStatus, reasonCode } from './http-status.js';
import { textOf } from './content.js';
import { failed, isRecord, prop, type EffectCommand, type EffectContext, type EffectResult } from './types.js';

export interface ChildWorkflowRequest {
  /** `host.workflow.id` (LA) or `host.workflowReferenceName` (PA). */
  workflowId: string;
  triggerName: string;
  headers: Record<string, string>;
  body: unknown;
  parentRunId: string;
  idempotencyKey: string;
}

export interface ChildWorkflowResponse {
  statusCode: number;
  headers: Record<string, string>;
  body?: unknown;
}

export type ChildWorkflowOutcome =
  | { response: ChildWorkflowResponse }
  | { error: { code: 'WorkflowNotFound' | 'InvalidWorkflowInputs' | 'ChildWorkflowFailed'; message: string } };

export type WorkflowResolver = (request: ChildWorkflowRequest, signal?: AbortSignal) => Promise<ChildWorkflowOutcome>;

export interface WorkflowEffectOptions {
  resolver?: WorkflowResolver;
}

export async function performWorkflow(
  command: EffectCommand,
  context: EffectContext,
  options: WorkflowEffectOptions = {},
): Promise<EffectResult> {
  const startTime = new Date(context.now()).toISOString();
  const stamp = (result: EffectResult): EffectResult => ({
    ...result,
    startTime,
    endTime: new Date(context.now()).toISOString(),
  });
  const host = prop(command.inputs, 'host');
  const id = prop(prop(host, 'workflow'), 'id') ?? prop(host, 'workflowReferenceName');
  if (typeof id !== 'string' || !id) {
    return stamp(failed('InvalidWorkflowInputs', `Action '${command.actionName}' needs host.workflow.id.`));
  }
  const headersInput = prop(command.inputs, 'headers');
  const headers: Record<string, string> = {};
  if (isRecord(headersInput)) for (const [k, v] of Object.entries(headersInput)) headers[k] = textOf(v);
  if (!options.resolver) {
    return stamp(failed('WorkflowNotFound', `No child workflows are available to this host (asked for '${id}').`));
  }
  const triggerName = prop(host, 'triggerName');
  const outcome = await options.resolver(
    {
      workflowId: id,
      triggerName: typeof triggerName === 'string' && triggerName ? triggerName : 'manual',
      headers,
      body: prop(command.inputs, 'body') ?? null,
      parentRunId: context.runId,
      idempotencyKey: command.idempotencyKey,
    },
    context.signal,
  );
  if ('error' in outcome) return stamp(failed(outcome.error.code, outcome.error.message));
  const { response } = outcome;
  const outputs: Record<string, unknown> = { statusCode: response.statusCode, headers: response.headers };
  if (response.body !== undefined) outputs.body = response.body;
  if (response.statusCode >= 200 && response.statusCode < 300) return stamp({ status: 'Succeeded', outputs });
  return stamp({
    status: 'Failed',
    outputs,
    error: {
      code: reasonCode(response.statusCode),
      message: `The child workflow '${id}' responded with status code ${response.statusCode}.`,
    },
    retryable: isRetryableStatus(response.statusCode),
  });
}
