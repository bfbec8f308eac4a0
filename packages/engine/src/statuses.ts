// Every status name the engine uses, listed once. The types are derived from the lists, so a
// status cannot be spelled two ways and the validators and the executor read the same lists.

/** An action's status in run history (spec §7). */
export const ACTION_STATUSES = [
  'Running',
  'Waiting',
  'Succeeded',
  'Failed',
  'Skipped',
  'TimedOut',
  'Cancelled',
  'Aborted',
] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/** The statuses an action ends in. */
export type TerminalStatus = Exclude<ActionStatus, 'Running' | 'Waiting'>;

/** A run's status as the engine reports it (Step.status, RunResult.status). */
export const RUN_STATUSES = ['Running', 'Waiting', 'Succeeded', 'Failed', 'Cancelled', 'TimedOut'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** The statuses a runAfter condition may name (spec §3.2). */
export const RUN_AFTER_STATUSES = [
  'Succeeded',
  'Failed',
  'Skipped',
  'TimedOut',
] as const satisfies readonly ActionStatus[];
export type RunAfterStatus = (typeof RUN_AFTER_STATUSES)[number];

/** What a container (and the run) comes to from its leaves (spec §7.3). */
export type Outcome = Extract<ActionStatus, 'Succeeded' | 'Failed'>;

/** Leaf statuses that fail their container (spec §7.3). */
export const FAILING_STATUSES: ReadonlySet<ActionStatus> = new Set<ActionStatus>(['Failed', 'Aborted', 'TimedOut']);

/** The run statuses a Terminate action may set (spec §6.11); also how a cancelled run halts. */
export const TERMINATE_STATUSES = ['Succeeded', 'Failed', 'Cancelled'] as const satisfies readonly RunStatus[];
export type HaltStatus = (typeof TERMINATE_STATUSES)[number];

/** The statuses a static result may give an action (spec §1.5). */
export const STATIC_RESULT_STATUSES = [
  'Succeeded',
  'Failed',
  'Skipped',
  'TimedOut',
  'Cancelled',
] as const satisfies readonly ActionStatus[];

/** How the host reports one effect attempt. */
export type EffectStatus = Extract<ActionStatus, 'Succeeded' | 'Failed' | 'TimedOut'>;

/** The canonical spelling of `raw` in `list`, matched without regard to case, or undefined. */
export function statusNamed<S extends string>(list: readonly S[], raw: unknown): S | undefined {
  if (typeof raw !== 'string') return undefined;
  const lower = raw.toLowerCase();
  return list.find((s) => s.toLowerCase() === lower);
}
