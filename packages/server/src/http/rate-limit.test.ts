import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TRIGGER_RATE_LIMIT, RateLimiter } from './rate-limit.js';

test('each flow has its own bucket; tokens come back over the minute; Retry-After says when', () => {
  let now = 0;
  const limiter = new RateLimiter(60, () => now);
  for (let i = 0; i < 60; i++) assert.equal(limiter.take('a'), true);
  assert.equal(limiter.take('a'), false);
  assert.equal(limiter.retryAfter('a'), 1);
  assert.equal(limiter.take('b'), true, 'another flow is not affected');
  now += 1000; // one token per second at 60/min
  assert.equal(limiter.take('a'), true);
  assert.equal(limiter.take('a'), false);
  now += 120_000; // refills to capacity, not beyond
  for (let i = 0; i < 60; i++) assert.equal(limiter.take('a'), true);
  assert.equal(limiter.take('a'), false);
});

test('a limit of 0 turns the rate limit off', () => {
  const limiter = new RateLimiter(0, () => 0);
  for (let i = 0; i < 10_000; i++) assert.equal(limiter.take('a'), true);
});

test('with no limit configured (FLOWBRIDGE_TRIGGER_RATE_LIMIT unset), no call is refused', () => {
  let now = 0;
  const limiter = new RateLimiter(DEFAULT_TRIGGER_RATE_LIMIT, () => now);
  for (let i = 0; i < 10_000; i++) assert.equal(limiter.take('a'), true);
  now += 1; // a burst within one millisecond, then more
  for (let i = 0; i < 10_000; i++) assert.equal(limiter.take('a'), true);
});
