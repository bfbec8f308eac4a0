// ISO 8601 durations (spec §8.3) and retry policies (spec §8.1). Pure arithmetic: the clock and
// the randomness of exponential back-off come in as arguments.

const ISO =
  /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;
const CLOCK = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2}(?:\.\d+)?)$/;

/**
 * Milliseconds in an ISO 8601 duration, or undefined when it is not one. For timeouts months
 * count as 30 days and years as 365 days [ours]; the .NET `[d.]hh:mm:ss` form is accepted too.
 */
export function parseDuration(text: string): number | undefined {
  const m = ISO.exec(text.trim());
  if (m && text.trim().length > 1 && !/T$/i.test(text.trim())) {
    const n = (i: number): number => (m[i] ? Number(m[i]) : 0);
    const days = n(1) * 365 + n(2) * 30 + n(3) * 7 + n(4);
    return Math.round(((days * 24 + n(5)) * 60 + n(6)) * 60000 + n(7) * 1000);
  }
  const c = CLOCK.exec(text.trim());
  if (c) {
    const days = c[1] ? Number(c[1]) : 0;
    return Math.round(((days * 24 + Number(c[2])) * 60 + Number(c[3])) * 60000 + Number(c[4]) * 1000);
  }
  return undefined;
}

export interface RetryPolicy {
  type: 'none' | 'fixed' | 'exponential';
  count: number;
  intervalMs: number;
  minMs: number;
  maxMs: number;
}

const DEFAULT_POLICY: RetryPolicy = { type: 'exponential', count: 4, intervalMs: 7000, minMs: 5000, maxMs: 3600000 };

/** Reads an evaluated `retryPolicy` object; returns an error message when it is malformed. */
export function readRetryPolicy(raw: unknown): RetryPolicy | string {
  if (raw === undefined || raw === null) return DEFAULT_POLICY;
  if (typeof raw !== 'object' || Array.isArray(raw)) return 'retryPolicy must be an object.';
  const r = raw as Record<string, unknown>;
  const get = (k: string): unknown => {
    for (const key of Object.keys(r)) if (key.toLowerCase() === k) return r[key];
    return undefined;
  };
  const type = String(get('type') ?? 'default').toLowerCase();
  if (type === 'default') return DEFAULT_POLICY;
  if (type === 'none') return { ...DEFAULT_POLICY, type: 'none', count: 0 };
  if (type !== 'fixed' && type !== 'exponential') return `Unknown retryPolicy type '${type}'.`;
  const dur = (k: string, dflt: number): number | string => {
    const v = get(k);
    if (v === undefined) return dflt;
    const ms = typeof v === 'string' ? parseDuration(v) : undefined;
    return ms === undefined ? `retryPolicy.${k} must be an ISO 8601 duration.` : ms;
  };
  const countRaw = get('count');
  const count = countRaw === undefined ? 4 : Number(countRaw);
  if (!Number.isInteger(count) || count < 0 || count > 90) return 'retryPolicy.count must be an integer from 0 to 90.';
  const interval = dur('interval', 7000);
  const min = dur('minimuminterval', 5000);
  const max = dur('maximuminterval', 3600000);
  for (const x of [interval, min, max]) if (typeof x === 'string') return x;
  return { type, count, intervalMs: interval as number, minMs: min as number, maxMs: max as number };
}

/**
 * Delay before retry number `n` (1-based). Exponential: uniformly in
 * [max(L_n, min), min(2^(n-1)·interval, max)] with L_1 = 0, L_n = 2^(n-2)·interval; `unit` in
 * [0,1) is the deterministic random draw.
 */
export function retryDelay(p: RetryPolicy, n: number, unit: number): number {
  if (p.type === 'fixed') return p.intervalMs;
  const low = Math.max(n <= 1 ? 0 : 2 ** (n - 2) * p.intervalMs, p.minMs);
  const high = Math.max(Math.min(2 ** (n - 1) * p.intervalMs, p.maxMs), low);
  return Math.round(low + (high - low) * unit);
}

/** HTTP statuses worth retrying (spec §8.1): 408, 429 and 5xx. */
export const retryableStatus = (code: number): boolean => code === 408 || code === 429 || (code >= 500 && code <= 599);

/** Adds a calendar amount to an epoch time (Wait intervals: months are calendar months). */
export function addInterval(now: number, count: number, unit: string): number | undefined {
  const u = unit.toLowerCase();
  const d = new Date(now);
  switch (u) {
    case 'second':
      return now + count * 1000;
    case 'minute':
      return now + count * 60000;
    case 'hour':
      return now + count * 3600000;
    case 'day':
      return now + count * 86400000;
    case 'week':
      return now + count * 7 * 86400000;
    case 'month':
      d.setUTCMonth(d.getUTCMonth() + count);
      return d.getTime();
    case 'year':
      d.setUTCFullYear(d.getUTCFullYear() + count);
      return d.getTime();
    default:
      return undefined;
  }
}

/** ISO 8601 UTC with 7 fractional digits, as the service writes times. */
let lastMs = NaN;
let lastIso = '';
/** The UTC day of the last time formatted (its first ms) and its `YYYY-MM-DDT` text. */
let dayStart = NaN;
let dayText = '';
const DAY_MS = 86_400_000;
/** The first ms of the year 10000, where toISOString switches to six-digit years. */
const YEAR_10000 = 253_402_300_800_000;

export function isoTime(ms: number): string {
  // Called for every action's start and end, mostly with the same instant within a step, and a
  // run's instants mostly fall on one day: only the time of day is formatted then.
  if (ms === lastMs) return lastIso;
  if (!Number.isInteger(ms) || ms < 0 || ms >= YEAR_10000) {
    // toISOString always ends in '.sssZ': seven fractional digits, as .NET writes them.
    lastIso = `${new Date(ms).toISOString().slice(0, -1)}0000Z`;
  } else {
    let t = ms - dayStart;
    if (!(t >= 0 && t < DAY_MS)) {
      dayStart = ms - (ms % DAY_MS);
      dayText = new Date(dayStart).toISOString().slice(0, 11);
      t = ms - dayStart;
    }
    const sec = Math.floor(t / 1000);
    const h = Math.floor(sec / 3600);
    const m = Math.floor(sec / 60) % 60;
    lastIso = `${dayText}${two(h)}:${two(m)}:${two(sec % 60)}.${String(1000 + (t % 1000)).slice(1)}0000Z`;
  }
  lastMs = ms;
  return lastIso;
}

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));
