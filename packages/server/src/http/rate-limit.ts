/**
 * Per-flow rate limit for trigger calls: a token bucket per flow id (refilled continuously), so
 * one noisy caller cannot starve the other flows. Over the limit the caller gets 429. A limit of 0
 * turns it off.
 */
/**
 * Trigger calls per flow per minute when FLOWBRIDGE_TRIGGER_RATE_LIMIT is not set: none, as Logic
 * Apps Standard (the self-hosted runtime) and the peers set none; only a caller given a signed URL
 * gets this far. An operator who shares a server between teams sets one.
 */
export const DEFAULT_TRIGGER_RATE_LIMIT = 0;

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token for `key`; false when none is left. */
  take(key: string): boolean {
    if (this.perMinute <= 0) return true; // 0: no limit
    const now = this.now();
    const capacity = this.perMinute;
    const bucket = this.buckets.get(key) ?? { tokens: capacity, at: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) * capacity) / 60_000);
    bucket.at = now;
    if (this.buckets.size > 10_000) this.buckets.clear();
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Seconds until the next token (for Retry-After). */
  retryAfter(key: string): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return 0;
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * 60) / this.perMinute));
  }
}
