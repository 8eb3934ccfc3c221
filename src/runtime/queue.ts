/**
 * A rate-limited work queue keyed by object, with controller-runtime's guarantees: a key is queued at most
 * once (de-duplication), a key being processed is never handed to a second worker (it is re-queued when
 * `done` is called if it was added meanwhile), delayed adds, and per-item backoff plus an overall limit.
 */
import { ItemBackoff, jitter, TokenBucket } from "./backoff.ts";
import { QueueShutDownError } from "./errors.ts";

export interface WorkQueueOptions {
  /** Name for metrics and errors. */
  name: string;
  /** Per-item backoff (default 5 ms doubling up to 1000 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Overall limit on rate-limited adds (default 10/s, burst 100). */
  ratePerSecond?: number;
  burst?: number;
  /** Jitter factor for `addAfter` (default 0.1 → up to +10 %). */
  jitterFactor?: number;
}

export class WorkQueue<K = string> {
  readonly name: string;
  private readonly queue: K[] = [];
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly timers = new Map<K, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiters: Array<(v: K | undefined) => void> = [];
  private readonly backoff: ItemBackoff<K>;
  private readonly bucket: TokenBucket;
  private readonly jitterFactor: number;
  private shuttingDown = false;

  constructor(opts: WorkQueueOptions) {
    this.name = opts.name;
    this.backoff = new ItemBackoff<K>({ baseMs: opts.baseDelayMs, maxMs: opts.maxDelayMs });
    this.bucket = new TokenBucket({ ratePerSecond: opts.ratePerSecond, burst: opts.burst });
    this.jitterFactor = opts.jitterFactor ?? 0.1;
  }

  /** Queued (not processing, not waiting on a timer) items. */
  get length(): number {
    return this.queue.length;
  }

  /** Items waiting for a delayed add. */
  get waiting(): number {
    return this.timers.size;
  }

  get inFlight(): number {
    return this.processing.size;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // picked up again by done()
    const w = this.waiters.shift();
    if (w) {
      this.dirty.delete(key);
      this.processing.add(key);
      w(key);
      return;
    }
    this.queue.push(key);
  }

  /** Adds after `ms` (plus jitter); an earlier pending delayed add for the key wins. */
  addAfter(key: K, ms: number, opts: { jitter?: boolean } = {}): void {
    if (this.shuttingDown) return;
    const delay = opts.jitter === false ? ms : jitter(ms, this.jitterFactor);
    if (delay <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + delay;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delay);
    this.timers.set(key, { at, timer });
  }

  /** Adds after the key's backoff or the overall limit's wait, whichever is longer. */
  addRateLimited(key: K): number {
    const delay = Math.max(this.backoff.next(key), this.bucket.reserve());
    this.addAfter(key, delay, { jitter: false });
    return delay;
  }

  /** Clears the key's failure count (after a success or a terminal error). */
  forget(key: K): void {
    this.backoff.forget(key);
  }

  retries(key: K): number {
    return this.backoff.retries(key);
  }

  /** Waits for the next key; rejects with QueueShutDownError once shut down and drained, or when aborted. */
  get(signal?: AbortSignal): Promise<K> {
    const k = this.queue.shift();
    if (k !== undefined) {
      this.dirty.delete(k);
      this.processing.add(k);
      return Promise.resolve(k);
    }
    if (this.shuttingDown) return Promise.reject(new QueueShutDownError(this.name));
    return new Promise<K>((resolve, reject) => {
      const waiter = (v: K | undefined) => {
        signal?.removeEventListener("abort", onAbort);
        if (v === undefined) reject(new QueueShutDownError(this.name));
        else resolve(v);
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal?.reason);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Marks the key finished; if it was added while processing, it goes back in the queue. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  /** Stops accepting keys, cancels delayed adds and wakes idle workers; queued keys are dropped. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
    this.queue.length = 0;
    this.dirty.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }
}
