/**
 * The flowsession status columns of spec §13.5 as a table, and what our sessions use of it:
 * queued = 3 Waiting, executing = 2 Running, then 4 Succeeded, 8 Failed, 7 Cancelled, 10 TimedOut,
 * or 9 Faulted when the machine disappeared mid-session. Finished sessions keep statecode 0, as in
 * Dataverse: terminal-ness comes from statuscode.
 */
export interface StatusEntry {
  code: number;
  label: string;
  statecode: 0 | 1;
}

export const STATUS_TABLE: readonly StatusEntry[] = [
  { code: 0, label: 'NotSpecified', statecode: 1 },
  { code: 1, label: 'Paused', statecode: 0 },
  { code: 2, label: 'Running', statecode: 0 },
  { code: 3, label: 'Waiting', statecode: 0 },
  { code: 4, label: 'Succeeded', statecode: 0 },
  { code: 5, label: 'Skipped', statecode: 0 },
  { code: 6, label: 'Suspended', statecode: 0 },
  { code: 7, label: 'Cancelled', statecode: 0 },
  { code: 8, label: 'Failed', statecode: 0 },
  { code: 9, label: 'Faulted', statecode: 0 },
  { code: 10, label: 'TimedOut', statecode: 0 },
  { code: 11, label: 'Aborted', statecode: 0 },
  { code: 12, label: 'Ignored', statecode: 0 },
  { code: 13, label: 'Deleted', statecode: 1 },
  { code: 14, label: 'Terminated', statecode: 1 },
];

export const STATUS = {
  Running: 2,
  Waiting: 3,
  Succeeded: 4,
  Cancelled: 7,
  Failed: 8,
  Faulted: 9,
  TimedOut: 10,
} as const;

/** Statuses a session can still leave. */
export const OPEN: readonly number[] = [STATUS.Running, STATUS.Waiting];

export function isOpen(status: number): boolean {
  return OPEN.includes(status);
}

export function statusLabel(code: number): string {
  return STATUS_TABLE.find((s) => s.code === code)?.label ?? 'NotSpecified';
}

export function stateCode(code: number): 0 | 1 {
  return STATUS_TABLE.find((s) => s.code === code)?.statecode ?? 1;
}

/** What an agent may report for a session it ran. */
export type ReportedStatus = 'Succeeded' | 'Failed' | 'Cancelled' | 'TimedOut';
export const REPORTED: Readonly<Record<ReportedStatus, number>> = {
  Succeeded: STATUS.Succeeded,
  Failed: STATUS.Failed,
  Cancelled: STATUS.Cancelled,
  TimedOut: STATUS.TimedOut,
};

/** flowsession.runmode */
export const RUN_MODES = { attended: 1, unattended: 2 } as const;
export type RunModeName = keyof typeof RUN_MODES;

/** flowsession.triggertype */
export const TRIGGER_TYPES = { ApiFlow: 0, RunDesktopFlowDataverseApi: 3 } as const;

/** Queue priorities: a number, higher runs first; `normal` is the default. */
export const PRIORITIES: Readonly<Record<string, number>> = { normal: 50, high: 100 };
export const MAX_PRIORITY = 1000;
