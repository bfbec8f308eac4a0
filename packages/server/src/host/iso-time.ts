/**
 * `new Date(ms).toISOString()`, for a run's start (every run has one): toISOString is a call into
 * the runtime that breaks the time down anew, about a microsecond each under load. The UTC day
 * is formatted once and only the time of day after it, as the engine's isoTime does (run/timing.ts).
 */
let lastMs = NaN;
let lastIso = '';
/** The UTC day of the last time formatted (its first ms) and its `YYYY-MM-DDT` text. */
let dayStart = NaN;
let dayText = '';
const DAY_MS = 86_400_000;
/** The first ms of the year 10000, where toISOString switches to six-digit years. */
const YEAR_10000 = 253_402_300_800_000;

export function isoString(ms: number): string {
  if (ms === lastMs) return lastIso;
  // Other times (before 1970, past 9999, fractional, invalid: throws) as toISOString has them.
  if (!Number.isInteger(ms) || ms < 0 || ms >= YEAR_10000) return new Date(ms).toISOString();
  let t = ms - dayStart;
  if (!(t >= 0 && t < DAY_MS)) {
    dayStart = ms - (ms % DAY_MS);
    dayText = new Date(dayStart).toISOString().slice(0, 11);
    t = ms - dayStart;
  }
  const sec = Math.floor(t / 1000);
  const h = Math.floor(sec / 3600);
  const m = Math.floor(sec / 60) % 60;
  lastIso = `${dayText}${two(h)}:${two(m)}:${two(sec % 60)}.${String(1000 + (t % 1000)).slice(1)}Z`;
  lastMs = ms;
  return lastIso;
}

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));
