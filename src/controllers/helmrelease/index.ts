/**
 * The HelmRelease controller (helm.toolkit.fluxcd.io/v2), compatible with Flux's helm-controller and the
 * `helm` CLI: charts from an OCIRepository (`chartRef`), values from the spec and ConfigMaps/Secrets,
 * install, upgrade on a new chart version or values, rollback after failed upgrades, uninstall on
 * deletion, chart hooks (pre/post install, upgrade, delete) run as Helm runs them, postRenderers
 * (kustomize patches), drift detection, release records Helm reads (`helm list`, `helm history`,
 * `helm get values`), Ready and Released conditions with `history`. Rendering and release storage live in
 * src/helm. HelmChart/HelmRepository sources and `helm test` hooks are not supported yet.
 */
export { FIELD_MANAGER } from "./action.ts";
export {
  type HelmReleaseController,
  type HelmReleaseControllerOptions,
  helmReleaseController,
} from "./controller.ts";
export { HelmReleaseError, Reasons } from "./errors.ts";
export { releaseNameOf, shortenName } from "./names.ts";
export {
  API_VERSION,
  FINALIZER,
  HelmReleaseReconciler,
  type HelmReleaseReconcilerOptions,
  KIND,
} from "./reconciler.ts";
export { helmReleaseSetup } from "./setup.ts";
export { setPath } from "./values.ts";
