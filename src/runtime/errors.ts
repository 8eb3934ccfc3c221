/** Errors of the controller runtime. */
import { FerryError } from "../errors/index.ts";

/**
 * Thrown by a reconciler when retrying cannot help (invalid spec, missing reference the user must fix):
 * the key is dropped from the queue instead of being retried with backoff.
 */
export class TerminalError extends FerryError {
  override name = "TerminalError";
}

/**
 * A failed reconcile attempt of one object: the Ready reason the upstream controller reports and whether
 * retrying can help (`stalled`: only a spec change can, so the object is marked Stalled and not retried).
 * The controllers' own error classes extend it with their name.
 */
export class ReconcileError extends FerryError {
  override name = "ReconcileError";
  /** `namespace/name` (or `Kind/namespace/name`) of the reconciled object. */
  readonly object: string;
  readonly reason: string;
  readonly stalled: boolean;
  constructor(
    object: string,
    reason: string,
    message: string,
    opts: { cause?: unknown; stalled?: boolean } = {},
  ) {
    super(message, { cause: opts.cause });
    this.object = object;
    this.reason = reason;
    this.stalled = opts.stalled ?? false;
  }
}

/** The lease could not be acquired or was lost; the message names the lease. */
export class LeaderElectionError extends FerryError {
  override name = "LeaderElectionError";
  readonly lease: string;
  constructor(lease: string, detail: string, cause?: unknown) {
    super(`leader election on Lease ${lease} failed: ${detail}`, { cause });
    this.lease = lease;
  }
}

/** The work queue was shut down; `get` callers stop. */
export class QueueShutDownError extends FerryError {
  override name = "QueueShutDownError";
  constructor(queue: string) {
    super(`work queue ${queue} is shut down; no more items will be handed out`);
  }
}
