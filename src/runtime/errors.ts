/** Errors of the controller runtime. */
import { FerryError } from "../errors/index.ts";

/**
 * Thrown by a reconciler when retrying cannot help (invalid spec, missing reference the user must fix):
 * the key is dropped from the queue instead of being retried with backoff.
 */
export class TerminalError extends FerryError {
  override name = "TerminalError";
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
