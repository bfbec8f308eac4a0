/**
 * Runs made live from their stored row, for the live-run registry (live-runs.ts), which gives
 * them what they need of itself: a run rebuilt from its events when an event comes for it and it
 * is not live here (after a restart, a parked run's wake-up, a run another process let go), and a
 * queued run admitted to start.
 */
import { Run, replay, type RunEvent, type RunInit, type Step, type Workflow } from '@flowbridge/engine';
import { UNFINISHED_RUN_STATUSES } from '../store/index.js';
import { callbackRef, withCallbackBase, type Live } from './live-run.js';
import type { LiveRunsDeps } from './live-runs.js';
import { finalUpdate, toWrite } from './step-write.js';
import type { HostContext } from './types.js';

export interface FromStore {
  ctx: HostContext;
  deps: Pick<LiveRunsDeps, 'workflows' | 'leases' | 'effects' | 'wakeTimersAt'>;
  /** Whether the run is live here. */
  has(runId: string): boolean;
  /** Registers the run as live (durable). */
  register(runId: string, flowId: string, workflow: Workflow, init: RunInit, run: Run): Live;
  /** Forgets a run registered whose step could not be written. */
  drop(runId: string): void;
  /** Acts on a committed step's commands. */
  act(live: Live, step: Step): Promise<void> | undefined;
  /** Ends a live run (its waiters answered, the registry told). */
  finish(live: Live): void;
}

/** The run rebuilt and live, or undefined when it is finished or unknown. */
export async function rebuildRun(r: FromStore, runId: string, reissue: boolean): Promise<Live | undefined> {
  const { ctx, deps } = r;
  const { store, shared } = ctx;
  const stored = await store.getRun(runId);
  if (!stored || !UNFINISHED_RUN_STATUSES.includes(stored.status)) return undefined;
  const history = await store.loadRunHistory(runId);
  const { workflow } = await deps.workflows.get(stored.flowId, stored.flowVersion);
  const init = withCallbackBase(history.init as RunInit, ctx);
  const { run, step } = replay(workflow, init, history.events as RunEvent[]);
  const live = r.register(runId, stored.flowId, workflow, init, run);
  live.parked = undefined; // the next step writes the flag, whatever it is
  // Scale-out: rebuilt only by the holder of the run's lease (claimed or acquired).
  if (shared) live.owned = true;
  live.seq = history.lastSeq;
  for (const rec of step.records) live.records.set(rec.name, rec);
  // What the crashed process may not have written yet: written with the next idle or final step.
  for (const rec of step.records) live.unwritten.set(rec.path, rec);
  for (const c of run.pending()) if (c.kind === 'awaitCallback') live.callbacks.set(c.path, callbackRef(c));
  if (step.done) {
    // The last event was committed but not the final status (cannot happen with one transaction
    // per step; kept so a store written by an older host still settles).
    await store.commitStep(runId, { records: step.records, runUpdate: finalUpdate(live, ctx.now) });
    if (shared) await deps.leases.complete(runId);
    r.finish(live);
    return undefined;
  }
  if (reissue) {
    // Effects issued before the crash and never answered: again, with the same idempotency key.
    for (const c of run.pending()) if (c.kind === 'effect') deps.effects.perform(live, c);
    for (const c of run.pending()) if (c.kind === 'timer') deps.wakeTimersAt(c.dueAt);
  }
  return live;
}

/** Runs the first step of a run admitted from its flow's queue, with its clock starting now. */
export async function startAdmitted(r: FromStore, runId: string): Promise<void> {
  const { ctx } = r;
  const stored = await ctx.store.getRun(runId);
  if (!stored || stored.status !== 'Running' || r.has(runId)) return;
  const { workflow } = await r.deps.workflows.get(stored.flowId, stored.flowVersion);
  const init: RunInit = withCallbackBase({ ...(stored.init as RunInit), now: ctx.now() }, ctx);
  const { run, step } = Run.start(workflow, init);
  const live = r.register(runId, stored.flowId, workflow, init, run);
  if (ctx.shared) live.owned = true;
  ctx.observer?.runStarted?.(stored.flowId);
  const write = toWrite(live, step, [], ctx.now);
  write.runUpdate = { ...write.runUpdate, init };
  try {
    await ctx.store.commitStep(runId, write);
  } catch (error) {
    r.drop(runId);
    throw error;
  }
  await r.act(live, step);
}
