import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isoString } from './iso-time.js';

test('isoString is toISOString: every time of a day, across days and years, and the odd ones', () => {
  const times: number[] = [0, 1, 999, 1000, 59_999, 86_399_999, 86_400_000, 951_782_400_000, 4_102_444_799_999];
  for (let ms = 1_700_000_000_000; ms < 1_700_000_000_000 + 3 * 86_400_000; ms += 997) times.push(ms);
  for (let i = 0; i < 20_000; i++) times.push(Math.floor(Math.random() * 253_402_300_800_000));
  times.push(253_402_300_799_999, 253_402_300_800_000, -1, -86_400_001, 1.5, 1_700_000_000_000.25, 8.64e15);
  for (const ms of times) {
    assert.equal(isoString(ms), new Date(ms).toISOString(), String(ms));
    assert.equal(isoString(ms), new Date(ms).toISOString(), `${ms} again`);
  }
  assert.throws(() => isoString(Number.NaN), RangeError);
  assert.throws(() => isoString(8.64e15 + 1), RangeError);
});
