import { isoTime } from '@flowbridge/engine';

/**
 * `new Date(ms).toISOString()`, for a run's start (every run has one): the engine's isoTime, which
 * formats a UTC day once and then only the time of day (toISOString breaks the whole time down at
 * each call), with toISOString's three fractional digits instead of the engine's seven.
 */
export function isoString(ms: number): string {
  return `${isoTime(ms).slice(0, -5)}Z`;
}
