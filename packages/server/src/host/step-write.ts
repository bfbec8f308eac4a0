/**
 * What a durable run's step writes to the store (store.commitStep): its events, the records that
 * changed (when the run ends or goes idle), its status, timers, callbacks and Response, whether it
 * is parked (only waiting), and, when the step leaves the run finished or only waiting, the end of
 * this process's hold on it.
 */
import type { RunEvent, RunResult, Step } from '@flowbridge/engine';
import type { RunStatus, StepWrite } from '../store/index.js';
import { responseOf, type Live } from './live-run.js';
import { ownershipId } from './run-leases.js';

export function toWrite(live: Live, step: Step, events: RunEvent[], now: () => number): StepWrite {
  for (const r of step.records) live.unwritten.set(r.path, r);
  const runUpdate: NonNullable<StepWrite['runUpdate']> = { status: step.status };
  const write: StepWrite = { events, runUpdate };
  if (step.done || idleAfter(live, step)) {
    write.records = [...live.unwritten.values()];
    live.unwritten.clear();
  }
  const timers: Array<{ key: string; dueAt: number }> = [];
  const callbacks: Array<{ key: string; path: string }> = [];
  const cancels: string[] = [];
  for (const c of step.commands) {
    if (c.kind === 'timer') timers.push({ key: c.key, dueAt: c.dueAt });
    else if (c.kind === 'awaitCallback') callbacks.push({ key: c.key, path: c.path });
    else if (c.kind === 'cancelWait') cancels.push(c.key);
    else if (c.kind === 'response') runUpdate.response = responseOf(c);
  }
  if (timers.length) write.timers = timers;
  if (callbacks.length) write.callbacks = callbacks;
  if (cancels.length) write.cancelWaits = cancels;
  // Only waiting (timers, callbacks): the run is parked, so it leaves memory and a start does not
  // replay it. Written when it changes (a new run's row starts not parked).
  const parked = !step.done && idleAfter(live, step);
  if (!step.done && live.parked !== parked) {
    runUpdate.parked = parked;
    live.parked = parked;
  }
  if (step.done) write.runUpdate = { ...runUpdate, ...finalUpdate(live, now) };
  // Scale-out: the run is let go (finished, or only waiting) in the same commit; act() drops it.
  if (live.owned && (step.done || idleAfter(live, step))) write.completeWork = [ownershipId(live.runId)];
  return write;
}

/** Whether the run will have no effect in flight after this step (only timers/callbacks left). */
export function idleAfter(live: Live, step: Step): boolean {
  return live.inflight.size === 0 && !step.commands.some((c) => c.kind === 'effect');
}

/** The run's row when it has ended: status, end time, error, outputs and Response. */
export function finalUpdate(
  live: Live,
  now: () => number,
  result: RunResult = (live.ended ??= live.run.result()),
): NonNullable<StepWrite['runUpdate']> {
  return {
    status: result.status as RunStatus,
    endTime: now(),
    error: result.error ?? null,
    outputs: result.outputs ?? null,
    ...(result.response ? { response: result.response } : {}),
  };
}
