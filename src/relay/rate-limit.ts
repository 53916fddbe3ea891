import type { Clock } from '../shared/clock.js';

/** Token bucket: `rate` tokens a second, at most `burst` saved up. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  /**
   * Take n tokens if there are enough; otherwise take none. A request larger
   * than the burst is admitted when the bucket is full, leaving it in debt
   * (so it is not refused forever, and the average rate still holds).
   */
  take(n: number): boolean {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    const enough = n <= this.tokens || (n > this.burst && this.tokens >= this.burst);
    if (!enough) return false;
    this.tokens -= n;
    return true;
  }

  /** Seconds until the request can pass (for Retry-After). */
  waitSeconds(n: number): number {
    return Math.max(1, Math.ceil((Math.min(n, this.burst) - this.tokens) / this.rate));
  }
}

/** One bucket per source (Alertmanager, PagerDuty, native), made on first use. */
export class SourceBuckets<K> {
  private readonly buckets = new Map<K, TokenBucket>();
  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {}

  get(key: K): TokenBucket {
    let b = this.buckets.get(key);
    if (!b) {
      b = new TokenBucket(this.rate, this.burst, this.clock);
      this.buckets.set(key, b);
    }
    return b;
  }
}
