import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOccurrence, nextOccurrence, parseRecurrence, previousOccurrence, type Recurrence } from './recurrence.js';

function parse(raw: unknown): Recurrence {
  const rec = parseRecurrence(raw);
  if ('error' in rec) assert.fail(`${rec.error.target}: ${rec.error.message}`);
  return rec;
}

const ms = (iso: string): number => Date.parse(iso);
const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString().replace('.000Z', 'Z'));

/** The next `count` occurrences after `after`. */
function series(raw: unknown, after: string, count: number, anchor?: string): Array<string | null> {
  const rec = parse(raw);
  const out: Array<string | null> = [];
  let t: number | null = ms(after);
  const a = anchor ? ms(anchor) : ms(after);
  for (let i = 0; i < count && t !== null; i++) {
    t = nextOccurrence(rec, a, t);
    out.push(iso(t));
  }
  return out;
}

const next: Array<{ name: string; recurrence: unknown; after: string; anchor?: string; expect: string[] }> = [
  {
    name: 'Second, interval 10',
    recurrence: { frequency: 'Second', interval: 10, startTime: '2024-01-01T00:00:00Z' },
    after: '2024-01-01T00:00:05Z',
    expect: ['2024-01-01T00:00:10Z', '2024-01-01T00:00:20Z', '2024-01-01T00:00:30Z'],
  },
  {
    name: 'Minute, interval 15, anchored at startTime',
    recurrence: { frequency: 'Minute', interval: 15, startTime: '2024-01-01T00:07:00Z' },
    after: '2024-01-01T01:00:00Z',
    expect: ['2024-01-01T01:07:00Z', '2024-01-01T01:22:00Z', '2024-01-01T01:37:00Z'],
  },
  {
    name: 'Hour, interval 5 (elapsed, crosses midnight)',
    recurrence: { frequency: 'Hour', interval: 5, startTime: '2024-01-01T03:00:00Z' },
    after: '2024-01-02T00:00:00Z',
    expect: ['2024-01-02T04:00:00Z', '2024-01-02T09:00:00Z', '2024-01-02T14:00:00Z'],
  },
  {
    name: 'Hour, interval 2, schedule minutes 0 and 30; slots before startTime skipped',
    recurrence: { frequency: 'Hour', interval: 2, startTime: '2024-01-01T01:10:00Z', schedule: { minutes: [30, 0] } },
    after: '2024-01-01T00:00:00Z',
    expect: ['2024-01-01T01:30:00Z', '2024-01-01T03:00:00Z', '2024-01-01T03:30:00Z', '2024-01-01T05:00:00Z'],
  },
  {
    name: 'frequency and keys in any case, interval as a string',
    recurrence: { FREQUENCY: 'day', Interval: '1', STARTTIME: '2024-01-01T08:30:00Z' },
    after: '2024-01-10T09:00:00Z',
    expect: ['2024-01-11T08:30:00Z', '2024-01-12T08:30:00Z'],
  },
  {
    name: 'Day, interval 3',
    recurrence: { frequency: 'Day', interval: 3, startTime: '2024-01-01T08:00:00Z' },
    after: '2024-01-02T00:00:00Z',
    expect: ['2024-01-04T08:00:00Z', '2024-01-07T08:00:00Z'],
  },
  {
    name: 'Day, hours × minutes; the first slot is the first one at or after startTime',
    recurrence: {
      frequency: 'Day',
      interval: 1,
      startTime: '2024-01-01T12:00:00Z',
      schedule: { hours: [17, 8], minutes: [0, 30] },
    },
    after: '2023-12-31T00:00:00Z',
    expect: [
      '2024-01-01T17:00:00Z',
      '2024-01-01T17:30:00Z',
      '2024-01-02T08:00:00Z',
      '2024-01-02T08:30:00Z',
      '2024-01-02T17:00:00Z',
    ],
  },
  {
    name: 'Day, hours only: minutes come from startTime',
    recurrence: { frequency: 'Day', interval: 1, startTime: '2024-01-01T06:45:00Z', schedule: { hours: [9, 18] } },
    after: '2024-01-01T10:00:00Z',
    expect: ['2024-01-01T18:45:00Z', '2024-01-02T09:45:00Z'],
  },
  {
    name: 'Week, Monday and Friday at 9, startTime on a Wednesday',
    recurrence: {
      frequency: 'Week',
      interval: 1,
      startTime: '2024-01-03T00:00:00Z',
      schedule: { weekDays: ['Monday', 'Friday'], hours: [9], minutes: [0] },
    },
    after: '2024-01-01T00:00:00Z',
    expect: ['2024-01-05T09:00:00Z', '2024-01-08T09:00:00Z', '2024-01-12T09:00:00Z'],
  },
  {
    name: 'Week, interval 2: every other week counted from the startTime week',
    recurrence: {
      frequency: 'Week',
      interval: 2,
      startTime: '2024-01-03T00:00:00Z',
      schedule: { weekDays: ['Friday', 'monday'], hours: [9], minutes: [0] },
    },
    after: '2024-01-01T00:00:00Z',
    expect: ['2024-01-05T09:00:00Z', '2024-01-15T09:00:00Z', '2024-01-19T09:00:00Z', '2024-01-29T09:00:00Z'],
  },
  {
    name: 'Week without schedule: the startTime weekday and time',
    recurrence: { frequency: 'Week', interval: 1, startTime: '2024-01-03T10:00:00Z' },
    after: '2024-01-03T10:00:00Z',
    expect: ['2024-01-10T10:00:00Z', '2024-01-17T10:00:00Z'],
  },
  {
    name: 'Month on the 31st (from startTime): short months skipped',
    recurrence: { frequency: 'Month', interval: 1, startTime: '2024-01-31T06:00:00Z' },
    after: '2024-01-01T00:00:00Z',
    expect: ['2024-01-31T06:00:00Z', '2024-03-31T06:00:00Z', '2024-05-31T06:00:00Z', '2024-07-31T06:00:00Z'],
  },
  {
    name: 'Month, monthDays 31: short months skipped, July and August both fire',
    recurrence: {
      frequency: 'Month',
      interval: 1,
      startTime: '2024-06-01T00:00:00Z',
      schedule: { monthDays: [31], hours: [0], minutes: [0] },
    },
    after: '2024-06-01T00:00:00Z',
    expect: ['2024-07-31T00:00:00Z', '2024-08-31T00:00:00Z', '2024-10-31T00:00:00Z'],
  },
  {
    name: 'Month, interval 2, days 1 and 15 at 06:00',
    recurrence: {
      frequency: 'Month',
      interval: 2,
      startTime: '2024-01-10T00:00:00Z',
      schedule: { monthDays: [15, 1], hours: [6], minutes: [0] },
    },
    after: '2024-01-01T00:00:00Z',
    expect: ['2024-01-15T06:00:00Z', '2024-03-01T06:00:00Z', '2024-03-15T06:00:00Z', '2024-05-01T06:00:00Z'],
  },
  {
    name: 'Month, last day (-1)',
    recurrence: {
      frequency: 'Month',
      interval: 1,
      startTime: '2024-01-01T00:00:00Z',
      schedule: { monthDays: [-1], hours: [0], minutes: [0] },
    },
    after: '2024-01-01T00:00:00Z',
    expect: ['2024-01-31T00:00:00Z', '2024-02-29T00:00:00Z', '2024-03-31T00:00:00Z', '2024-04-30T00:00:00Z'],
  },
  {
    name: 'Month, monthlyOccurrences: first Monday and last Friday',
    recurrence: {
      frequency: 'Month',
      interval: 1,
      startTime: '2024-01-01T00:00:00Z',
      schedule: {
        monthlyOccurrences: [
          { day: 'Monday', occurrence: 1 },
          { day: 'Friday', occurrence: -1 },
        ],
        hours: [9],
        minutes: [0],
      },
    },
    after: '2023-12-31T00:00:00Z',
    expect: ['2024-01-01T09:00:00Z', '2024-01-26T09:00:00Z', '2024-02-05T09:00:00Z', '2024-02-23T09:00:00Z'],
  },
  {
    name: 'W. Europe, daily 02:30 local across spring-forward: the missing 02:30 moves to 03:30',
    recurrence: {
      frequency: 'Day',
      interval: 1,
      startTime: '2024-03-29T02:30:00',
      timeZone: 'W. Europe Standard Time',
    },
    after: '2024-03-28T00:00:00Z',
    // 02:30 CET = 01:30Z; on 31 March 02:30 does not exist: 03:30 CEST = 01:30Z; then 02:30 CEST = 00:30Z
    expect: ['2024-03-29T01:30:00Z', '2024-03-30T01:30:00Z', '2024-03-31T01:30:00Z', '2024-04-01T00:30:00Z'],
  },
  {
    name: 'IANA Europe/Berlin behaves as W. Europe Standard Time',
    recurrence: { frequency: 'Day', interval: 1, startTime: '2024-03-29T02:30:00', timeZone: 'Europe/Berlin' },
    after: '2024-03-28T00:00:00Z',
    expect: ['2024-03-29T01:30:00Z', '2024-03-30T01:30:00Z', '2024-03-31T01:30:00Z', '2024-04-01T00:30:00Z'],
  },
  {
    name: 'W. Europe, schedule 02:30 across fall-back: the ambiguous 02:30 fires once (CEST)',
    recurrence: {
      frequency: 'Day',
      interval: 1,
      startTime: '2024-10-25T00:00:00',
      timeZone: 'W. Europe Standard Time',
      schedule: { hours: [2], minutes: [30] },
    },
    after: '2024-10-24T00:00:00Z',
    expect: ['2024-10-25T00:30:00Z', '2024-10-26T00:30:00Z', '2024-10-27T00:30:00Z', '2024-10-28T01:30:00Z'],
  },
  {
    name: 'Pacific, schedule 02:30 across spring-forward',
    recurrence: {
      frequency: 'Day',
      interval: 1,
      startTime: '2024-03-09T00:00:00',
      timeZone: 'Pacific Standard Time',
      schedule: { hours: [2], minutes: [30] },
    },
    after: '2024-03-08T00:00:00Z',
    // 02:30 PST = 10:30Z; 10 March 02:30 → 03:30 PDT = 10:30Z; then 02:30 PDT = 09:30Z
    expect: ['2024-03-09T10:30:00Z', '2024-03-10T10:30:00Z', '2024-03-11T09:30:00Z'],
  },
  {
    name: 'Pacific, schedule 01:30 across fall-back: fires once, at the first 01:30',
    recurrence: {
      frequency: 'Day',
      interval: 1,
      startTime: '2024-11-02T00:00:00',
      timeZone: 'Pacific Standard Time',
      schedule: { hours: [1], minutes: [30] },
    },
    after: '2024-11-01T00:00:00Z',
    expect: ['2024-11-02T08:30:00Z', '2024-11-03T08:30:00Z', '2024-11-04T09:30:00Z'],
  },
  {
    name: 'Pacific, schedule 00:00 and 12:00 keep local time across fall-back',
    recurrence: {
      frequency: 'Week',
      interval: 1,
      startTime: '2024-11-01T00:00:00',
      timeZone: 'Pacific Standard Time',
      schedule: { weekDays: ['Sunday'], hours: [0, 12], minutes: [0] },
    },
    after: '2024-11-01T00:00:00Z',
    expect: ['2024-11-03T07:00:00Z', '2024-11-03T20:00:00Z', '2024-11-10T08:00:00Z'],
  },
  {
    name: 'Pacific, hourly is elapsed time: both 01:00s fire across fall-back',
    recurrence: {
      frequency: 'Hour',
      interval: 1,
      startTime: '2024-11-03T00:00:00',
      timeZone: 'Pacific Standard Time',
    },
    after: '2024-11-03T06:59:00Z',
    expect: ['2024-11-03T07:00:00Z', '2024-11-03T08:00:00Z', '2024-11-03T09:00:00Z', '2024-11-03T10:00:00Z'],
  },
  {
    name: 'India Standard Time (+05:30), daily at 09:00',
    recurrence: {
      frequency: 'Day',
      interval: 1,
      startTime: '2024-01-01T00:00:00',
      timeZone: 'India Standard Time',
      schedule: { hours: [9], minutes: [0] },
    },
    after: '2024-01-01T00:00:00Z',
    expect: ['2024-01-01T03:30:00Z', '2024-01-02T03:30:00Z'],
  },
  {
    name: 'startTime with Z and a time zone: absolute start, local time of day kept',
    recurrence: { frequency: 'Day', interval: 1, startTime: '2024-01-01T00:00:00Z', timeZone: 'Tokyo Standard Time' },
    after: '2024-01-01T00:00:00Z',
    expect: ['2024-01-02T00:00:00Z', '2024-01-03T00:00:00Z'],
  },
  {
    name: 'startTime with an offset is absolute',
    recurrence: { frequency: 'Hour', interval: 1, startTime: '2024-01-01T10:00:00+02:00' },
    after: '2024-01-01T00:00:00Z',
    expect: ['2024-01-01T08:00:00Z', '2024-01-01T09:00:00Z'],
  },
  {
    name: 'startTime in the future: the first run is at startTime',
    recurrence: { frequency: 'Day', interval: 1, startTime: '2030-01-01T08:00:00Z' },
    after: '2024-06-01T00:00:00Z',
    expect: ['2030-01-01T08:00:00Z', '2030-01-02T08:00:00Z'],
  },
  {
    name: 'startTime in the future with a schedule: the first slot at or after it',
    recurrence: { frequency: 'Day', interval: 1, startTime: '2030-01-01T08:00:00Z', schedule: { hours: [6, 20] } },
    after: '2024-06-01T00:00:00Z',
    expect: ['2030-01-01T20:00:00Z', '2030-01-02T06:00:00Z'],
  },
  {
    name: 'no startTime: the anchor stands in (first run at the anchor)',
    recurrence: { frequency: 'Minute', interval: 5 },
    after: '2024-05-05T10:02:59.999Z',
    anchor: '2024-05-05T10:03:00Z',
    expect: ['2024-05-05T10:03:00Z', '2024-05-05T10:08:00Z'],
  },
  {
    name: 'no startTime with a schedule: unspecified minutes from the anchor',
    recurrence: { frequency: 'Day', interval: 1, schedule: { hours: [8] } },
    after: '2024-05-05T10:03:00Z',
    anchor: '2024-05-05T10:03:00Z',
    expect: ['2024-05-06T08:03:00Z', '2024-05-07T08:03:00Z'],
  },
];

for (const c of next) {
  test(`nextOccurrence: ${c.name}`, () => {
    assert.deepEqual(series(c.recurrence, c.after, c.expect.length, c.anchor), c.expect);
  });
}

test('nextOccurrence: a schedule that never happens gives null', () => {
  const rec = parse({
    frequency: 'Month',
    interval: 12,
    startTime: '2024-02-01T00:00:00Z',
    schedule: { monthDays: [30] },
  });
  assert.equal(nextOccurrence(rec, 0, ms('2024-01-01T00:00:00Z')), null);
});

const previous: Array<{ name: string; recurrence: unknown; atOrBefore: string; expect: string | null }> = [
  {
    name: 'elapsed series',
    recurrence: { frequency: 'Minute', interval: 15, startTime: '2024-01-01T00:07:00Z' },
    atOrBefore: '2024-01-01T01:00:00Z',
    expect: '2024-01-01T00:52:00Z',
  },
  {
    name: 'exactly on a slot',
    recurrence: { frequency: 'Minute', interval: 15, startTime: '2024-01-01T00:07:00Z' },
    atOrBefore: '2024-01-01T00:52:00Z',
    expect: '2024-01-01T00:52:00Z',
  },
  {
    name: 'before startTime: none',
    recurrence: { frequency: 'Day', interval: 1, startTime: '2024-01-01T08:00:00Z' },
    atOrBefore: '2024-01-01T07:59:59Z',
    expect: null,
  },
  {
    name: 'Week schedule, looking back over the weekend',
    recurrence: {
      frequency: 'Week',
      interval: 1,
      startTime: '2024-01-03T00:00:00Z',
      schedule: { weekDays: ['Monday', 'Friday'], hours: [9], minutes: [0] },
    },
    atOrBefore: '2024-01-08T08:59:00Z',
    expect: '2024-01-05T09:00:00Z',
  },
  {
    name: 'Month on the 31st, looking back from April',
    recurrence: { frequency: 'Month', interval: 1, startTime: '2024-01-31T06:00:00Z' },
    atOrBefore: '2024-04-30T00:00:00Z',
    expect: '2024-03-31T06:00:00Z',
  },
  {
    name: 'W. Europe fall-back: the ambiguous slot is its first instant',
    recurrence: {
      frequency: 'Day',
      interval: 1,
      startTime: '2024-10-25T00:00:00',
      timeZone: 'W. Europe Standard Time',
      schedule: { hours: [2], minutes: [30] },
    },
    atOrBefore: '2024-10-27T01:45:00Z',
    expect: '2024-10-27T00:30:00Z',
  },
];

for (const c of previous) {
  test(`previousOccurrence: ${c.name}`, () => {
    const rec = parse(c.recurrence);
    assert.equal(iso(previousOccurrence(rec, 0, ms(c.atOrBefore))), c.expect);
  });
}

test('isOccurrence: slots and non-slots', () => {
  const rec = parse({ frequency: 'Day', interval: 2, startTime: '2024-01-01T08:00:00Z' });
  const cases: Array<[string, boolean]> = [
    ['2024-01-01T08:00:00Z', true],
    ['2024-01-03T08:00:00Z', true],
    ['2024-01-02T08:00:00Z', false],
    ['2024-01-03T08:00:01Z', false],
    ['2023-12-30T08:00:00Z', false],
  ];
  for (const [t, expected] of cases) assert.equal(isOccurrence(rec, 0, ms(t)), expected, t);
});

const invalid: Array<{ recurrence: unknown; target: string }> = [
  { recurrence: 'daily', target: '' },
  { recurrence: { frequency: 'Fortnight', interval: 1 }, target: '/frequency' },
  { recurrence: { frequency: 'Day', interval: 0 }, target: '/interval' },
  { recurrence: { frequency: 'Day', interval: 1.5 }, target: '/interval' },
  { recurrence: { frequency: 'Month', interval: 17 }, target: '/interval' },
  { recurrence: { frequency: 'Second', interval: 10_000_000 }, target: '/interval' },
  { recurrence: { frequency: 'Day', interval: 1, timeZone: 'Mars Standard Time' }, target: '/timeZone' },
  { recurrence: { frequency: 'Day', interval: 1, startTime: '2024-13-01T00:00:00' }, target: '/startTime' },
  { recurrence: { frequency: 'Day', interval: 1, startTime: '2024-02-30T00:00:00' }, target: '/startTime' },
  { recurrence: { frequency: 'Day', interval: 1, startTime: 'tomorrow' }, target: '/startTime' },
  { recurrence: { frequency: 'Day', interval: 1, schedule: { hours: [24] } }, target: '/schedule/hours/0' },
  { recurrence: { frequency: 'Day', interval: 1, schedule: { minutes: [0, 60] } }, target: '/schedule/minutes/1' },
  {
    recurrence: { frequency: 'Week', interval: 1, schedule: { weekDays: ['Funday'] } },
    target: '/schedule/weekDays/0',
  },
  { recurrence: { frequency: 'Month', interval: 1, schedule: { monthDays: [0] } }, target: '/schedule/monthDays/0' },
  {
    recurrence: {
      frequency: 'Month',
      interval: 1,
      schedule: { monthlyOccurrences: [{ day: 'Monday', occurrence: 6 }] },
    },
    target: '/schedule/monthlyOccurrences/0',
  },
];

for (const c of invalid) {
  test(`parseRecurrence rejects ${JSON.stringify(c.recurrence)}`, () => {
    const result = parseRecurrence(c.recurrence);
    assert.ok('error' in result, 'expected an error');
    assert.equal(result.error.code, 'InvalidRecurrence');
    assert.equal(result.error.target, c.target);
  });
}

test('parseRecurrence: a startTime without offset is local to the time zone', () => {
  const rec = parse({
    frequency: 'Day',
    interval: 1,
    startTime: '2024-07-01T08:00:00',
    timeZone: 'Pacific Standard Time',
  });
  assert.equal(iso(rec.startTime ?? null), '2024-07-01T15:00:00Z');
  const utc = parse({ frequency: 'Day', interval: 1, startTime: '2024-07-01T08:00:00' });
  assert.equal(iso(utc.startTime ?? null), '2024-07-01T08:00:00Z');
});
