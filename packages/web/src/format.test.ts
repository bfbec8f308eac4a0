import { test } from 'node:test';
import assert from 'node:assert/strict';
import { duration, formatMs, isActive, isSecured, statusTone } from './format.js';

test('durations read as people say them', () => {
  const cases: Array<[number, string]> = [
    [0, '0 ms'],
    [340, '340 ms'],
    [1234, '1.2 s'],
    [12_400, '12 s'],
    [125_000, '2 min 5 s'],
    [3_780_000, '1 h 3 min'],
  ];
  for (const [ms, text] of cases) assert.equal(formatMs(ms), text, String(ms));
  assert.equal(duration('2026-01-01T00:00:00Z', '2026-01-01T00:00:01.500Z'), '1.5 s');
  assert.equal(duration('2026-01-01T00:00:00Z', null, Date.parse('2026-01-01T00:00:02Z')), '2.0 s');
  assert.equal(duration(undefined, null), '');
});

test('status tones and activity', () => {
  const cases: Array<[string, string]> = [
    ['Succeeded', 'ok'],
    ['Failed', 'bad'],
    ['TimedOut', 'bad'],
    ['Running', 'busy'],
    ['Waiting', 'busy'],
    ['Cancelled', 'warn'],
    ['Skipped', 'idle'],
    ['Whatever', 'idle'],
  ];
  for (const [status, tone] of cases) assert.equal(statusTone(status), tone, status);
  assert.deepEqual(['Running', 'Waiting', 'Succeeded', 'Failed'].map(isActive), [true, true, false, false]);
  assert.equal(isSecured('*** secured ***'), true);
  assert.equal(isSecured({ a: 1 }), false);
});
