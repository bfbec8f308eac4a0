/**
 * Starts per minute per connection (spec §13.2: 70): a token bucket per key, refilled continuously.
 * (The trigger limiter in http/ has the same shape; desktop/ does not reach into http/.)
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number,
  ) {}

  /** Takes one token for `key`; false when none is left. A limit of 0 is no limit. */
  take(key: string): boolean {
    if (this.perMinute <= 0) return true;
    const t = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: t };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + ((t - bucket.at) * this.perMinute) / 60_000);
    bucket.at = t;
    if (this.buckets.size > 10_000) this.buckets.clear();
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
