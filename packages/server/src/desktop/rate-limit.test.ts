import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from './rate-limit.js';

describe('starts per minute per connection', () => {
  it('takes 70 a minute per key, refills over the minute, and 0 is no limit', () => {
    let t = 0;
    const limiter = new RateLimiter(70, () => t);
    const taken = Array.from({ length: 71 }, () => limiter.take('conn'));
    assert.deepEqual([taken.filter(Boolean).length, taken[70]], [70, false]);
    assert.equal(limiter.take('other'), true, 'per key');
    t += 60_000 / 70;
    assert.equal(limiter.take('conn'), true, 'one more after 1/70 of a minute');
    assert.equal(limiter.take('conn'), false);
    const open = new RateLimiter(0, () => t);
    assert.ok(Array.from({ length: 500 }, () => open.take('x')).every(Boolean));
  });
});
