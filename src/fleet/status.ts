/**
 * The status of one cluster as the fleet view shows it: the FluxInstance (sync source, the revision its sync
 * Kustomization applied, Ready),
 * ready/total counts per kind, the objects that are not Ready (with a one-line reason), how many are
 * suspended, when something was last applied, and every OCIRepository's source and revision (what
 * `versions` groups by URL). Read-only; kinds whose CRD is missing are listed, not fatal, unless none of
 * them is served.
 */
import type { KubeClient, KubeObject } from "../kube/index.ts";
import {
  FLUX_INSTANCE,
  isSuspended,
  KindNotInstalledError,
  KUSTOMIZATION,
  listOpsObjects,
  OCI_REPOSITORY,
  type OpsKind,
  RESOURCE_SET,
  RESOURCE_SET_INPUT_PROVIDER,
} from "../ops/index.ts";
import type { FleetCluster } from "./clusters.ts";
import { FluxNotInstalledError } from "./errors.ts";
import { type ClusterResult, type QueryOptions, queryFleet } from "./query.ts";
import { digestOfRevision } from "./revision.ts";

export interface KindCount {
  ready: number;
  total: number;
}

export interface Problem {
  kind: string;
  namespace: string;
  name: string;
  /** Status of the Ready condition: `False`, or `Unknown` while reconciling. */
  ready: string;
  reason: string;
  /** First line of the Ready condition's message. */
  message: string;
}

export interface InstanceStatus {
  namespace: string;
  name: string;
  /** `spec.sync`: `oci://host/repo` and its ref (`latest-stable`). */
  source: string;
  ref: string;
  /** What the sync Kustomization last applied (`latest@sha256:…`); empty when not found. */
  revision: string;
  /** `status.lastAppliedRevision` of the instance: the Flux distribution (`v2.7.0@sha256:…`). */
  distribution: string;
  ready: string;
  message: string;
}

export interface SourceVersion {
  namespace: string;
  name: string;
  /** `spec.url`. */
  url: string;
  ref: { tag?: string; semver?: string; semverFilter?: string; digest?: string };
  /** `status.artifact.revision` (`tag@sha256:…`); empty before the first fetch. */
  revision: string;
  digest?: string | undefined;
  ready: string;
  suspended: boolean;
}

export interface ClusterStatus {
  instance?: InstanceStatus | undefined;
  counts: {
    Kustomization?: KindCount | undefined;
    ResourceSet?: KindCount | undefined;
    OCIRepository?: KindCount | undefined;
  };
  problems: Problem[];
  suspended: number;
  /** Latest time a Kustomization or ResourceSet applied successfully (RFC 3339), when known. */
  lastApplied?: string | undefined;
  sources: SourceVersion[];
  /** Kinds the cluster does not serve (CRD not installed). */
  missingKinds: string[];
  /** Every non-suspended object is Ready. */
  ready: boolean;
}

export interface ClusterStatusOptions {
  signal: AbortSignal;
  /** Only objects in this namespace (default: every namespace). */
  namespace?: string | undefined;
}

interface Cond {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

function conditions(o: KubeObject): Cond[] {
  const c = (o.status as { conditions?: unknown } | undefined)?.conditions;
  return Array.isArray(c) ? (c as Cond[]) : [];
}

function readyOf(o: KubeObject): Cond | undefined {
  return conditions(o).find((c) => c.type === "Ready");
}

function firstLine(s: string | undefined): string {
  return (
    (s ?? "")
      .split("\n")
      .find((l) => l.trim() !== "")
      ?.trim() ?? ""
  );
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** The time an object last applied: its newest successful history snapshot, else Ready's transition. */
function appliedAt(o: KubeObject): string | undefined {
  const history = (o.status as { history?: Array<Record<string, unknown>> } | undefined)?.history ?? [];
  const ok = history.find((h) => str(h.lastReconciledStatus).endsWith("Succeeded"));
  if (ok && str(ok.lastReconciled)) return str(ok.lastReconciled);
  const r = readyOf(o);
  return r?.status === "True" ? r.lastTransitionTime : undefined;
}

async function listKind(
  client: KubeClient,
  k: OpsKind,
  opts: ClusterStatusOptions,
  missing: string[],
): Promise<KubeObject[]> {
  try {
    return await listOpsObjects(client, k, {
      signal: opts.signal,
      ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
    });
  } catch (err) {
    if (err instanceof KindNotInstalledError) {
      missing.push(k.kind);
      return [];
    }
    throw err;
  }
}

function sourceOf(o: KubeObject): SourceVersion {
  const spec = (o.spec ?? {}) as { url?: unknown; ref?: Record<string, unknown> };
  const ref: SourceVersion["ref"] = {};
  for (const f of ["tag", "semver", "semverFilter", "digest"] as const) {
    const v = str(spec.ref?.[f]);
    if (v) ref[f] = v;
  }
  const revision = OCI_REPOSITORY.revision(o);
  return {
    namespace: o.metadata.namespace ?? "",
    name: o.metadata.name ?? "",
    url: str(spec.url),
    ref,
    revision,
    digest: digestOfRevision(revision),
    ready: readyOf(o)?.status ?? "False",
    suspended: isSuspended(OCI_REPOSITORY, o),
  };
}

/**
 * The instance's sync: its source, and the revision its sync Kustomization (`spec.sync.name`, default the
 * namespace, as flux-operator names it) last applied; `status.lastAppliedRevision` of a FluxInstance is the
 * Flux distribution's, kept as `distribution`.
 */
function instanceOf(o: KubeObject, kustomizations: readonly KubeObject[]): InstanceStatus {
  const sync = ((o.spec as { sync?: Record<string, unknown> } | undefined)?.sync ?? {}) as Record<
    string,
    unknown
  >;
  const namespace = o.metadata.namespace ?? "";
  const syncName = str(sync.name) || namespace;
  const ks = kustomizations.find((k) => k.metadata.namespace === namespace && k.metadata.name === syncName);
  const r = readyOf(o);
  return {
    namespace,
    name: o.metadata.name ?? "",
    source: str(sync.url),
    ref: str(sync.ref),
    revision: ks ? KUSTOMIZATION.revision(ks) : "",
    distribution: FLUX_INSTANCE.revision(o),
    ready: r?.status ?? "False",
    message: firstLine(r ? r.message : "waiting to be reconciled"),
  };
}

function problemOf(k: OpsKind, o: KubeObject): Problem | undefined {
  const r = readyOf(o);
  if (r?.status === "True") return undefined;
  return {
    kind: k.kind,
    namespace: o.metadata.namespace ?? "",
    name: o.metadata.name ?? "",
    ready: r?.status ?? "Unknown",
    reason: r?.reason ?? "",
    message: firstLine(r ? r.message : "waiting to be reconciled"),
  };
}

/** Objects not Ready (suspended ones counted apart) and the latest successful apply. */
function collectProblems(lists: ReadonlyArray<readonly [OpsKind, readonly KubeObject[]]>): {
  problems: Problem[];
  suspended: number;
  lastApplied: string | undefined;
} {
  const problems: Problem[] = [];
  let suspended = 0;
  let lastApplied: string | undefined;
  for (const [k, items] of lists) {
    for (const o of items) {
      if (isSuspended(k, o)) {
        suspended++;
        continue;
      }
      if (k === KUSTOMIZATION || k === RESOURCE_SET) {
        const at = appliedAt(o);
        if (at && (!lastApplied || at > lastApplied)) lastApplied = at;
      }
      const p = problemOf(k, o);
      if (p) problems.push(p);
    }
  }
  return { problems, suspended, lastApplied };
}

export async function clusterStatus(
  client: KubeClient,
  cluster: string,
  opts: ClusterStatusOptions,
): Promise<ClusterStatus> {
  const missing: string[] = [];
  const kinds = [FLUX_INSTANCE, KUSTOMIZATION, RESOURCE_SET, OCI_REPOSITORY, RESOURCE_SET_INPUT_PROVIDER];
  const lists = await Promise.all(kinds.map((k) => listKind(client, k, opts, missing)));
  if (missing.length === kinds.length) throw new FluxNotInstalledError(cluster);
  const [instances = [], ks = [], rs = [], oci = [], rsip = []] = lists;
  const { problems, suspended, lastApplied } = collectProblems([
    [FLUX_INSTANCE, instances],
    [OCI_REPOSITORY, oci],
    [RESOURCE_SET_INPUT_PROVIDER, rsip],
    [RESOURCE_SET, rs],
    [KUSTOMIZATION, ks],
  ]);
  const count = (k: OpsKind, items: KubeObject[]): KindCount | undefined =>
    missing.includes(k.kind)
      ? undefined
      : { ready: items.filter((o) => readyOf(o)?.status === "True").length, total: items.length };
  return {
    instance: instances[0] ? instanceOf(instances[0], ks) : undefined,
    counts: {
      Kustomization: count(KUSTOMIZATION, ks),
      ResourceSet: count(RESOURCE_SET, rs),
      OCIRepository: count(OCI_REPOSITORY, oci),
    },
    problems,
    suspended,
    lastApplied,
    sources: oci.map(sourceOf),
    missingKinds: missing,
    ready: problems.length === 0,
  };
}

/** `clusterStatus` of every cluster of the fleet, concurrently, each with its own timeout. */
export async function fleetStatus(
  clusters: readonly FleetCluster[],
  opts: QueryOptions & { namespace?: string | undefined },
): Promise<ClusterResult<ClusterStatus>[]> {
  return await queryFleet(
    clusters,
    (client, cluster, signal) =>
      clusterStatus(client, cluster.name, {
        signal,
        ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
      }),
    opts,
  );
}
