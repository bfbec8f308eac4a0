import type { WorkflowContext } from '../context.js';
import { ExpressionError } from '../errors.js';
import { isInteger, kindOf, type Value } from '../values.js';
import {
  addMonths,
  checkTicks,
  partsOf,
  ticksFromEpochMs,
  TICKS_PER_DAY,
  TICKS_PER_HOUR,
  TICKS_PER_MINUTE,
  TICKS_PER_SECOND,
  utcTicks,
  withTicks,
  type DateTimeValue,
} from '../datetime/core.js';
import { DEFAULT_CULTURE, resolveCulture } from '../datetime/cultures.js';
import { formatDateTime } from '../datetime/format.js';
import { parseDateTime, parseDateTimeExact, type Today } from '../datetime/parse.js';
import { formatTimeSpan } from '../datetime/timespan.js';
import { resolveTimeZone, utcToZone, zoneToUtc } from '../datetime/timezones.js';
import type { AnyFunctionDef, FunctionDef } from './types.js';

/** Date and time functions (spec §9.6, §10). Timestamps are strings in and strings out. */

function argError(fn: string, message: string): ExpressionError {
  return new ExpressionError('InvalidArgument', `The template language function '${fn}' ${message}`);
}

function stringArg(fn: string, args: Value[], i: number, what: string): string {
  const v = args[i];
  if (typeof v !== 'string')
    throw argError(
      fn,
      `expects its ${what} parameter to be a string. The provided value is of type '${kindOf(v ?? null)}'.`,
    );
  return v;
}

/** An optional string argument; absent or null means "not given". */
function optionalString(fn: string, args: Value[], i: number, what: string): string | undefined {
  const v = args[i];
  if (v === undefined || v === null) return undefined;
  return stringArg(fn, args, i, what);
}

function intArg(fn: string, args: Value[], i: number, what: string): bigint {
  const v = args[i] ?? null;
  if (!isInteger(v))
    throw argError(fn, `expects its ${what} parameter to be an integer. The provided value is of type '${kindOf(v)}'.`);
  return BigInt(v);
}

function todayFrom(ctx: WorkflowContext): Today | undefined {
  const now = ctx.now;
  if (now === undefined) return undefined;
  return () => {
    const p = partsOf(ticksFromEpochMs(now.call(ctx)));
    return { year: p.year, month: p.month, day: p.day };
  };
}

function nowValue(ctx: WorkflowContext): DateTimeValue {
  if (ctx.now === undefined)
    throw new ExpressionError('InvalidReference', 'The current time is not available in this context.');
  return { ticks: checkTicks(ticksFromEpochMs(ctx.now())), kind: 'utc', offsetMinutes: 0 };
}

function timestampArg(fn: string, args: Value[], i: number, ctx: WorkflowContext): DateTimeValue {
  return parseDateTime(stringArg(fn, args, i, ordinal(i)), DEFAULT_CULTURE, todayFrom(ctx));
}

function ordinal(i: number): string {
  return ['first', 'second', 'third', 'fourth', 'fifth'][i] ?? `${i + 1}th`;
}

function output(fn: string, value: DateTimeValue, args: Value[], formatIndex: number): string {
  return formatDateTime(value, optionalString(fn, args, formatIndex, ordinal(formatIndex)), DEFAULT_CULTURE);
}

/** Times beyond what a JS number multiplies exactly still fit in bigint ticks; range is checked after. */
function addTicks(value: DateTimeValue, amount: bigint, unit: bigint): DateTimeValue {
  return withTicks(value, value.ticks + amount * unit);
}

type Unit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';
const UNITS: readonly Unit[] = ['second', 'minute', 'hour', 'day', 'week', 'month', 'year'];

function unitArg(fn: string, args: Value[], i: number): Unit {
  const raw = stringArg(fn, args, i, ordinal(i));
  const unit = UNITS.find((u) => u === raw.trim().toLowerCase());
  if (unit === undefined) {
    throw argError(
      fn,
      `expects its ${ordinal(i)} parameter 'timeUnit' to be one of: Second, Minute, Hour, Day, Week, Month, Year. The provided value is '${raw}'.`,
    );
  }
  return unit;
}

function addUnits(value: DateTimeValue, amount: bigint, unit: Unit): DateTimeValue {
  switch (unit) {
    case 'second':
      return addTicks(value, amount, TICKS_PER_SECOND);
    case 'minute':
      return addTicks(value, amount, TICKS_PER_MINUTE);
    case 'hour':
      return addTicks(value, amount, TICKS_PER_HOUR);
    case 'day':
      return addTicks(value, amount, TICKS_PER_DAY);
    case 'week':
      return addTicks(value, amount * 7n, TICKS_PER_DAY);
    case 'month':
    case 'year': {
      const months = unit === 'year' ? amount * 12n : amount;
      // DateTime's whole range is under 120,000 months: anything larger is out of range.
      if (months > 120_000n || months < -120_000n) throw checkRangeError();
      return withTicks(value, addMonths(value.ticks, Number(months)));
    }
  }
}

function checkRangeError(): ExpressionError {
  return new ExpressionError(
    'InvalidArgument',
    'The added or subtracted value results in an un-representable DateTime.',
  );
}

function eager(name: string, minArgs: number, maxArgs: number, impl: FunctionDef['impl']): FunctionDef {
  return { name, minArgs, maxArgs, impl };
}

function addFixed(name: string, unit: bigint): FunctionDef {
  return eager(name, 2, 3, (args, ctx) => {
    const value = timestampArg(name, args, 0, ctx);
    return output(name, addTicks(value, intArg(name, args, 1, 'second'), unit), args, 2);
  });
}

function startOf(name: string, unit: 'day' | 'hour' | 'month'): FunctionDef {
  return eager(name, 1, 2, (args, ctx) => {
    const value = timestampArg(name, args, 0, ctx);
    let ticks: bigint;
    if (unit === 'hour') ticks = value.ticks - (value.ticks % TICKS_PER_HOUR);
    else {
      ticks = value.ticks - (value.ticks % TICKS_PER_DAY);
      if (unit === 'month') ticks -= BigInt(partsOf(value.ticks).day - 1) * TICKS_PER_DAY;
    }
    return output(name, withTicks(value, ticks), args, 1);
  });
}

/** 'UTC' is the one zone .NET hands back as DateTimeKind.Utc, so its results end in 'Z'. */
function convertedValue(ticks: bigint, destination: string): DateTimeValue {
  return {
    ticks: checkTicks(ticks),
    kind: destination.trim().toLowerCase() === 'utc' ? 'utc' : 'unspecified',
    offsetMinutes: 0,
  };
}

/**
 * The instant a source wall-clock time stands for. An explicit offset already fixes the instant;
 * otherwise the wall clock is read in the source zone (a trailing 'Z' included, as Logic Apps
 * reads the timestamp's clock reading).
 */
function sourceInstant(value: DateTimeValue, sourceZone: string): bigint {
  if (value.kind === 'offset') return utcTicks(value);
  return zoneToUtc(value.ticks, resolveTimeZone(sourceZone));
}

export const datetimeFunctions: AnyFunctionDef[] = [
  addFixed('addDays', TICKS_PER_DAY),
  addFixed('addHours', TICKS_PER_HOUR),
  addFixed('addMinutes', TICKS_PER_MINUTE),
  addFixed('addSeconds', TICKS_PER_SECOND),
  eager('addToTime', 3, 4, (args, ctx) => {
    const value = timestampArg('addToTime', args, 0, ctx);
    const amount = intArg('addToTime', args, 1, 'second');
    return output('addToTime', addUnits(value, amount, unitArg('addToTime', args, 2)), args, 3);
  }),
  eager('subtractFromTime', 3, 4, (args, ctx) => {
    const value = timestampArg('subtractFromTime', args, 0, ctx);
    const amount = intArg('subtractFromTime', args, 1, 'second');
    return output('subtractFromTime', addUnits(value, -amount, unitArg('subtractFromTime', args, 2)), args, 3);
  }),
  eager('getFutureTime', 2, 3, (args, ctx) => {
    const amount = intArg('getFutureTime', args, 0, 'first');
    const unit = unitArg('getFutureTime', args, 1);
    return output('getFutureTime', addUnits(nowValue(ctx), amount, unit), args, 2);
  }),
  eager('getPastTime', 2, 3, (args, ctx) => {
    const amount = intArg('getPastTime', args, 0, 'first');
    const unit = unitArg('getPastTime', args, 1);
    return output('getPastTime', addUnits(nowValue(ctx), -amount, unit), args, 2);
  }),
  eager('utcNow', 0, 1, (args, ctx) => output('utcNow', nowValue(ctx), args, 0)),
  eager('convertFromUtc', 2, 3, (args, ctx) => {
    const value = timestampArg('convertFromUtc', args, 0, ctx);
    const destination = stringArg('convertFromUtc', args, 1, 'second');
    const local = utcToZone(utcTicks(value), resolveTimeZone(destination));
    return output('convertFromUtc', convertedValue(local, destination), args, 2);
  }),
  eager('convertToUtc', 2, 3, (args, ctx) => {
    const value = timestampArg('convertToUtc', args, 0, ctx);
    const source = stringArg('convertToUtc', args, 1, 'second');
    const utc = sourceInstant(value, source);
    return output('convertToUtc', { ticks: checkTicks(utc), kind: 'utc', offsetMinutes: 0 }, args, 2);
  }),
  eager('convertTimeZone', 3, 4, (args, ctx) => {
    const value = timestampArg('convertTimeZone', args, 0, ctx);
    const source = stringArg('convertTimeZone', args, 1, 'second');
    const destination = stringArg('convertTimeZone', args, 2, 'third');
    const utc = sourceInstant(value, source);
    const local = utcToZone(utc, resolveTimeZone(destination));
    return output('convertTimeZone', convertedValue(local, destination), args, 3);
  }),
  eager('formatDateTime', 1, 3, (args, ctx) => {
    const value = timestampArg('formatDateTime', args, 0, ctx);
    const format = optionalString('formatDateTime', args, 1, 'second');
    const culture = resolveCulture(optionalString('formatDateTime', args, 2, 'third'));
    return formatDateTime(value, format, culture);
  }),
  eager('parseDateTime', 1, 3, (args, ctx) => {
    const text = stringArg('parseDateTime', args, 0, 'first');
    const culture = resolveCulture(optionalString('parseDateTime', args, 1, 'second'));
    const format = optionalString('parseDateTime', args, 2, 'third');
    const value =
      format === undefined
        ? parseDateTime(text, culture, todayFrom(ctx))
        : parseDateTimeExact(text, format, culture, todayFrom(ctx));
    return formatDateTime(value, 'o', culture);
  }),
  startOf('startOfDay', 'day'),
  startOf('startOfHour', 'hour'),
  startOf('startOfMonth', 'month'),
  eager('dayOfMonth', 1, 1, (args, ctx) => partsOf(timestampArg('dayOfMonth', args, 0, ctx).ticks).day),
  eager('dayOfWeek', 1, 1, (args, ctx) => partsOf(timestampArg('dayOfWeek', args, 0, ctx).ticks).dayOfWeek),
  eager('dayOfYear', 1, 1, (args, ctx) => partsOf(timestampArg('dayOfYear', args, 0, ctx).ticks).dayOfYear),
  eager('dateDifference', 2, 2, (args, ctx) => {
    const start = timestampArg('dateDifference', args, 0, ctx);
    const end = timestampArg('dateDifference', args, 1, ctx);
    return formatTimeSpan(utcTicks(end) - utcTicks(start));
  }),
  eager('ticks', 1, 1, (args, ctx) => {
    const t = timestampArg('ticks', args, 0, ctx).ticks;
    return t <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(t) : t;
  }),
];
