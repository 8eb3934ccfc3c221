/**
 * Reconcile errors of the FluxInstance controller. Each carries the Ready reason flux-operator reports
 * (`BuildFailed`, `ReconciliationFailed`, …) and whether retrying can help (`stalled`: only a spec change can).
 */
import { FerryError } from "../../errors/index.ts";

export class FluxInstanceError extends FerryError {
  override name = "FluxInstanceError";
  /** `namespace/name` of the reconciled FluxInstance. */
  readonly object: string;
  readonly reason: string;
  /** Retrying cannot help until the spec changes (Stalled=True, no retry). */
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
