/**
 * Recurrence triggers (spec §4.2), pure: parse a trigger's `recurrence` object and compute its fire
 * times. No clock, no I/O; times are epoch milliseconds.
 *
 * The series is anchored at startTime as Logic Apps does: occurrences are startTime + k × interval
 * (Second/Minute/Hour: elapsed time; Day/Week/Month: local calendar), and with a schedule every listed
 * hour × minute (× weekday, × month day) slot of each interval-th day/week/month counted from the
 * startTime's. Unspecified schedule fields are taken from startTime. Without a startTime the caller
 * supplies the anchor (the first run: when the flow was saved or enabled).
 *
 * Wall-clock slots (Day/Week/Month, and Hour minutes) follow the time zone's local time:
 * - a slot that falls in a spring-forward gap is moved forward by the gap's length (02:30 → 03:30);
 * - a slot that is ambiguous in the fall-back hour fires once, at its first (daylight-time) instant.
 * Second/Minute/Hour series are elapsed time and ignore DST.
 *
 * Week periods start on Sunday (as .NET's DayOfWeek), which matters only for interval > 1.
 */
import { resolveTimeZone, type TimeZone } from '@flowbridge/expression';
import { isRecord } from '../util/json.js';

export type Frequency = 'Second' | 'Minute' | 'Hour' | 'Day' | 'Week' | 'Month';

export interface MonthlyOccurrence {
  /** 0 = Sunday … 6 = Saturday */
  day: number;
  /** 1..5 from the start of the month, -1..-5 from its end */
  occurrence: number;
}

export interface Recurrence {
  frequency: Frequency;
  interval: number;
  /** Absolute start (already converted from the time zone); undefined: the caller's anchor. */
  startTime?: number;
  /** The zone for wall-clock slots; undefined = UTC. */
  timeZone?: TimeZone;
  schedule?: {
    hours?: number[];
    minutes?: number[];
    /** 0 = Sunday … 6 = Saturday */
    weekDays?: number[];
    /** 1..31, or -1..-31 counted from the end of the month */
    monthDays?: number[];
    monthlyOccurrences?: MonthlyOccurrence[];
  };
}

export interface RecurrenceError {
  code: 'InvalidRecurrence';
  message: string;
  /** JSON pointer inside the trigger's `recurrence` object */
  target: string;
}

const FREQUENCIES: Frequency[] = ['Second', 'Minute', 'Hour', 'Day', 'Week', 'Month'];
/** Interval bounds (spec §4.2; Week as Logic Apps: 71). */
const MAX_INTERVAL: Record<Frequency, number> = {
  Second: 9_999_999,
  Minute: 72_000,
  Hour: 12_000,
  Day: 500,
  Week: 71,
  Month: 16,
};
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const STEP: Partial<Record<Frequency, number>> = { Second: SECOND, Minute: MINUTE, Hour: HOUR };
/** How many periods a search looks through before it concludes that no slot exists. */
const MAX_PERIODS = 1000;

// ------------------------------------------------------------------------------------------ parsing

/** Parses a trigger's `recurrence` object; errors carry a pointer relative to it. */
export function parseRecurrence(raw: unknown): Recurrence | { error: RecurrenceError } {
  const fail = (target: string, message: string): { error: RecurrenceError } => ({
    error: { code: 'InvalidRecurrence', message, target },
  });
  if (!isRecord(raw)) return fail('', 'The recurrence must be an object.');
  const r = lowerKeys(raw);
  const frequency = FREQUENCIES.find(
    (f) => typeof r.frequency === 'string' && f.toLowerCase() === r.frequency.toLowerCase(),
  );
  if (!frequency) return fail('/frequency', `The frequency must be one of ${FREQUENCIES.join(', ')}.`);
  const interval = r.interval === undefined ? 1 : toInt(r.interval);
  if (interval === undefined || interval < 1 || interval > MAX_INTERVAL[frequency]) {
    return fail('/interval', `The interval for ${frequency} must be an integer from 1 to ${MAX_INTERVAL[frequency]}.`);
  }
  const out: Recurrence = { frequency, interval };
  if (r.timezone !== undefined && r.timezone !== null && r.timezone !== '') {
    if (typeof r.timezone !== 'string') return fail('/timeZone', 'The time zone must be a string.');
    try {
      out.timeZone = resolveTimeZone(r.timezone);
    } catch {
      return fail('/timeZone', `The time zone '${r.timezone}' is not valid.`);
    }
  }
  if (r.starttime !== undefined && r.starttime !== null && r.starttime !== '') {
    const start = typeof r.starttime === 'string' ? parseStartTime(r.starttime, out.timeZone) : undefined;
    if (start === undefined) return fail('/startTime', 'The start time must be a date-time as YYYY-MM-DDThh:mm:ss.');
    out.startTime = start;
  }
  if (r.schedule !== undefined && r.schedule !== null) {
    if (!isRecord(r.schedule)) return fail('/schedule', 'The schedule must be an object.');
    const s = lowerKeys(r.schedule);
    const schedule: NonNullable<Recurrence['schedule']> = {};
    const lists: Array<[keyof typeof schedule & string, string, (v: unknown) => number | undefined]> = [
      ['hours', 'hours', (v) => inRange(toInt(v), 0, 23)],
      ['minutes', 'minutes', (v) => inRange(toInt(v), 0, 59)],
      ['weekDays', 'weekdays', weekday],
      ['monthDays', 'monthdays', (v) => monthDay(toInt(v))],
    ];
    for (const [name, key, item] of lists) {
      const value = s[key];
      if (value === undefined || value === null) continue;
      const items = Array.isArray(value) ? value : [value];
      const parsed = items.map(item);
      const bad = parsed.findIndex((p) => p === undefined);
      if (bad >= 0) return fail(`/schedule/${name}/${bad}`, `Invalid value in schedule.${name}.`);
      if (parsed.length > 0) (schedule as Record<string, number[]>)[name] = uniqueSorted(parsed as number[]);
    }
    const occurrences = s.monthlyoccurrences;
    if (occurrences !== undefined && occurrences !== null) {
      if (!Array.isArray(occurrences))
        return fail('/schedule/monthlyOccurrences', 'monthlyOccurrences must be an array.');
      const list: MonthlyOccurrence[] = [];
      for (const [i, o] of occurrences.entries()) {
        const entry = isRecord(o) ? lowerKeys(o) : {};
        const day = weekday(entry.day);
        const occurrence = toInt(entry.occurrence ?? 1);
        if (day === undefined || occurrence === undefined || occurrence === 0 || Math.abs(occurrence) > 5) {
          return fail(
            `/schedule/monthlyOccurrences/${i}`,
            'A monthly occurrence needs a day and an occurrence of 1..5 or -1..-5.',
          );
        }
        list.push({ day, occurrence });
      }
      if (list.length > 0) schedule.monthlyOccurrences = list;
    }
    if (Object.keys(schedule).length > 0) out.schedule = schedule;
  }
  return out;
}

/**
 * A start time: with `Z` or an offset it is absolute; without, it is wall-clock time in `zone`
 * (UTC when there is none). Undefined when it is not a date-time.
 */
export function parseStartTime(text: string, zone?: TimeZone): number | undefined {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(
      text.trim(),
    );
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', offset] = m;
  const fields = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const;
  const wall = Date.UTC(...fields) + Number(frac.padEnd(3, '0').slice(0, 3));
  const check = new Date(wall);
  if (
    check.getUTCMonth() !== fields[1] ||
    check.getUTCDate() !== fields[2] ||
    fields[3] > 23 ||
    fields[4] > 59 ||
    fields[5] > 59
  ) {
    return undefined;
  }
  if (offset === undefined) return fromWall(wall, zone);
  if (offset.toUpperCase() === 'Z') return wall;
  const digits = offset.replace(':', '');
  const minutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5));
  return wall - (digits.startsWith('-') ? -minutes : minutes) * MINUTE;
}

// ------------------------------------------------------------------------------------------ series

/**
 * The first occurrence strictly after `after`, or null when there is none. `anchor` stands in for
 * startTime when the recurrence has none.
 */
export function nextOccurrence(rec: Recurrence, anchor: number, after: number): number | null {
  const start = rec.startTime ?? anchor;
  const step = elapsedStep(rec);
  if (step !== undefined) {
    if (after < start) return start;
    return start + (Math.floor((after - start) / step) + 1) * step;
  }
  const series = periods(rec, start);
  // From one period early: a DST shift may move a slot across the boundary of its period.
  let k = Math.max(0, series.periodOf(after) - 1);
  for (let n = 0; n < MAX_PERIODS; n++, k++) {
    const found = earliest(series.slots(k), start, after);
    if (found !== null) {
      const later = earliest(series.slots(k + 1), start, after);
      return later !== null && later < found ? later : found;
    }
  }
  return null;
}

function earliest(slots: number[], start: number, after: number): number | null {
  let best: number | null = null;
  for (const slot of slots) if (slot >= start && slot > after && (best === null || slot < best)) best = slot;
  return best;
}

function latest(slots: number[], start: number, atOrBefore: number): number | null {
  let best: number | null = null;
  for (const slot of slots) if (slot >= start && slot <= atOrBefore && (best === null || slot > best)) best = slot;
  return best;
}

/** The latest occurrence at or before `atOrBefore`, or null when the series has not started. */
export function previousOccurrence(rec: Recurrence, anchor: number, atOrBefore: number): number | null {
  const start = rec.startTime ?? anchor;
  if (atOrBefore < start) return null;
  const step = elapsedStep(rec);
  if (step !== undefined) return start + Math.floor((atOrBefore - start) / step) * step;
  const series = periods(rec, start);
  for (let k = series.periodOf(atOrBefore) + 1, n = 0; n < MAX_PERIODS && k >= 0; n++, k--) {
    const found = latest(series.slots(k), start, atOrBefore);
    if (found !== null) {
      const earlier = k > 0 ? latest(series.slots(k - 1), start, atOrBefore) : null;
      return earlier !== null && earlier > found ? earlier : found;
    }
  }
  return null;
}

/** Whether `time` is an occurrence of the series. */
export function isOccurrence(rec: Recurrence, anchor: number, time: number): boolean {
  return previousOccurrence(rec, anchor, time) === time;
}

/** Second/Minute/Hour without minutes: a fixed elapsed step; undefined for wall-clock series. */
function elapsedStep(rec: Recurrence): number | undefined {
  const unit = STEP[rec.frequency];
  if (unit === undefined) return undefined;
  if (rec.frequency === 'Hour' && rec.schedule?.minutes) return undefined;
  return unit * rec.interval;
}

interface Periods {
  /** The period (0 = the anchor's) that an instant falls in; may be negative. */
  periodOf(utc: number): number;
  /** The absolute slot times of period k (unfiltered, unsorted). */
  slots(k: number): number[];
}

function periods(rec: Recurrence, start: number): Periods {
  const zone = rec.timeZone;
  const a = toWall(start, zone);
  const aDay = Math.floor(a / DAY);
  const aDate = new Date(a);
  const s = rec.schedule ?? {};
  const scheduled = s.hours !== undefined || s.minutes !== undefined;
  const hours = s.hours ?? [aDate.getUTCHours()];
  const minutes = s.minutes ?? [aDate.getUTCMinutes()];
  // Seconds come from the anchor unless the schedule names the time of day (then whole minutes).
  const seconds = scheduled ? 0 : a - Math.floor(a / MINUTE) * MINUTE;
  const times: number[] = [];
  for (const h of hours) for (const m of minutes) times.push(h * HOUR + m * MINUTE + seconds);
  const onDays = (days: number[]): number[] => {
    const out: number[] = [];
    for (const d of days) for (const t of times) out.push(fromWall(d * DAY + t, zone));
    return out;
  };

  switch (rec.frequency) {
    case 'Hour': {
      // Hour with schedule minutes: every interval-th local hour from the anchor's, at those minutes.
      const hourStart = start - (a - Math.floor(a / HOUR) * HOUR);
      const span = rec.interval * HOUR;
      return {
        periodOf: (utc) => Math.floor((utc - hourStart) / span),
        slots: (k) => (s.minutes ?? []).map((m) => hourStart + k * span + m * MINUTE),
      };
    }
    case 'Day':
      return {
        periodOf: (utc) => Math.floor((Math.floor(toWall(utc, zone) / DAY) - aDay) / rec.interval),
        slots: (k) => onDays([aDay + k * rec.interval]),
      };
    case 'Week': {
      const weekStart = aDay - aDate.getUTCDay();
      const weekDays = s.weekDays ?? [aDate.getUTCDay()];
      const span = 7 * rec.interval;
      return {
        periodOf: (utc) => Math.floor((Math.floor(toWall(utc, zone) / DAY) - weekStart) / span),
        slots: (k) => onDays(weekDays.map((wd) => weekStart + k * span + wd)),
      };
    }
    default: {
      // Month
      const aMonth = aDate.getUTCFullYear() * 12 + aDate.getUTCMonth();
      const monthDays = s.monthDays ?? (s.monthlyOccurrences ? [] : [aDate.getUTCDate()]);
      return {
        periodOf: (utc) => {
          const d = new Date(toWall(utc, zone));
          return Math.floor((d.getUTCFullYear() * 12 + d.getUTCMonth() - aMonth) / rec.interval);
        },
        slots: (k) => onDays(daysOfMonth(aMonth + k * rec.interval, monthDays, s.monthlyOccurrences ?? [])),
      };
    }
  }
}

/** Day numbers (days since 1970-01-01) of the listed days that exist in the month. */
function daysOfMonth(monthIndex: number, monthDays: number[], occurrences: MonthlyOccurrence[]): number[] {
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12;
  const first = Date.UTC(year, month, 1) / DAY;
  const length = Date.UTC(year, month + 1, 1) / DAY - first;
  const out = new Set<number>();
  for (const d of monthDays) {
    const day = d > 0 ? d : length + 1 + d;
    if (day >= 1 && day <= length) out.add(first + day - 1); // day 31 in a 30-day month: skipped
  }
  const firstDow = new Date(first * DAY).getUTCDay();
  for (const o of occurrences) {
    const firstMatch = (o.day - firstDow + 7) % 7; // 0-based day of the month
    const matches: number[] = [];
    for (let d = firstMatch; d < length; d += 7) matches.push(d);
    const pick = o.occurrence > 0 ? matches[o.occurrence - 1] : matches[matches.length + o.occurrence];
    if (pick !== undefined) out.add(first + pick);
  }
  return [...out];
}

// ------------------------------------------------------------------------------------------ time zones

/** Wall-clock time in `zone` as epoch-like milliseconds (its UTC fields are the local fields). */
export function toWall(utc: number, zone?: TimeZone): number {
  return zone ? utc + offsetMinutes(zone, utc) * MINUTE : utc;
}

/**
 * The instant of a wall-clock time: in a spring-forward gap, moved forward by the gap (the
 * pre-transition offset applied); when ambiguous, the first instant (the larger offset).
 */
export function fromWall(wall: number, zone?: TimeZone): number {
  if (!zone) return wall;
  const candidates = new Set<number>();
  for (const probe of [-DAY, 0, DAY]) candidates.add(offsetMinutes(zone, wall + probe));
  const valid = [...candidates].filter((o) => offsetMinutes(zone, wall - o * MINUTE) === o);
  const offset = valid.length > 0 ? Math.max(...valid) : Math.min(...candidates);
  return wall - offset * MINUTE;
}

function offsetMinutes(zone: TimeZone, utc: number): number {
  return Math.round(zone.zone.offset(utc));
}

// ------------------------------------------------------------------------------------------ helpers

/** Property names compare case-insensitively in definitions. */
function lowerKeys(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k.toLowerCase()] = v;
  return out;
}

function toInt(v: unknown): number | undefined {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
}

function inRange(n: number | undefined, min: number, max: number): number | undefined {
  return n !== undefined && n >= min && n <= max ? n : undefined;
}

function monthDay(n: number | undefined): number | undefined {
  return n !== undefined && n !== 0 && n >= -31 && n <= 31 ? n : undefined;
}

function weekday(v: unknown): number | undefined {
  if (typeof v === 'string') {
    const i = WEEKDAYS.indexOf(v.trim().toLowerCase());
    return i >= 0 ? i : undefined;
  }
  return inRange(toInt(v), 0, 6);
}

function uniqueSorted(values: number[]): number[] {
  return [...new Set(values)].sort((x, y) => x - y);
}
