import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WorkflowContext } from '../context.js';
import { ExpressionError } from '../errors.js';
import type { Value } from '../values.js';
import { datetimeFunctions } from './datetime.js';
import type { FunctionDef } from './types.js';

/** Calls one of our functions directly, with a fixed clock unless `ctx` says otherwise. */
function call(name: string, args: Value[], ctx: WorkflowContext = { now: () => Date.UTC(2018, 2, 1) }): Value {
  const def = datetimeFunctions.find((f) => f.name.toLowerCase() === name.toLowerCase()) as FunctionDef | undefined;
  if (def === undefined) throw new Error(`no function ${name}`);
  assert.ok(args.length >= def.minArgs && args.length <= def.maxArgs, `arity of ${name}`);
  return def.impl(args, ctx);
}

type Case = [name: string, args: Value[], expected: Value];

const show = (v: Value): string => (typeof v === 'bigint' ? `${v}` : JSON.stringify(v));

function table(title: string, cases: Case[], ctx?: WorkflowContext): void {
  describe(title, () => {
    for (const [name, args, expected] of cases) {
      it(`${name}(${args.map(show).join(', ')}) → ${show(expected)}`, () => {
        assert.deepEqual(call(name, args, ctx), expected);
      });
    }
  });
}

function errors(
  title: string,
  cases: Array<[name: string, args: Value[], code?: string]>,
  ctx?: WorkflowContext,
): void {
  describe(title, () => {
    for (const [name, args, code] of cases) {
      it(`${name}(${args.map(show).join(', ')}) fails`, () => {
        assert.throws(
          () => call(name, args, ctx),
          (e: unknown) => e instanceof ExpressionError && e.code === (code ?? 'InvalidArgument'),
        );
      });
    }
  });
}

table('documented examples (Logic Apps function reference)', [
  ['addDays', ['2018-03-15T00:00:00Z', 10], '2018-03-25T00:00:00.0000000Z'],
  ['addDays', ['2018-03-15T00:00:00Z', -5], '2018-03-10T00:00:00.0000000Z'],
  ['addHours', ['2018-03-15T00:00:00Z', 10], '2018-03-15T10:00:00.0000000Z'],
  ['addHours', ['2018-03-15T15:00:00Z', -5], '2018-03-15T10:00:00.0000000Z'],
  ['addMinutes', ['2018-03-15T00:10:00Z', 10], '2018-03-15T00:20:00.0000000Z'],
  ['addMinutes', ['2018-03-15T00:20:00Z', -5], '2018-03-15T00:15:00.0000000Z'],
  ['addSeconds', ['2018-03-15T00:00:00Z', 10], '2018-03-15T00:00:10.0000000Z'],
  ['addSeconds', ['2018-03-15T00:00:30Z', -5], '2018-03-15T00:00:25.0000000Z'],
  ['addToTime', ['2018-01-01T00:00:00Z', 1, 'Day'], '2018-01-02T00:00:00.0000000Z'],
  ['addToTime', ['2018-01-01T00:00:00Z', 1, 'Day', 'D'], 'Tuesday, January 2, 2018'],
  ['convertFromUtc', ['2018-01-01T08:00:00.0000000Z', 'Pacific Standard Time'], '2018-01-01T00:00:00.0000000'],
  ['convertFromUtc', ['2018-01-01T08:00:00.0000000Z', 'Pacific Standard Time', 'D'], 'Monday, January 1, 2018'],
  ['convertTimeZone', ['2018-01-01T08:00:00.0000000Z', 'UTC', 'Pacific Standard Time'], '2018-01-01T00:00:00.0000000'],
  ['convertTimeZone', ['2018-01-01T08:00:00.0000000Z', 'UTC', 'Pacific Standard Time', 'D'], 'Monday, January 1, 2018'],
  ['convertToUtc', ['01/01/2018 00:00:00', 'Pacific Standard Time'], '2018-01-01T08:00:00.0000000Z'],
  ['convertToUtc', ['01/01/2018 00:00:00', 'Pacific Standard Time', 'D'], 'Monday, January 1, 2018'],
  ['dateDifference', ['2015-02-08', '2018-07-30'], '1268.00:00:00'],
  ['dayOfMonth', ['2018-03-15T13:27:36Z'], 15],
  ['dayOfWeek', ['2018-03-15T13:27:36Z'], 4],
  ['dayOfYear', ['2018-03-15T13:27:36Z'], 74],
  ['formatDateTime', ['03/15/2018'], '2018-03-15T00:00:00.0000000'],
  ['formatDateTime', ['03/15/2018 12:00:00', 'yyyy-MM-ddTHH:mm:ss'], '2018-03-15T12:00:00'],
  ['formatDateTime', ['01/31/2016', 'dddd MMMM d'], 'Sunday January 31'],
  ['formatDateTime', ['01/31/2016', 'dddd MMMM d', 'fr-fr'], 'dimanche janvier 31'],
  ['formatDateTime', ['01/31/2016', 'dddd MMMM d', 'fr-FR'], 'dimanche janvier 31'],
  ['formatDateTime', ['01/31/2016', 'dddd MMMM d', 'es-es'], 'domingo enero 31'],
  ['parseDateTime', ['20/10/2014', 'fr-fr'], '2014-10-20T00:00:00.0000000'],
  ['parseDateTime', ['20 octobre 2010', 'fr-FR'], '2010-10-20T00:00:00.0000000'],
  ['parseDateTime', ['martes 20 octubre 2020', 'es-es'], '2020-10-20T00:00:00.0000000'],
  ['parseDateTime', ['21052019', 'fr-fr', 'ddMMyyyy'], '2019-05-21T00:00:00.0000000'],
  ['parseDateTime', ['20190521', 'fr-fr', 'yyyyMMdd'], '2019-05-21T00:00:00.0000000'],
  ['parseDateTime', ['10/20/2014 15h', 'en-US', 'MM/dd/yyyy HH\\h'], '2014-10-20T15:00:00.0000000'],
  ['startOfDay', ['2018-03-15T13:30:30Z'], '2018-03-15T00:00:00.0000000Z'],
  ['startOfHour', ['2018-03-15T13:30:30Z'], '2018-03-15T13:00:00.0000000Z'],
  ['startOfMonth', ['2018-03-15T13:30:30Z'], '2018-03-01T00:00:00.0000000Z'],
  ['startOfMonth', ['2018-03-15T13:30:30Z', 'yyyy-MM-dd'], '2018-03-01'],
  ['subtractFromTime', ['2018-01-02T00:00:00Z', 1, 'Day'], '2018-01-01T00:00:00.0000000Z'],
  ['subtractFromTime', ['2018-01-02T00:00:00Z', 1, 'Day', 'D'], 'Monday, January 1, 2018'],
  ['ticks', ['2018-03-15T00:00:00Z'], 636566688000000000n],
]);

table(
  'clock-relative functions read ctx.now()',
  [
    ['getFutureTime', [5, 'Day'], '2018-03-06T00:00:00.0000000Z'],
    ['getFutureTime', [5, 'Day', 'D'], 'Tuesday, March 6, 2018'],
    ['getFutureTime', [1, 'month'], '2018-04-01T00:00:00.0000000Z'],
    ['utcNow', [], '2018-03-01T00:00:00.0000000Z'],
    ['utcNow', ['D'], 'Thursday, March 1, 2018'],
    ['utcNow', ['yyyy'], '2018'],
  ],
  { now: () => Date.UTC(2018, 2, 1) },
);

table(
  'getPastTime documented example',
  [
    ['getPastTime', [5, 'Day'], '2018-01-27T00:00:00.0000000Z'],
    ['getPastTime', [5, 'Day', 'D'], 'Saturday, January 27, 2018'],
  ],
  { now: () => Date.UTC(2018, 1, 1) },
);

table('utcNow keeps milliseconds of the clock', [['utcNow', [], '2025-09-25T05:18:31.3380000Z']], {
  now: () => Date.UTC(2025, 8, 25, 5, 18, 31, 338),
});

table('input kind drives the output suffix; 7-digit fractions survive', [
  ['formatDateTime', ['2018-03-15T13:27:36.1234567Z'], '2018-03-15T13:27:36.1234567Z'],
  ['formatDateTime', ['2018-03-15T13:27:36.1234567'], '2018-03-15T13:27:36.1234567'],
  ['formatDateTime', ['2018-03-15T13:27:36.1234567+05:30'], '2018-03-15T13:27:36.1234567+05:30'],
  ['formatDateTime', ['2018-03-15T13:27:36-08:00', 'K|zzz|zz|z'], '-08:00|-08:00|-08|-8'],
  ['formatDateTime', ['2018-03-15T13:27:36Z', 'K|zzz'], 'Z|+00:00'],
  ['formatDateTime', ['2018-03-15T13:27:36', '[K]'], '[]'],
  ['addSeconds', ['2018-03-15T13:27:36.1234567Z', 1], '2018-03-15T13:27:37.1234567Z'],
  ['addHours', ['2018-03-15T23:00:00+02:00', 2], '2018-03-16T01:00:00.0000000+02:00'],
  ['formatDateTime', ['2018-03-15T13:27:36.123456789Z'], '2018-03-15T13:27:36.1234568Z'],
  ['formatDateTime', ['2018-03-15T13:27:36.12Z', 'fffffff'], '1200000'],
  ['formatDateTime', ['2018-03-15'], '2018-03-15T00:00:00.0000000'],
  ['formatDateTime', ['2018-03-15 13:27'], '2018-03-15T13:27:00.0000000'],
  ['ticks', ['0001-01-01T00:00:00Z'], 0],
  ['ticks', ['2018-03-15T13:27:36.1234567Z'], 636567172561234567n],
  ['ticks', ['9999-12-31T23:59:59.9999999Z'], 3155378975999999999n],
]);

table('calendar arithmetic (AddMonths clamps the day)', [
  ['addToTime', ['2018-01-31T00:00:00Z', 1, 'Month'], '2018-02-28T00:00:00.0000000Z'],
  ['addToTime', ['2020-01-31T10:00:00Z', 1, 'month'], '2020-02-29T10:00:00.0000000Z'],
  ['addToTime', ['2020-02-29T00:00:00Z', 1, 'Year'], '2021-02-28T00:00:00.0000000Z'],
  ['addToTime', ['2018-03-31T00:00:00Z', -1, 'MONTH'], '2018-02-28T00:00:00.0000000Z'],
  ['addToTime', ['2018-01-01T00:00:00Z', 2, 'Week'], '2018-01-15T00:00:00.0000000Z'],
  ['addToTime', ['2018-01-01T00:00:00Z', 90, 'second'], '2018-01-01T00:01:30.0000000Z'],
  ['addToTime', ['2018-01-01T00:00:00Z', 90, 'Minute'], '2018-01-01T01:30:00.0000000Z'],
  ['addToTime', ['2018-01-01T00:00:00Z', 25, 'hour'], '2018-01-02T01:00:00.0000000Z'],
  ['addToTime', ['2018-01-01T00:00:00Z', 13, 'month'], '2019-02-01T00:00:00.0000000Z'],
  ['subtractFromTime', ['2018-03-31T00:00:00Z', 1, 'Month'], '2018-02-28T00:00:00.0000000Z'],
  ['subtractFromTime', ['2018-01-01T00:00:00Z', 1, 'Year', 'yyyy-MM-dd'], '2017-01-01'],
  ['subtractFromTime', ['2018-01-08T00:00:00Z', 1, 'week'], '2018-01-01T00:00:00.0000000Z'],
  ['addDays', ['2016-02-28', 1], '2016-02-29T00:00:00.0000000'],
  ['addDays', ['2018-12-31T23:59:59Z', 1, 'yyyy-MM-dd'], '2019-01-01'],
]);

table('day numbers', [
  ['dayOfWeek', ['2018-03-18'], 0],
  ['dayOfWeek', ['2018-03-17T23:59:59Z'], 6],
  ['dayOfYear', ['2016-12-31'], 366],
  ['dayOfYear', ['2018-01-01'], 1],
  ['dayOfMonth', ['2018-02-28T23:00:00-05:00'], 28],
]);

table('dateDifference prints a .NET TimeSpan', [
  ['dateDifference', ['2018-07-30', '2015-02-08'], '-1268.00:00:00'],
  ['dateDifference', ['2018-01-01T00:00:00Z', '2018-01-01T01:02:03Z'], '01:02:03'],
  ['dateDifference', ['2018-01-01T00:00:00Z', '2018-01-02T00:00:00.5Z'], '1.00:00:00.5000000'],
  ['dateDifference', ['2018-01-01T00:00:00Z', '2018-01-01T00:00:00Z'], '00:00:00'],
  ['dateDifference', ['2018-01-01T00:00:00+01:00', '2018-01-01T00:00:00Z'], '01:00:00'],
  ['dateDifference', ['2018-01-01T00:00:01Z', '2018-01-01T00:00:00.9999999Z'], '-00:00:00.0000001'],
]);

table('time zones: Windows IDs, IANA names, DST transitions', [
  // US spring forward 2018-03-11 02:00 PST → 03:00 PDT (10:00Z).
  ['convertFromUtc', ['2018-03-11T09:59:59Z', 'Pacific Standard Time'], '2018-03-11T01:59:59.0000000'],
  ['convertFromUtc', ['2018-03-11T10:00:00Z', 'Pacific Standard Time'], '2018-03-11T03:00:00.0000000'],
  // US fall back 2018-11-04 02:00 PDT → 01:00 PST (09:00Z).
  ['convertFromUtc', ['2018-11-04T08:30:00Z', 'Pacific Standard Time'], '2018-11-04T01:30:00.0000000'],
  ['convertFromUtc', ['2018-11-04T09:30:00Z', 'Pacific Standard Time'], '2018-11-04T01:30:00.0000000'],
  // An ambiguous wall-clock time is read as standard time, as TimeZoneInfo does.
  ['convertToUtc', ['2018-11-04T01:30:00', 'Pacific Standard Time'], '2018-11-04T09:30:00.0000000Z'],
  ['convertToUtc', ['2018-07-01T12:00:00', 'pacific standard time'], '2018-07-01T19:00:00.0000000Z'],
  // EU: 2018-03-25 01:00Z spring forward, 2018-10-28 01:00Z fall back.
  ['convertFromUtc', ['2018-03-25T00:59:59Z', 'W. Europe Standard Time'], '2018-03-25T01:59:59.0000000'],
  ['convertFromUtc', ['2018-03-25T01:00:00Z', 'W. Europe Standard Time'], '2018-03-25T03:00:00.0000000'],
  ['convertFromUtc', ['2018-10-28T00:30:00Z', 'W. Europe Standard Time'], '2018-10-28T02:30:00.0000000'],
  ['convertFromUtc', ['2018-10-28T01:30:00Z', 'W. Europe Standard Time'], '2018-10-28T02:30:00.0000000'],
  ['convertToUtc', ['2018-10-28T02:30:00', 'W. Europe Standard Time'], '2018-10-28T01:30:00.0000000Z'],
  [
    'convertTimeZone',
    ['2018-06-01T12:00:00', 'W. Europe Standard Time', 'Pacific Standard Time'],
    '2018-06-01T03:00:00.0000000',
  ],
  [
    'convertTimeZone',
    ['2018-03-20T12:00:00', 'W. Europe Standard Time', 'Pacific Standard Time'],
    '2018-03-20T04:00:00.0000000',
  ],
  ['convertTimeZone', ['2018-01-01T00:00:00', 'India Standard Time', 'UTC'], '2017-12-31T18:30:00.0000000Z'],
  ['convertTimeZone', ['2018-01-01T00:00:00Z', 'UTC', 'India Standard Time', 'HH:mm'], '05:30'],
  ['convertFromUtc', ['2018-01-01T00:00:00Z', 'UTC'], '2018-01-01T00:00:00.0000000Z'],
  ['convertFromUtc', ['2018-01-01T00:00:00Z', 'Europe/Paris'], '2018-01-01T01:00:00.0000000'],
  ['convertFromUtc', ['2018-07-01T00:00:00+02:00', 'UTC'], '2018-06-30T22:00:00.0000000Z'],
  ['convertToUtc', ['2018-07-01T00:00:00', 'America/New_York'], '2018-07-01T04:00:00.0000000Z'],
  ['convertFromUtc', ['2018-07-01T00:00:00.1234567Z', 'Tokyo Standard Time'], '2018-07-01T09:00:00.1234567'],
]);

errors('invalid input is an error', [
  ['convertTimeZone', ['2018-01-01T80:00:00.0000000Z', 'UTC', 'Pacific Standard Time', 'D']],
  ['addDays', ['not a date', 1]],
  ['addDays', ['2018-02-30', 1]],
  ['addDays', [42, 1]],
  ['addDays', ['2018-01-01', '1']],
  ['addDays', ['2018-01-01', 1.5]],
  ['addDays', ['9999-12-31', 1]],
  ['addToTime', ['2018-01-01', 1, 'Fortnight']],
  ['addToTime', ['2018-01-01', 1, 'Days']],
  ['subtractFromTime', ['0001-01-01', 1, 'Year']],
  ['formatDateTime', ['2018-01-01', 'Q']],
  ['formatDateTime', ['2018-01-01', 'ffffffff']],
  ['formatDateTime', ['2018-01-01', "yyyy 'open"]],
  ['formatDateTime', ['2018-01-01', 'yyyy\\']],
  ['formatDateTime', ['2018-01-01', '%']],
  ['formatDateTime', ['2018-01-01', 'd', 'xx-NOPE']],
  ['convertFromUtc', ['2018-01-01', 'Mars Standard Time']],
  ['convertToUtc', ['2018-03-11T02:30:00', 'Pacific Standard Time']],
  ['convertToUtc', ['2018-03-25T02:30:00', 'W. Europe Standard Time']],
  ['parseDateTime', ['2019-05-21', 'fr-fr', 'ddMMyyyy']],
  ['parseDateTime', ['15/03/2018', 'en-US']],
  ['dayOfWeek', [null]],
]);

errors(
  'without a clock, now-based functions fail with InvalidReference',
  [
    ['utcNow', [], 'InvalidReference'],
    ['getFutureTime', [1, 'Day'], 'InvalidReference'],
    ['getPastTime', [1, 'Day'], 'InvalidReference'],
  ],
  {},
);
