// How a host gets a run: start one, or rebuild one from its recorded history. It gets a
// RunHandle, never the run's state.
import type { Workflow } from '../definition/model.js';
import type { RunEvent, RunHandle, RunInit, Step } from '../types.js';
import { RunMachine } from './run.js';

/** Starts a run: the first step holds what the host must do first. */
function start(workflow: Workflow, init: RunInit): { run: RunHandle; step: Step } {
  const run = new RunMachine(workflow, init);
  return { run, step: run.begin() };
}

/**
 * The runs of a workflow. `Run.start(workflow, init)` starts one; `Run` is also the type of what
 * it returns (the handle), so hosts name both the same way.
 */
export const Run = { start } as const;
export type Run = RunHandle;

/** Rebuilds a run from its recorded history: the same init and events give the same decisions. */
export function replay(workflow: Workflow, init: RunInit, events: RunEvent[]): { run: RunHandle; step: Step } {
  const { run, step } = start(workflow, init);
  const merged: Step = {
    commands: [...step.commands],
    records: [...step.records],
    status: step.status,
    done: step.done,
  };
  for (const ev of events) {
    const s = run.deliver(ev);
    merged.commands.push(...s.commands);
    merged.records.push(...s.records);
    merged.status = s.status;
    merged.done = s.done;
  }
  return { run, step: merged };
}
