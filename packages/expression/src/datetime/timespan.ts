import { TICKS_PER_DAY, TICKS_PER_HOUR, TICKS_PER_MINUTE, TICKS_PER_SECOND } from './core.js';

/**
 * .NET TimeSpan.ToString() ("c" format): `[-][d.]hh:mm:ss[.fffffff]`. The day part appears only
 * when non-zero, the fraction only when non-zero and then always with 7 digits.
 */
export function formatTimeSpan(ticks: bigint): string {
  const negative = ticks < 0n;
  let t = negative ? -ticks : ticks;
  const days = t / TICKS_PER_DAY;
  t %= TICKS_PER_DAY;
  const hours = t / TICKS_PER_HOUR;
  t %= TICKS_PER_HOUR;
  const minutes = t / TICKS_PER_MINUTE;
  t %= TICKS_PER_MINUTE;
  const seconds = t / TICKS_PER_SECOND;
  const fraction = t % TICKS_PER_SECOND;
  const two = (n: bigint): string => n.toString().padStart(2, '0');
  let out = negative ? '-' : '';
  if (days > 0n) out += `${days}.`;
  out += `${two(hours)}:${two(minutes)}:${two(seconds)}`;
  if (fraction > 0n) out += `.${fraction.toString().padStart(7, '0')}`;
  return out;
}
