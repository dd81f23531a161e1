// Fixed-window counters kept in process memory. Limits protect a single process from floods;
// they are not billing-grade quotas, so losing them on restart is harmless.
export class RateLimiter {
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Counts one hit; false when the key is over its limit for the current window. */
  hit(key: string, now = Date.now()): boolean {
    if (this.limit <= 0) return true;
    const window = this.windows.get(key);
    if (!window || now - window.startedAt >= this.windowMs) {
      this.sweep(now);
      this.windows.set(key, { startedAt: now, count: 1 });
      return true;
    }
    window.count += 1;
    return window.count <= this.limit;
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  /** Seconds until the key's window ends, for the Retry-After header. */
  retryAfter(key: string, now = Date.now()): number {
    const window = this.windows.get(key);
    return window ? Math.max(1, Math.ceil((window.startedAt + this.windowMs - now) / 1000)) : 0;
  }

  private sweep(now: number): void {
    if (this.windows.size < 10_000) return;
    for (const [key, window] of this.windows) {
      if (now - window.startedAt >= this.windowMs) this.windows.delete(key);
    }
  }
}
