// Fixed-window call counter: the middleware's limit on unauthenticated calls per method and client.

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  /** `limit` 0 disables the limit. */
  constructor(
    private readonly limit: number,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one call; false when it exceeds the limit of the current window. */
  hit(key: string): boolean {
    if (this.limit <= 0) return true;
    const t = this.now();
    let window = this.windows.get(key);
    if (!window || t - window.start >= this.windowMs) {
      window = { start: t, count: 0 };
      this.windows.set(key, window);
    }
    window.count += 1;
    return window.count <= this.limit;
  }
}
