/**
 * Effects of a live run: each run gets its executor (the standard ones, with the run's context for
 * inline JavaScript and this host's child workflows), and each effect command is performed with an
 * abort signal; its result goes back to the run as an event.
 */
import type { ActionRecord, RunEvent, RunInit } from '@flowbridge/engine';
import { createEffectExecutor } from '../effects/index.js';
import type { WorkflowContextData } from '../effects/javascript.js';
import type { EffectCommand, EffectContext, EffectExecutor, EffectResult } from '../effects/types.js';
import type { WorkflowResolver } from '../effects/workflow.js';
import type { Live } from './live-run.js';
import type { HostContext, RunHostOptions } from './types.js';

export interface EffectWiringOptions extends Pick<RunHostOptions, 'effects' | 'executor' | 'connectorHandlers'> {
  /** Child workflows, unless `effects.workflowResolver` says otherwise. */
  childResolver: WorkflowResolver;
  /** Feeds an effect's result to its run. */
  deliver(live: Live, event: RunEvent): Promise<void>;
}

export class EffectWiring {
  constructor(
    private readonly ctx: HostContext,
    private readonly options: EffectWiringOptions,
  ) {}

  /** The executor of one run; `records` are the run's action records as they come (for `workflowContext`). */
  executorFor(runId: string, init: RunInit, records: Map<string, ActionRecord>): EffectExecutor {
    if (this.options.executor) return this.options.executor;
    const { effects, connectorHandlers } = this.options;
    const workflowContext = (): WorkflowContextData => ({
      workflow: { name: init.workflow.name, id: init.workflow.id, run: { id: runId } },
      trigger: {
        name: init.trigger.name,
        inputs: init.trigger.inputs,
        outputs: init.trigger.outputs,
        startTime: init.trigger.startTime,
        status: 'Succeeded',
      },
      actions: Object.fromEntries(records),
    });
    return createEffectExecutor({
      ...effects,
      javascript: { ...effects?.javascript, workflowContext },
      workflowResolver: effects?.workflowResolver ?? this.options.childResolver,
      connectorHandlers: [...(effects?.connectorHandlers ?? []), ...(connectorHandlers ?? [])],
    });
  }

  /** Performs an effect once per command id; an aborted attempt (stopping, cancelled) reports nothing. */
  perform(live: Live, command: EffectCommand): void {
    if (live.inflight.has(command.id)) return;
    // Draining: no new effect starts; the run's next holder (or this host's next start) issues it.
    if (this.ctx.stopping() && live.durable) return;
    const controller = new AbortController();
    live.inflight.set(command.id, controller);
    const { now } = this.ctx;
    const started = now();
    const context: EffectContext = { runId: live.runId, workflow: live.init.workflow, now, signal: controller.signal };
    void live
      .executor(command, context)
      .catch((error: unknown): EffectResult => ({
        status: 'Failed',
        error: { code: 'EffectFailed', message: error instanceof Error ? error.message : String(error) },
      }))
      .then(async (result) => {
        live.inflight.delete(command.id);
        this.ctx.observer?.actionDone?.(command.actionType, result.status, now() - started);
        // An aborted attempt (stopping, cancelled) has no result: recovery re-issues it.
        if (controller.signal.aborted || live.done) return;
        await this.options.deliver(live, {
          kind: 'effectResult',
          id: command.id,
          path: command.path,
          attempt: command.attempt,
          result,
          now: now(),
        });
      })
      // The result is not recorded: the run's next owner re-issues the effect (recovery).
      .catch((error: unknown) =>
        this.ctx.log?.error(
          { err: error, runId: live.runId, commandId: command.id },
          'could not deliver an effect result',
        ),
      );
  }
}
