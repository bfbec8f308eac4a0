/**
 * Run history of Stateless runs. As in Logic Apps Standard, a stateless workflow keeps no
 * per-action history unless the app setting `Workflows.<flow name>.OperationOptions` is
 * `WithStatelessRunHistory` (`None`, or no such setting, turns it off). Without it a finished
 * run keeps its row only: id, status, times, trigger outputs, error, outputs and Response (what
 * the runs list, the run page's header and resubmit read), with no events and no action records;
 * its result shows no actions and says so (`historyKept: false`).
 *
 * A stateless run that does not succeed keeps its full history all the same (Flowbridge's choice,
 * for debugging: such runs are rare, and the run holds its history in memory until written anyway).
 */
import type { RunInit, RunResult, RunStatus as EngineRunStatus } from '@flowbridge/engine';
import type { Json, RunDetail } from '../store/index.js';
import { isRecord } from './workflows.js';

const OPTION = 'withstatelessrunhistory';

/** The marker, in a run's stored init, of a run whose history was not kept. */
const NOT_KEPT = 'historyKept';

/** Whether the run's app settings (its snapshot at start) ask for the history of its flow's stateless runs. */
export function keepsStatelessHistory(init: RunInit): boolean {
  const settings = init.appSettings;
  if (!settings) return false;
  const name = `workflows.${init.workflow.name}.operationoptions`.toLowerCase();
  for (const [key, value] of Object.entries(settings)) {
    if (key.toLowerCase() !== name) continue;
    if (value.split(',').some((o) => o.trim().toLowerCase() === OPTION)) return true;
  }
  return false;
}

/** Whether a stateless run that ended so writes its history (see the module comment). */
export function writesHistory(init: RunInit, status: string): boolean {
  return status !== 'Succeeded' || keepsStatelessHistory(init);
}

/**
 * What a stateless run without history keeps of its RunInit: who it is and what triggered it (the
 * run page and resubmit read the trigger's outputs). Parameters, app settings and the rest only
 * serve a replay, which such a run never has.
 */
export function initWithoutHistory(init: RunInit): Json {
  const { runId, workflow, trigger } = init;
  return { runId, workflow, trigger, [NOT_KEPT]: false } as Json;
}

/** Whether a stored run kept no history (its result comes from its row). */
export function historyNotKept(stored: { init: Json }): boolean {
  return isRecord(stored.init) && stored.init[NOT_KEPT] === false;
}

/** The result of a run that kept no history: its row, with no actions. */
export function resultWithoutHistory(stored: RunDetail): RunResult {
  const init = isRecord(stored.init) ? stored.init : {};
  const trigger = isRecord(init.trigger) ? init.trigger : {};
  return {
    status: stored.status as EngineRunStatus,
    error: (stored.error ?? null) as RunResult['error'],
    trigger: { name: stored.triggerName, outputs: trigger.outputs ?? null },
    actions: {},
    response: (stored.response ?? null) as RunResult['response'],
    outputs: (isRecord(stored.outputs) ? stored.outputs : {}) as RunResult['outputs'],
  };
}
