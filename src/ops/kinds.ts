/**
 * The kinds the operator commands know: their API, the names a command line may use for them, how a
 * suspension is expressed (`spec.suspend` for Flux toolkit kinds, the `fluxcd.controlplane.io/reconcile:
 * disabled` annotation for flux-operator kinds) and which status field holds the revision.
 */
import type { KubeObject } from "../kube/index.ts";

export const REQUESTED_AT = "reconcile.fluxcd.io/requestedAt";
export const OPERATOR_RECONCILE = "fluxcd.controlplane.io/reconcile";

export interface OpsKind {
  kind: string;
  apiVersion: string;
  group: string;
  /** The words naming the kind in `ferry get|reconcile|suspend|resume …` (e.g. `source oci`). */
  command: string;
  /** Names accepted on the command line (plural, singular, short). */
  aliases: readonly string[];
  /** `spec`: Flux toolkit `spec.suspend`; `annotation`: flux-operator's `reconcile: disabled`. */
  suspendVia: "spec" | "annotation";
  /** The revision the object last applied, fetched or exported. */
  revision: (o: KubeObject) => string;
  /** The verb of the success line of `reconcile` (`applied revision X`). */
  verb: string;
}

function status(o: KubeObject): Record<string, unknown> {
  return (o.status as Record<string, unknown> | undefined) ?? {};
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

export const OCI_REPOSITORY: OpsKind = {
  kind: "OCIRepository",
  apiVersion: "source.toolkit.fluxcd.io/v1",
  group: "source.toolkit.fluxcd.io",
  command: "source oci",
  aliases: ["oci", "ocirepository", "ocirepositories", "ocirepo"],
  suspendVia: "spec",
  revision: (o) => str((status(o).artifact as { revision?: unknown } | undefined)?.revision),
  verb: "fetched",
};

export const KUSTOMIZATION: OpsKind = {
  kind: "Kustomization",
  apiVersion: "kustomize.toolkit.fluxcd.io/v1",
  group: "kustomize.toolkit.fluxcd.io",
  command: "kustomization",
  aliases: ["kustomization", "kustomizations", "ks"],
  suspendVia: "spec",
  revision: (o) => str(status(o).lastAppliedRevision),
  verb: "applied",
};

export const RESOURCE_SET: OpsKind = {
  kind: "ResourceSet",
  apiVersion: "fluxcd.controlplane.io/v1",
  group: "fluxcd.controlplane.io",
  command: "resourceset",
  aliases: ["resourceset", "resourcesets", "rset"],
  suspendVia: "annotation",
  revision: (o) => str(status(o).lastAppliedRevision),
  verb: "applied",
};

export const RESOURCE_SET_INPUT_PROVIDER: OpsKind = {
  kind: "ResourceSetInputProvider",
  apiVersion: "fluxcd.controlplane.io/v1",
  group: "fluxcd.controlplane.io",
  command: "resourcesetinputprovider",
  aliases: ["resourcesetinputprovider", "resourcesetinputproviders", "rsip", "inputprovider"],
  suspendVia: "annotation",
  revision: (o) => str(status(o).lastExportedRevision),
  verb: "exported",
};

export const FLUX_INSTANCE: OpsKind = {
  kind: "FluxInstance",
  apiVersion: "fluxcd.controlplane.io/v1",
  group: "fluxcd.controlplane.io",
  command: "instance",
  aliases: ["fluxinstance", "fluxinstances", "instance"],
  suspendVia: "annotation",
  revision: (o) => str(status(o).lastAppliedRevision),
  verb: "applied",
};

export const HELM_RELEASE: OpsKind = {
  kind: "HelmRelease",
  apiVersion: "helm.toolkit.fluxcd.io/v2",
  group: "helm.toolkit.fluxcd.io",
  command: "helmrelease",
  aliases: ["helmrelease", "helmreleases", "hr"],
  suspendVia: "spec",
  // As flux get helmreleases: the chart version of the latest release, else the last attempted revision.
  revision: (o) => {
    const history = status(o).history;
    const latest = Array.isArray(history)
      ? (history[0] as { chartVersion?: unknown } | undefined)
      : undefined;
    return str(latest?.chartVersion) || str(status(o).lastAttemptedRevision);
  },
  verb: "applied",
};

/** Every kind, in the order `get all` prints them (sources first, as flux does). */
export const OPS_KINDS: readonly OpsKind[] = [
  OCI_REPOSITORY,
  KUSTOMIZATION,
  HELM_RELEASE,
  RESOURCE_SET_INPUT_PROVIDER,
  RESOURCE_SET,
  FLUX_INSTANCE,
];

/** The kind a command-line name stands for (case-insensitive), or undefined. */
export function kindByAlias(name: string): OpsKind | undefined {
  const n = name.toLowerCase();
  return OPS_KINDS.find((k) => k.aliases.includes(n) || k.kind.toLowerCase() === n);
}

/** The kind of a `group` + `Kind` pair (an inventory entry), or undefined when it is not one of ours. */
export function kindOf(group: string, kind: string): OpsKind | undefined {
  return OPS_KINDS.find((k) => k.group === group && k.kind === kind);
}

/** Whether reconciliation of the object is suspended, by the kind's own convention. */
export function isSuspended(k: OpsKind, o: KubeObject): boolean {
  if (k.suspendVia === "spec") return (o.spec as { suspend?: unknown } | undefined)?.suspend === true;
  return (o.metadata.annotations?.[OPERATOR_RECONCILE] ?? "").toLowerCase() === "disabled";
}
