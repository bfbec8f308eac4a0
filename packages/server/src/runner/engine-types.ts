/**
 * The engine's run contract (packages/engine API.md) as the local host uses it. The host only
 * needs a run it can feed events to, so tests can drive it with a scripted fake.
 */
import type { ActionRecord, Command, RunEvent, RunInit, Step } from '@flowbridge/engine';

export type { ActionRecord, Command, RunEvent, RunInit, Step };

export interface RunLike<Result = unknown> {
  deliver(event: RunEvent): Step;
  result(): Result;
}

/** Starts a run (Run.start bound to a compiled workflow). */
export type StartRun<Result = unknown> = (init: RunInit) => { run: RunLike<Result>; step: Step };
