// What both parses share (parse.ts, parse-exact.ts): the fields a text gave, and how they make a
// DateTimeValue.
import { ExpressionError } from '../errors.js';
import { ticksFromParts, type DateKind, type DateTimeValue } from './core.js';

/**
 * `today` supplies the current UTC date for texts that lack date parts ("3/15" takes the
 * current year, a bare time takes today's date); it is only called when needed, so a pure
 * caller without a clock still parses complete timestamps.
 */
export type Today = () => { year: number; month: number; day: number };

export function notADate(text: string): ExpressionError {
  return new ExpressionError('InvalidArgument', `The string '${text}' was not recognized as a valid DateTime.`);
}

export interface Fields {
  year?: number;
  month?: number;
  day?: number;
  hour: number;
  minute: number;
  second: number;
  fraction: number;
  /** Seconds past 59 of the fraction rounding (8+ fractional digits). */
  carry: number;
  kind: DateKind;
  offsetMinutes: number;
}

/** Fields before a text gave any: midnight, no date, no zone. */
export function noFields(): Fields {
  return { hour: 0, minute: 0, second: 0, fraction: 0, carry: 0, kind: 'unspecified', offsetMinutes: 0 };
}

/** Two-digit years as .NET's Gregorian TwoDigitYearMax (2049) reads them. */
export function fullYear(year: number, digits: number): number {
  if (digits > 2) return year;
  return year < 50 ? 2000 + year : 1900 + year;
}

/** Ticks within a second from fractional digits; 8+ digits round to even like Math.Round. */
export function fractionTicks(digits: string): { ticks: number; carry: number } {
  const head = Number(digits.slice(0, 7).padEnd(7, '0'));
  if (digits.length <= 7) return { ticks: head, carry: 0 };
  const rest = digits.slice(7);
  const half = '5'.padEnd(rest.length, '0');
  let ticks = head;
  if (rest > half || (rest === half && head % 2 === 1)) ticks++;
  return ticks === 10_000_000 ? { ticks: 0, carry: 1 } : { ticks, carry: 0 };
}

export function build(text: string, f: Fields, today: Today | undefined): DateTimeValue {
  let { year, month, day } = f;
  if (year === undefined || month === undefined || day === undefined) {
    // .NET CheckDefaultDateTime: nothing of the date → today; otherwise fill the year from
    // today and missing month/day with 1.
    if (month === undefined && day === undefined) {
      if (year === undefined) {
        if (today === undefined) throw noClock();
        ({ year, month, day } = today());
      } else {
        month = 1;
        day = 1;
      }
    } else {
      if (year === undefined) {
        if (today === undefined) throw noClock();
        year = today().year;
      }
      month ??= 1;
      day ??= 1;
    }
  }
  const ticks = ticksFromParts(year, month, day, f.hour, f.minute, f.second, f.fraction);
  if (ticks === undefined) throw notADate(text);
  return { ticks: ticks + BigInt(f.carry) * 10_000_000n, kind: f.kind, offsetMinutes: f.offsetMinutes };
}

export function noClock(): ExpressionError {
  return new ExpressionError('InvalidReference', 'The current time is not available in this context.');
}
