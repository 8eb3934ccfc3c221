/**
 * Helm charts in TypeScript: loading (folder with `.helmignore`, packaged `.tgz`, subcharts), values
 * (Helm's coalescing with `global`, null deletion, dependency conditions, tags, aliases and
 * import-values), rendering on Ferry's Go template engine with Helm's built-in objects and functions,
 * manifest sorting into Helm's install order with hooks set apart, and the release record Helm keeps in
 * `sh.helm.release.v1.<name>.v<revision>` Secrets (encode, decode, read and write through src/kube), so
 * the `helm` CLI and Ferry see each other's releases. It does not apply objects or run hooks: that is the
 * HelmRelease reconciler's job (src/controllers/helmrelease). It does not pull charts from repositories.
 */
export type { Capabilities } from "./capabilities.ts";
export { capabilitiesValue, DEFAULT_CAPABILITIES, normalizeKubeVersion } from "./capabilities.ts";
export type { Chart, ChartDependency, ChartFile, ChartMetadata } from "./chart.ts";
export { chartCrds, chartFullPath } from "./chart.ts";
export { isCompatibleRange, processDependencies } from "./dependencies.ts";
export type { EngineOptions, RenderTop } from "./engine.ts";
export { renderTemplates } from "./engine.ts";
export { ChartLoadError, ChartRenderError, ReleaseStorageError, ValuesError } from "./errors.ts";
export { type LoadOptions, loadChart, loadChartArchive, loadChartDir, loadChartFiles } from "./load.ts";
export type { Hook, Manifest } from "./manifests.ts";
export { INSTALL_ORDER, sortManifests, splitManifests, UNINSTALL_ORDER } from "./manifests.ts";
export {
  decodeRelease,
  encodeRelease,
  type Release,
  type ReleaseHook,
  type ReleaseStatus,
  releaseChart,
  releaseDigest,
  releaseFromSecret,
  releaseHooks,
  releaseSecret,
  releaseSecretName,
  valuesDigest,
  ZERO_TIME,
} from "./release.ts";
export {
  type RenderChartOptions,
  type RenderedChart,
  renderChart,
  type TemplateOutputOptions,
  templateOutput,
} from "./render.ts";
export { createRelease, deleteRelease, listReleases, updateRelease } from "./storage.ts";
export { coalesceTables, coalesceValues, isTable, mergeMaps, type Values } from "./values.ts";
export { parseYaml, parseYamlAll, parseYamlMap } from "./yaml.ts";
