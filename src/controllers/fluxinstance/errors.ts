/**
 * Reconcile errors of the FluxInstance controller. Each carries the Ready reason flux-operator reports
 * (`BuildFailed`, `ReconciliationFailed`, …) and whether retrying can help (`stalled`: only a spec change can).
 */
import { ReconcileError } from "../../runtime/index.ts";

export class FluxInstanceError extends ReconcileError {
  override name = "FluxInstanceError";
}
