/**
 * Trigger concurrency: a run of a flow whose trigger limits concurrent runs starts only while the
 * flow has fewer active runs than the limit; the others wait, oldest first, up to
 * maximumWaitingRuns (then the trigger is refused: TooManyRuns). Durable runs wait in the store
 * (written as Queued, admitted by the store one turn per flow, so no limit is overrun by racing
 * triggers or processes); stateless runs wait in memory (concurrency-gates.ts).
 */
import type { RunInit, TriggerConcurrency, Workflow } from '@flowbridge/engine';
import type { Run } from '../store/index.js';
import { ConcurrencyGates } from './concurrency-gates.js';
import { HostError } from './errors.js';
import type { Live } from './live-run.js';
import type { LiveRuns } from './live-runs.js';
import type { ResponseWaiters } from './response-waiters.js';
import type { RunLeases } from './run-leases.js';
import type { HostContext, StartRunRequest } from './types.js';
import type { WorkflowCache } from './workflows.js';

export interface AdmissionDeps {
  workflows: WorkflowCache;
  runs: LiveRuns;
  leases: RunLeases;
  waiters: ResponseWaiters;
}

export class Admission {
  /** Trigger concurrency of stateless flows (their runs are never in the store while they run). */
  private readonly gates = new ConcurrencyGates();

  constructor(
    private readonly ctx: HostContext,
    private readonly deps: AdmissionDeps,
  ) {}

  /**
   * Starts the run now, or queues it behind its trigger's limit; TooManyRuns when the queue is full.
   * Without a promise when the run started and nothing was waited for (see LiveRuns.launchNow).
   */
  start(request: StartRunRequest, workflow: Workflow, init: RunInit): Promise<void> | undefined {
    const limit = concurrencyOf(workflow, request.triggerName);
    if (!limit) return this.deps.runs.launchNow(request, workflow, init, request.flow.kind !== 'Stateless');
    return this.startLimited(request, workflow, init, limit);
  }

  private async startLimited(
    request: StartRunRequest,
    workflow: Workflow,
    init: RunInit,
    limit: TriggerConcurrency,
  ): Promise<void> {
    const { flow } = request;
    const { runs } = this.deps;
    if (flow.kind !== 'Stateless') return this.queue(request, init, limit);
    // Stateless runs live only in memory: so does their concurrency gate.
    const startLater = (): void => {
      // The clock of a run that waited for its slot starts when it starts.
      runs.launch(request, workflow, { ...init, now: this.ctx.now() }, false).catch((error: unknown) => {
        this.ctx.log?.error({ err: error, runId: init.runId }, 'could not start a waiting run');
        this.gates.leave(flow.id);
        this.deps.waiters.resolve(init.runId, { noResponse: true, status: 'Failed' });
      });
    };
    const entry = this.gates.enter(flow.id, init.runId, limit, startLater);
    if (entry === 'full') throw tooManyRuns(flow.name, limit);
    if (entry === 'queued') return;
    try {
      await runs.launch(request, workflow, init, false);
    } catch (error) {
      this.gates.leave(flow.id);
      throw error;
    }
  }

  /** Whether the run waits in memory for a slot (stateless). */
  isWaiting(runId: string): boolean {
    return this.gates.isWaiting(runId);
  }

  /** Drops a stateless run waiting for a slot; false when it does not wait here. */
  cancelWaiting(runId: string): boolean {
    return this.gates.cancel(runId);
  }

  /** After a run of a limited flow ended: the next queued ones may start. */
  admitNext(live: Live): void {
    const limit = concurrencyOf(live.workflow, live.init.trigger.name);
    if (!limit) return;
    if (!live.durable) {
      this.gates.leave(live.flowId);
      return;
    }
    if (this.ctx.stopping()) return;
    this.admit(live.flowId, limit.runs).catch((error: unknown) =>
      this.ctx.log?.error({ err: error, flowId: live.flowId }, 'admitting queued runs failed'),
    );
  }

  /**
   * Queued runs nobody admitted (their flow's last run ended in a process that died, or before a
   * restart): admits what fits. Called at start and now and then by the timer loop.
   */
  async admitQueued(): Promise<number> {
    const { store } = this.ctx;
    const page = await store.listRuns({ status: 'Queued', limit: 1000 });
    const flows = new Map<string, Run>();
    for (const r of page.items) if (!flows.has(r.flowId)) flows.set(r.flowId, r);
    let admitted = 0;
    for (const r of flows.values()) {
      try {
        const { workflow } = await this.deps.workflows.get(r.flowId, r.flowVersion);
        const limit = concurrencyOf(workflow, r.triggerName);
        const before = (await store.countUnfinishedRuns(r.flowId)).queued;
        await this.admit(r.flowId, limit?.runs ?? Number.MAX_SAFE_INTEGER);
        admitted += before - (await store.countUnfinishedRuns(r.flowId)).queued;
      } catch (error) {
        this.ctx.log?.error({ err: error, flowId: r.flowId }, 'admitting queued runs failed');
      }
    }
    return admitted;
  }

  /**
   * A durable run of a limited flow: written as Queued, then admitted (oldest first) while the flow
   * has fewer active runs than the limit. Both the queueing and the admission take one turn per
   * flow in the store, so neither limit can be overrun by racing triggers (or processes).
   */
  private async queue(request: StartRunRequest, init: RunInit, limit: TriggerConcurrency): Promise<void> {
    const { flow } = request;
    const queued = await this.ctx.store.queueRun(
      {
        id: init.runId,
        flowId: flow.id,
        flowVersion: request.version,
        triggerName: request.triggerName,
        startTime: init.now,
        clientTrackingId: request.clientTrackingId ?? null,
        init,
      },
      limit.runs + limit.maximumWaitingRuns,
    );
    if (!queued) throw tooManyRuns(flow.name, limit);
    await this.admit(flow.id, limit.runs);
  }

  /** Starts the flow's oldest queued runs that fit under its limit. */
  private async admit(flowId: string, runs: number): Promise<void> {
    const ids = await this.ctx.store.admitQueuedRuns(flowId, runs, this.deps.leases.admission());
    if (this.ctx.shared && !this.ctx.executeRuns) return;
    for (const id of ids) {
      try {
        await this.deps.runs.startAdmitted(id);
      } catch (error) {
        // The run is Running in the store: recovery (or, scale-out, its ownership item) resumes it.
        this.ctx.log?.error({ err: error, runId: id }, 'could not start an admitted run');
      }
    }
  }
}

/** The trigger's concurrency control, if it has one. */
function concurrencyOf(workflow: Workflow, triggerName: string): TriggerConcurrency | undefined {
  const lower = triggerName.toLowerCase();
  return workflow.triggers.find((t) => t.name.toLowerCase() === lower)?.concurrency;
}

function tooManyRuns(flowName: string, limit: TriggerConcurrency): HostError {
  return new HostError(
    'TooManyRuns',
    `The flow '${flowName}' already has ${limit.runs} running and ${limit.maximumWaitingRuns} waiting runs ` +
      '(its trigger concurrency limit); try again later.',
  );
}
