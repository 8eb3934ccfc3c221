/**
 * Reconcile errors of the ResourceSet and ResourceSetInputProvider controllers. Each carries the Ready
 * reason flux-operator reports (`BuildFailed`, `ReconciliationFailed`, `InvalidCELExpression`, …) and
 * whether retrying can help (`stalled`: only a spec change can).
 */
import { ReconcileError } from "../../runtime/index.ts";

export class ResourceSetError extends ReconcileError {
  override name = "ResourceSetError";
}
