import { ExpressionError } from '../errors.js';

/**
 * A .NET-style date-time value. WDL timestamps are strings; once parsed they become this.
 *
 * `ticks` counts 100-ns intervals of the wall-clock time since 0001-01-01T00:00:00 (as .NET
 * `DateTime.Ticks`): milliseconds are not enough, inputs carry 7 fractional digits and must
 * round-trip. `kind` is what the text said about the zone, because it drives the output
 * (`K`, the default `o` form): a trailing `Z` stays UTC, no zone stays unspecified, an explicit
 * offset is kept with its `offsetMinutes`.
 */
export type DateKind = 'utc' | 'unspecified' | 'offset';

export interface DateTimeValue {
  readonly ticks: bigint;
  readonly kind: DateKind;
  /** Minutes east of UTC; 0 unless kind is 'offset'. */
  readonly offsetMinutes: number;
}

export const TICKS_PER_MILLISECOND = 10_000n;
export const TICKS_PER_SECOND = 10_000_000n;
export const TICKS_PER_MINUTE = 600_000_000n;
export const TICKS_PER_HOUR = 36_000_000_000n;
export const TICKS_PER_DAY = 864_000_000_000n;
/** Ticks of 0001-01-01 .. 9999-12-31T23:59:59.9999999, DateTime's range. */
export const MAX_TICKS = 3_155_378_975_999_999_999n;
/** Ticks at 1970-01-01T00:00:00Z, to meet epoch milliseconds (ctx.now(), luxon). */
export const UNIX_EPOCH_TICKS = 621_355_968_000_000_000n;

const DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

export function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 30;
}

/** Days from 0001-01-01 to the given proleptic Gregorian date (as .NET DateToTicks). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = year - 1;
  let days = y * 365 + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400);
  days += DAYS_BEFORE_MONTH[month - 1] ?? 0;
  if (month > 2 && isLeapYear(year)) days += 1;
  return days + day - 1;
}

export interface DateParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 .. 9,999,999 ticks within the second. */
  fraction: number;
  /** Sunday = 0 .. Saturday = 6. */
  dayOfWeek: number;
  /** 1 .. 366. */
  dayOfYear: number;
}

export function partsOf(ticks: bigint): DateParts {
  const dayNumber = Number(ticks / TICKS_PER_DAY);
  const timeTicks = Number(ticks % TICKS_PER_DAY);
  // Civil-from-days over 400/100/4/1-year cycles, the way DateTime.GetDatePart does it.
  let n = dayNumber;
  const y400 = Math.floor(n / 146097);
  n -= y400 * 146097;
  let y100 = Math.floor(n / 36524);
  if (y100 === 4) y100 = 3;
  n -= y100 * 36524;
  const y4 = Math.floor(n / 1461);
  n -= y4 * 1461;
  let y1 = Math.floor(n / 365);
  if (y1 === 4) y1 = 3;
  n -= y1 * 365;
  const year = y400 * 400 + y100 * 100 + y4 * 4 + y1 + 1;
  const dayOfYear = n + 1;
  const leap = isLeapYear(year);
  let month = 1;
  while (month < 12) {
    const next = (DAYS_BEFORE_MONTH[month] ?? 365) + (leap && month >= 2 ? 1 : 0);
    if (n < next) break;
    month++;
  }
  const before = (DAYS_BEFORE_MONTH[month - 1] ?? 0) + (leap && month > 2 ? 1 : 0);
  const day = n - before + 1;
  const totalSeconds = Math.floor(timeTicks / 10_000_000);
  return {
    year,
    month,
    day,
    hour: Math.floor(totalSeconds / 3600),
    minute: Math.floor(totalSeconds / 60) % 60,
    second: totalSeconds % 60,
    fraction: timeTicks % 10_000_000,
    // 0001-01-01 was a Monday.
    dayOfWeek: (dayNumber + 1) % 7,
    dayOfYear,
  };
}

/** The error .NET raises for a value outside DateTime's range or an impossible date. */
export function unrepresentable(what = 'The date-time value is not representable'): ExpressionError {
  return new ExpressionError('InvalidArgument', what);
}

export function checkTicks(ticks: bigint): bigint {
  if (ticks < 0n || ticks > MAX_TICKS)
    throw unrepresentable('The added or subtracted value results in an un-representable DateTime.');
  return ticks;
}

/** Ticks of a valid civil date-time; undefined when a field is out of range (hour 80, Feb 30). */
export function ticksFromParts(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  fraction = 0,
): bigint | undefined {
  if (!Number.isInteger(year) || year < 1 || year > 9999) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  if (fraction < 0 || fraction >= 10_000_000) return undefined;
  return (
    BigInt(daysFromCivil(year, month, day)) * TICKS_PER_DAY +
    BigInt(hour) * TICKS_PER_HOUR +
    BigInt(minute) * TICKS_PER_MINUTE +
    BigInt(second) * TICKS_PER_SECOND +
    BigInt(fraction)
  );
}

/** .NET AddMonths: calendar arithmetic that clamps the day to the target month's length. */
export function addMonths(ticks: bigint, months: number): bigint {
  const p = partsOf(ticks);
  const total = p.year * 12 + (p.month - 1) + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  if (year < 1 || year > 9999)
    throw unrepresentable('The added or subtracted value results in an un-representable DateTime.');
  const day = Math.min(p.day, daysInMonth(year, month));
  return BigInt(daysFromCivil(year, month, day)) * TICKS_PER_DAY + (ticks % TICKS_PER_DAY);
}

/** The instant in UTC ticks (an offset value's wall clock minus its offset). */
export function utcTicks(v: DateTimeValue): bigint {
  return v.kind === 'offset' ? v.ticks - BigInt(v.offsetMinutes) * TICKS_PER_MINUTE : v.ticks;
}

export function withTicks(v: DateTimeValue, ticks: bigint): DateTimeValue {
  return { ticks: checkTicks(ticks), kind: v.kind, offsetMinutes: v.offsetMinutes };
}

export function utcValue(ticks: bigint): DateTimeValue {
  return { ticks: checkTicks(ticks), kind: 'utc', offsetMinutes: 0 };
}

export function unspecifiedValue(ticks: bigint): DateTimeValue {
  return { ticks: checkTicks(ticks), kind: 'unspecified', offsetMinutes: 0 };
}

/** Epoch milliseconds (ctx.now()) to UTC ticks. */
export function ticksFromEpochMs(ms: number): bigint {
  return UNIX_EPOCH_TICKS + BigInt(Math.trunc(ms)) * TICKS_PER_MILLISECOND;
}
