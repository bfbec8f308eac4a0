/** Errors the host hands to the HTTP layer: plain data with a code from a closed union. */
export type HostErrorCode =
  | 'NotFound'
  | 'InvalidState'
  | 'Stopping'
  | 'TriggerNotFound'
  | 'InvalidTemplate'
  | 'InvalidSplitOn'
  /** Trigger concurrency: the flow's runs limit is reached and its waiting-runs queue is full. */
  | 'TooManyRuns';

export class HostError extends Error {
  constructor(
    readonly code: HostErrorCode,
    message: string,
    readonly target?: string,
  ) {
    super(message);
    this.name = 'HostError';
  }
}
