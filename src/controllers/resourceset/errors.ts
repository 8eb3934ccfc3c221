/**
 * Reconcile errors of the ResourceSet and ResourceSetInputProvider controllers. Each carries the Ready
 * reason flux-operator reports (`BuildFailed`, `ReconciliationFailed`, `InvalidCELExpression`, …) and
 * whether retrying can help (`stalled`: only a spec change can).
 */
import { FerryError } from "../../errors/index.ts";

export class ResourceSetError extends FerryError {
  override name = "ResourceSetError";
  /** `Kind/namespace/name` of the reconciled object. */
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
