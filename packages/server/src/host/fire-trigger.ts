/**
 * One path for every trigger that starts runs (Request triggers and manual runs over HTTP,
 * Recurrence; connector webhooks and polling next): given what the trigger produced, evaluate the
 * trigger's conditions, split it (splitOn) into the outputs of one or many runs, and start each
 * (admitted now or queued behind the trigger's concurrency limit). An evaluation that started no
 * run (conditions false, a failed expression, refused by the concurrency limit) is written to the
 * trigger's history here; one that fired is its runs. Callers map the tagged outcome to what they
 * answer or log.
 */
import { evaluateTriggerConditions, splitTrigger, TriggerError } from '@flowbridge/engine';
import type { Flow, RunStore, TriggerHistoryEntry } from '../store/index.js';
import { HostError } from './errors.js';
import type { StartRunRequest } from './types.js';
import type { WorkflowCache } from './workflows.js';

/** What firing needs of the host (RunHost; a test's fake). */
export interface TriggerHost {
  readonly workflows: WorkflowCache;
  startRun(request: StartRunRequest): Promise<{ runId: string }>;
}

export interface EvaluationLog {
  warn(obj: object, msg?: string): void;
}

export interface FiringDeps {
  store: RunStore;
  host: TriggerHost;
  now: () => number;
  log?: EvaluationLog | undefined;
}

export interface TriggerFiring {
  flow: Flow;
  /** As the definition spells it. */
  triggerName: string;
  /**
   * What the trigger produced (a request, a webhook call, a poll's answer): one evaluation. With
   * splitOn it becomes many runs, one per item.
   */
  outputs: unknown;
  clientTrackingId?: string;
  /**
   * Recurrence: the occurrence fired (epoch ms), as the runs' `trigger().scheduledTime`; the
   * history shows the evaluation at this time.
   */
  scheduledTime?: number;
  /**
   * Connector batch triggers (`x-ms-trigger: batch`) without splitOn: `outputs.body` is an array,
   * one run per item, each with `{headers, body: item}`; conditions apply to each.
   */
  batch?: boolean;
}

/** A trigger expression (a condition, splitOn) that failed; NoTrigger: the flow has no such trigger. */
export interface TriggerFailure {
  code: TriggerError['code'];
  message: string;
}

export type FireOutcome =
  /** The runs started (or queued), in item order; none when splitOn gave no items. */
  | { kind: 'fired'; runIds: string[] }
  /** The trigger's conditions were false. */
  | { kind: 'skipped' }
  | { kind: 'failed'; error: TriggerFailure }
  /** The concurrency limit's waiting queue is full; `runIds`: the items started before it was. */
  | { kind: 'refused'; code: 'TooManyRequests'; message: string; runIds: string[] };

export async function fireTrigger(deps: FiringDeps, firing: TriggerFiring): Promise<FireOutcome> {
  const { store, host, log } = deps;
  const { flow, triggerName, outputs, clientTrackingId, scheduledTime } = firing;
  // Loaded already on the hot path (the caller read it): no await of a settled promise then.
  const { workflow } =
    host.workflows.peek(flow.id, flow.currentVersion) ?? (await host.workflows.get(flow.id, flow.currentVersion));
  const now = deps.now();
  const at = (time: number): number => scheduledTime ?? time;
  let items: unknown[];
  try {
    if (firing.batch) {
      items = batchItems(outputs).filter((item) => evaluateTriggerConditions(workflow, item, triggerName, now));
      if (items.length === 0) {
        await recordEvaluation(store, log, flow, triggerName, at(now), 'Skipped');
        return { kind: 'skipped' };
      }
    } else if (!evaluateTriggerConditions(workflow, outputs, triggerName, now)) {
      await recordEvaluation(store, log, flow, triggerName, at(now), 'Skipped');
      return { kind: 'skipped' };
    } else items = splitTrigger(workflow, outputs, triggerName, now);
  } catch (error) {
    if (!(error instanceof TriggerError)) throw error;
    const failure: TriggerFailure = { code: error.code, message: error.message };
    await recordEvaluation(store, log, flow, triggerName, at(now), 'Failed', failure);
    return { kind: 'failed', error: failure };
  }
  const runIds: string[] = [];
  for (const item of items) {
    try {
      // Optional fields set in place, not spread from a literal made for the purpose (hot path).
      const request: StartRunRequest = { flow, version: flow.currentVersion, triggerName, outputs: item };
      if (clientTrackingId) request.clientTrackingId = clientTrackingId;
      if (scheduledTime !== undefined) request.scheduledTime = scheduledTime;
      const { runId } = await host.startRun(request);
      runIds.push(runId);
    } catch (error) {
      if (!(error instanceof HostError && error.code === 'TooManyRuns')) throw error;
      const refusal = { code: 'TooManyRequests', message: error.message } as const;
      await recordEvaluation(store, log, flow, triggerName, at(deps.now()), 'Failed', refusal);
      return { kind: 'refused', ...refusal, runIds };
    }
  }
  return { kind: 'fired', runIds };
}

/** `{headers, body: [a, b]}` → `[{headers, body: a}, {headers, body: b}]`; a body that is no array is one item. */
function batchItems(outputs: unknown): unknown[] {
  if (typeof outputs !== 'object' || outputs === null || !('body' in outputs)) return [outputs];
  const body: unknown = outputs.body;
  const list = Array.isArray(body) ? body : [body];
  return list.map((item) => ({ ...outputs, body: item }));
}

/** Records an evaluation that started no run; a failure to record never fails the caller. */
export async function recordEvaluation(
  store: RunStore,
  log: EvaluationLog | undefined,
  flow: Flow,
  triggerName: string,
  at: number,
  status: TriggerHistoryEntry['status'],
  error?: { code: string; message: string },
): Promise<void> {
  try {
    await store.recordTriggerHistory({
      flowId: flow.id,
      triggerName,
      at,
      status,
      ...(error ? { code: error.code, message: error.message } : {}),
    });
  } catch (err) {
    log?.warn({ err, flowId: flow.id, trigger: triggerName }, 'could not record the trigger evaluation');
  }
}
