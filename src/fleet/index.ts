/**
 * Fleet: the operator's view over many clusters at once, where a single-cluster `flux get` stops.
 *
 * Does: find the fleet (every context of kubeconfig files, a `ferry-fleet.yaml`, or the local dev
 * clusters) and query its clusters concurrently with a per-cluster timeout, an unreachable cluster being a
 * row with its error (clusters.ts, query.ts); per-cluster status — FluxInstance source and revision,
 * ready/total per kind, the objects that are not Ready, suspended count, last apply (status.ts); "what
 * version runs where", with the clusters that lag behind the tag they follow (versions.ts); drift of the
 * live objects from what each Kustomization applies (drift.ts); and the promotion preview: what moving a
 * channel tag to a candidate would change on each cluster that follows it, rendered exactly as the agent
 * renders and dry-run server-side (preview.ts, render.ts, changes.ts). Text output helpers for the CLI.
 * Does not: write to any cluster or registry (dry-runs only), move tags (that is `ferry promote`), read
 * the environment, or use the OCIRepositories' pull secrets (the caller's registry client pulls).
 */
export type { ChangeAction, ObjectChange } from "./changes.ts";
export {
  type FleetCluster,
  type FleetSources,
  kubeconfigContexts,
  parseFleetFile,
  parseSelector,
  resolveFleet,
} from "./clusters.ts";
export { type ClusterDrift, type DriftOptions, fleetDrift, type KustomizationDrift } from "./drift.ts";
export {
  CandidateNotFoundError,
  ClusterTimeoutError,
  FleetFileError,
  FluxNotInstalledError,
  NoClustersError,
  SelectorError,
} from "./errors.ts";
export { formatChangeList, formatDrift, formatPreview, indentDiff } from "./format-changes.ts";
export {
  clusterReady,
  type FormatOptions,
  formatFailing,
  formatStatus,
  formatVersions,
} from "./format-status.ts";
export {
  type ClusterPreview,
  type FleetPreview,
  type Follower,
  followsCandidate,
  type KustomizationPreview,
  type PreviewOptions,
  previewCounts,
  previewPromotion,
} from "./preview.ts";
export { type ClusterQuery, type ClusterResult, Limiter, type QueryOptions, queryFleet } from "./query.ts";
export { ArtifactCache, NoContentError } from "./render.ts";
export { digestOfRevision, repoKey, shortRevision, tagOfRevision } from "./revision.ts";
export {
  type ClusterStatus,
  clusterStatus,
  fleetStatus,
  type InstanceStatus,
  type KindCount,
  type Problem,
  type SourceVersion,
} from "./status.ts";
export { type Cell, type Color, oneLine, paint, table } from "./table.ts";
export { unifiedDiff } from "./unified.ts";
export {
  cellText,
  type FleetVersions,
  fleetVersions,
  follows,
  resolveFollowed,
  type VersionCell,
  type VersionRow,
  type VersionState,
} from "./versions.ts";
