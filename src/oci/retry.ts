/** Backoff policy for idempotent registry requests: exponential with full jitter, honouring Retry-After. */
import { setTimeout as sleep } from "node:timers/promises";

export interface RetryOptions {
  /** Total attempts including the first. Default 4. */
  maxAttempts?: number;
  /** First backoff step. Default 200 ms. */
  baseDelayMs?: number;
  /** Cap on any single wait, including Retry-After. Default 10 s. */
  maxDelayMs?: number;
}

export const defaultRetry: Required<RetryOptions> = { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 10_000 };

/** HTTP statuses worth another try: throttling and server-side failures (not 501 Not Implemented). */
export function isRetriableStatus(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status !== 501 && status !== 505);
}

/** Connection-level failures worth another try. A refused connection is not: nothing listens there. */
const retriableCodes = new Set([
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
]);

export function isRetriableNetworkCode(code: string | undefined): boolean {
  return code !== undefined && retriableCodes.has(code);
}

/** Milliseconds from a Retry-After header (seconds or HTTP date), or undefined. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const s = value.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** Wait before attempt `attempt + 1` (attempt counts from 0). */
export function backoffDelay(attempt: number, policy: Required<RetryOptions>, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/** Sleeps `ms`; an abort rejects with the signal's own reason (not a generic AbortError). */
export async function wait(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, signal ? { signal } : {});
  } catch (err) {
    signal?.throwIfAborted();
    throw err;
  }
}
