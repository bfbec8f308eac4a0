/**
 * What a durable run's step writes to the store (store.commitStep): its events, the records that
 * changed (when the run ends or goes idle), its status, timers, callbacks and Response, whether it
 * is parked (only waiting), and, when the step leaves the run finished or only waiting, the end of
 * this process's hold on it.
 */
import type { RunEvent, RunOutcome, Step } from '@flowbridge/engine';
import type { RunStatus, StepWrite } from '../store/index.js';
import { responseOf, type Live } from './live-run.js';
import { ownershipId } from './run-leases.js';

type RunUpdate = NonNullable<StepWrite['runUpdate']>;

// Every step of every durable run comes through here, so the commands are read in one pass and
// the write is built without spreads; its keys keep the order they always had (status, response,
// parked, then the final fields), as the store may keep the objects as given.
export function toWrite(live: Live, step: Step, events: RunEvent[], now: () => number): StepWrite {
  for (const r of step.records) live.unwritten.set(r.path, r);
  const runUpdate: RunUpdate = { status: step.status };
  const write: StepWrite = { events, runUpdate };
  let effects = false;
  let timers: Array<{ key: string; dueAt: number }> | undefined;
  let callbacks: Array<{ key: string; path: string }> | undefined;
  let cancels: string[] | undefined;
  for (const c of step.commands) {
    if (c.kind === 'effect') effects = true;
    else if (c.kind === 'timer') (timers ??= []).push({ key: c.key, dueAt: c.dueAt });
    else if (c.kind === 'awaitCallback') (callbacks ??= []).push({ key: c.key, path: c.path });
    else if (c.kind === 'cancelWait') (cancels ??= []).push(c.key);
    else if (c.kind === 'response') runUpdate.response = responseOf(c);
  }
  // idleAfter(live, step), from the pass above.
  const idle = live.inflight.size === 0 && !effects;
  if (step.done || idle) {
    write.records = [...live.unwritten.values()];
    live.unwritten.clear();
  }
  if (timers) write.timers = timers;
  if (callbacks) write.callbacks = callbacks;
  if (cancels) write.cancelWaits = cancels;
  // Only waiting (timers, callbacks): the run is parked, so it leaves memory and a start does not
  // replay it. Written when it changes (a new run's row starts not parked).
  if (!step.done && live.parked !== idle) {
    runUpdate.parked = idle;
    live.parked = idle;
  }
  if (step.done) assignFinal(runUpdate, now, (live.ended ??= live.run.outcome()));
  // Scale-out: the run is let go (finished, or only waiting) in the same commit; act() drops it.
  if (live.owned && (step.done || idle)) write.completeWork = [ownershipId(live.runId)];
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
  result: RunOutcome = (live.ended ??= live.run.outcome()),
): RunUpdate {
  return assignFinal({}, now, result);
}

/** Sets finalUpdate's fields on `update`, in its order (a Response set before keeps its place). */
function assignFinal(update: RunUpdate, now: () => number, result: RunOutcome): RunUpdate {
  update.status = result.status as RunStatus;
  update.endTime = now();
  update.error = result.error ?? null;
  update.outputs = result.outputs ?? null;
  if (result.response) update.response = result.response;
  return update;
}
