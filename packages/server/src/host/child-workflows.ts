/**
 * Child workflows (the Workflow action) run on this host. The child's run id derives from the
 * parent's idempotency key, so a re-issued call after a crash finds the same child run.
 */
import { createHash } from 'node:crypto';
import type { ChildWorkflowOutcome, WorkflowResolver } from '../effects/workflow.js';
import type { Store } from '../store/index.js';
import type { NoResponse, RunResponse, StartRunRequest } from './types.js';
import type { WorkflowCache } from './workflows.js';

/** What a child workflow needs of the host. */
export interface ChildHost {
  readonly store: Store;
  readonly workflows: WorkflowCache;
  startRun(request: StartRunRequest): Promise<{ runId: string }>;
  waitForResponse(runId: string): Promise<RunResponse | NoResponse>;
}

export function childWorkflowResolver(host: ChildHost): WorkflowResolver {
  return async (request): Promise<ChildWorkflowOutcome> => {
    const id = request.workflowId.split('/').filter(Boolean).at(-1) ?? request.workflowId;
    const flow =
      (await host.store.getFlow(id)) ??
      (await host.store.listFlows()).find((f) => f.name.toLowerCase() === id.toLowerCase());
    if (!flow) return { error: { code: 'WorkflowNotFound', message: `No flow '${request.workflowId}' exists.` } };
    if (flow.state !== 'Enabled')
      return { error: { code: 'ChildWorkflowFailed', message: `The flow '${flow.name}' is disabled.` } };
    const runId = childRunId(request.idempotencyKey);
    const compiled = await host.workflows.get(flow.id, flow.currentVersion);
    const triggerName = compiled.workflow.triggers[0]?.name ?? request.triggerName;
    const existing = await host.store.getRun(runId);
    if (!existing) {
      await host.startRun({
        flow,
        version: flow.currentVersion,
        triggerName,
        outputs: { headers: request.headers, body: request.body },
        runId,
      });
    }
    if (!compiled.workflow.hasResponse) return { response: { statusCode: 202, headers: {} } };
    const outcome = await host.waitForResponse(runId);
    if ('noResponse' in outcome)
      return {
        error: { code: 'ChildWorkflowFailed', message: `The child run ended ${outcome.status} without a response.` },
      };
    return { response: { statusCode: outcome.statusCode, headers: outcome.headers, body: outcome.body } };
  };
}

/** A run id (UUID layout) derived from the parent's idempotency key. */
export function childRunId(idempotencyKey: string): string {
  const h = createHash('sha256').update(`child\n${idempotencyKey}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
