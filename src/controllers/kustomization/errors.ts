/**
 * Reconcile errors of the Kustomization controller. Each carries the Ready reason kustomize-controller
 * reports it under (`ArtifactFailed`, `BuildFailed`, `ReconciliationFailed`, `PruneFailed`,
 * `HealthCheckFailed`, `DependencyNotReady`, `AccessDenied`), so the status reads as Flux's does; `stalled`
 * marks errors retrying cannot fix until the spec changes.
 */
import { FerryError } from "../../errors/index.ts";

export class KustomizationError extends FerryError {
  override name = "KustomizationError";
  /** `namespace/name` of the Kustomization. */
  readonly object: string;
  /** Flux's Ready reason, e.g. `BuildFailed`. */
  readonly reason: string;
  /** Retrying cannot help until the spec changes (Stalled=True). */
  readonly stalled: boolean;
  /** Reported in status and logs only, without a Warning event (Flux's behaviour for a missing source). */
  readonly quiet: boolean;

  constructor(
    object: string,
    reason: string,
    message: string,
    opts: { cause?: unknown; stalled?: boolean; quiet?: boolean } = {},
  ) {
    super(message, { cause: opts.cause });
    this.object = object;
    this.reason = reason;
    this.stalled = opts.stalled ?? false;
    this.quiet = opts.quiet ?? false;
  }
}

/** Ready reasons as kustomize-controller names them. */
export const Reasons = {
  progressing: "Progressing",
  succeeded: "ReconciliationSucceeded",
  failed: "ReconciliationFailed",
  artifactFailed: "ArtifactFailed",
  buildFailed: "BuildFailed",
  pruneFailed: "PruneFailed",
  healthCheckFailed: "HealthCheckFailed",
  healthCheckCanceled: "HealthCheckCanceled",
  dependencyNotReady: "DependencyNotReady",
  accessDenied: "AccessDenied",
  invalidCEL: "InvalidCELExpression",
} as const;

/** A new source revision arrived while health checks ran: they stop and the object is reconciled again. */
export class HealthCheckCanceledError extends KustomizationError {
  override name = "HealthCheckCanceledError";
  /** `Kind/namespace/name` of what triggered the new reconciliation. */
  readonly trigger: string;
  constructor(object: string, trigger: string, cause?: unknown) {
    super(object, Reasons.healthCheckCanceled, `New reconciliation triggered by ${trigger}`, { cause });
    this.trigger = trigger;
  }
}
