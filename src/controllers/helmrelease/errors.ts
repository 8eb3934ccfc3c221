/**
 * Reconcile errors of the HelmRelease controller, each with the Ready reason helm-controller reports
 * (`ArtifactFailed`, `ValuesError`, `InstallFailed`, `UpgradeFailed`, `DependencyNotReady`, …) and whether
 * retrying can help before the spec changes.
 */
import { ReconcileError } from "../../runtime/index.ts";

export class HelmReleaseError extends ReconcileError {
  override name = "HelmReleaseError";
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
