import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isoTime } from './timing.js';

const reference = (ms: number): string => `${new Date(ms).toISOString().slice(0, -1)}0000Z`;

describe('isoTime', () => {
  it('writes what toISOString writes, with seven fractional digits', () => {
    const samples = [
      0, 1, 999, 1000, 59_999, 3_599_999, 86_399_999, 86_400_000, 1_735_689_600_000, 1_735_689_600_001,
      1_735_775_999_999, 1_735_776_000_000, 951_782_400_000, 253_402_300_799_999, 253_402_300_800_000, -1, -86_400_001,
      1.5, 1_735_689_600_123.9,
    ];
    for (let i = 0; i < 2000; i++) samples.push(Math.floor(1_700_000_000_000 + i * 37_123_457.3));
    for (const ms of samples) assert.deepEqual([ms, isoTime(ms)], [ms, reference(ms)]);
  });

  it('gives the same text again for the same instant, also after other days', () => {
    const a = isoTime(1_735_689_600_042);
    isoTime(1_800_000_000_000);
    assert.equal(isoTime(1_735_689_600_042), a);
    assert.equal(a, '2025-01-01T00:00:00.0420000Z');
  });
});
