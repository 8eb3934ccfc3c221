/**
 * Reconcile errors of the HelmRelease controller, each with the Ready reason helm-controller reports
 * (`ArtifactFailed`, `ValuesError`, `InstallFailed`, `UpgradeFailed`, `DependencyNotReady`, …) and whether
 * retrying can help before the spec changes.
 */
import { FerryError } from "../../errors/index.ts";

export class HelmReleaseError extends FerryError {
  override name = "HelmReleaseError";
  /** `namespace/name` of the HelmRelease. */
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

export const Reasons = {
  progressing: "Progressing",
  installSucceeded: "InstallSucceeded",
  upgradeSucceeded: "UpgradeSucceeded",
  installFailed: "InstallFailed",
  upgradeFailed: "UpgradeFailed",
  rollbackSucceeded: "RollbackSucceeded",
  uninstallSucceeded: "UninstallSucceeded",
  artifactFailed: "ArtifactFailed",
  valuesError: "ValuesError",
  renderFailed: "RenderFailed",
  dependencyNotReady: "DependencyNotReady",
  suspended: "Suspended",
  invalidChartReference: "InvalidChartReference",
  getLastReleaseFailed: "GetLastReleaseFailed",
  reconciliationFailed: "ReconciliationFailed",
} as const;
