/** Rate limiting for the work queue: per-item exponential backoff, an overall token bucket, and jitter. */

export interface BackoffOptions {
  /** First retry delay (default 5 ms, as controller-runtime). */
  baseMs?: number;
  /** Cap (default 1000 s). */
  maxMs?: number;
}

/** Per-item exponential backoff: base·2^failures, capped; `forget` resets an item. */
export class ItemBackoff<K> {
  private readonly failures = new Map<K, number>();
  private readonly baseMs: number;
  private readonly maxMs: number;

  constructor(opts: BackoffOptions = {}) {
    this.baseMs = opts.baseMs ?? 5;
    this.maxMs = opts.maxMs ?? 1_000_000;
  }

  /** Records a failure and returns how long to wait before the next try. */
  next(key: K): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    return Math.min(this.maxMs, this.baseMs * 2 ** n);
  }

  retries(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: K): void {
    this.failures.delete(key);
  }
}

export interface TokenBucketOptions {
  /** Tokens added per second (default 10, as client-go's default controller rate limiter). */
  ratePerSecond?: number;
  /** Bucket size (default 100). */
  burst?: number;
  /** Clock, for unit tests. */
  now?: () => number;
}

/** Overall limit: `reserve()` returns how long the caller must wait for its token (0 = now). */
export class TokenBucket {
  private readonly rate: number;
  private readonly burst: number;
  private readonly now: () => number;
  private tokens: number;
  private last: number;

  constructor(opts: TokenBucketOptions = {}) {
    this.rate = opts.ratePerSecond ?? 10;
    this.burst = opts.burst ?? 100;
    this.now = opts.now ?? (() => performance.now());
    this.tokens = this.burst;
    this.last = this.now();
  }

  reserve(): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
    this.tokens -= 1;
    if (this.tokens >= 0) return 0;
    return Math.ceil((-this.tokens / this.rate) * 1000);
  }
}

/** `ms` plus up to `factor`·ms of random extra delay, so requeues of many objects spread out. */
export function jitter(ms: number, factor = 0.1, random: () => number = Math.random): number {
  return ms + Math.floor(ms * factor * random());
}

/** Exponential backoff for reconnect loops (watch re-list, lease retries): returns a fresh delay each call. */
export class Backoff {
  private attempt = 0;
  private readonly baseMs: number;
  private readonly maxMs: number;

  constructor(opts: BackoffOptions = {}) {
    this.baseMs = opts.baseMs ?? 200;
    this.maxMs = opts.maxMs ?? 30_000;
  }

  next(): number {
    const d = Math.min(this.maxMs, this.baseMs * 2 ** this.attempt);
    this.attempt++;
    return jitter(d, 0.2);
  }

  reset(): void {
    this.attempt = 0;
  }
}
