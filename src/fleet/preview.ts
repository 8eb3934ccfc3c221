/**
 * Promotion preview: before a channel tag moves (`latest-stable` → `v1.2.3`), what would change on every
 * cluster that follows it. A cluster follows the move when one of its OCIRepositories has the candidate's
 * repository as `spec.url` and either `ref.tag` is the channel, or `ref.semver` (and `semverFilter`) would
 * pick the candidate over what it runs now. Each Kustomization built from such a source is rendered from
 * the candidate artifact as the agent would render it and dry-run against the live cluster (see
 * changes.ts). ResourceSet tenants (D2) work the same: their OCIRepositories and Kustomizations exist live.
 * Nothing is written to a cluster or the registry.
 */
import { describe, UsageError } from "../errors/index.ts";
import type { KubeClient, KubeObject } from "../kube/index.ts";
import {
  formatReference,
  NotFoundError,
  type OciClient,
  parseReference,
  type Reference,
} from "../oci/index.ts";
import { isSuspended, KUSTOMIZATION, listOpsObjects, OCI_REPOSITORY } from "../ops/index.ts";
import type { KustomizeRunner } from "../render/index.ts";
import { compare, parseConstraint, parseVersion } from "../semver/index.ts";
import { diffKustomization, type ObjectChange } from "./changes.ts";
import type { FleetCluster } from "./clusters.ts";
import { CandidateNotFoundError } from "./errors.ts";
import { type ClusterResult, eachLimited, Limiter, type QueryOptions, queryFleet } from "./query.ts";
import { type ArtifactCache, renderLive } from "./render.ts";
import { repoKey, tagOfRevision } from "./revision.ts";
import { follows } from "./versions.ts";

export interface Follower {
  namespace: string;
  name: string;
  /** `latest-stable` or `semver:>=1.0.0`. */
  follows: string;
  /** What it runs now (`status.artifact.revision`). */
  revision: string;
  /** What it would run after the move. */
  next: string;
}

export interface KustomizationPreview {
  namespace: string;
  name: string;
  /** The OCIRepository it builds from (`ns/name`). */
  source: string;
  /** `status.lastAppliedRevision`. */
  from: string;
  to: string;
  suspended: boolean;
  changes: ObjectChange[];
  /** Render or dry-run failure: the candidate would not apply. */
  error?: string | undefined;
}

export interface ClusterPreview {
  followers: Follower[];
  kustomizations: KustomizationPreview[];
}

export interface FleetPreview {
  /** `host/repo:tag` of the candidate. */
  candidate: string;
  digest: string;
  /** The channel tag that would move, when given. */
  tag?: string | undefined;
  clusters: ClusterResult<ClusterPreview>[];
}

export interface PreviewOptions extends QueryOptions {
  oci: OciClient;
  cache: ArtifactCache;
  runner: KustomizeRunner;
  /** The channel tag that would move (`latest-stable`); without it only semver followers are found. */
  tag?: string | undefined;
  /** Only objects in this namespace. */
  namespace?: string | undefined;
  /** Kustomizations rendered and dry-run at once per cluster (default 4). */
  renderConcurrency?: number | undefined;
  /** Renders and dry-runs at once over the whole fleet (default: 4 at a time). */
  builds?: Limiter | undefined;
}

function sameRepo(url: string, candidate: Reference): boolean {
  try {
    const r = parseReference(repoKey(url));
    return r.registry === candidate.registry && r.repository === candidate.repository;
  } catch {
    return false;
  }
}

/** Whether the OCIRepository would take the candidate, and the revision it would then report. */
export function followsCandidate(
  source: KubeObject,
  candidate: Reference & { tag: string },
  digest: string,
  channel: string | undefined,
): Follower | undefined {
  const spec = (source.spec ?? {}) as { url?: string; ref?: Record<string, string | undefined> };
  if (!spec.url || !sameRepo(spec.url, candidate)) return undefined;
  const ref = spec.ref ?? {};
  if (ref.digest) return undefined;
  const revision = OCI_REPOSITORY.revision(source);
  const base = {
    namespace: source.metadata.namespace ?? "",
    name: source.metadata.name ?? "",
    follows: follows(ref),
    revision,
  };
  if (ref.semver) {
    const v = parseVersion(candidate.tag);
    if (!v) return undefined;
    let ok: boolean;
    try {
      ok = parseConstraint(ref.semver).check(v);
      if (ok && ref.semverFilter) ok = new RegExp(ref.semverFilter).test(candidate.tag);
    } catch {
      return undefined;
    }
    if (!ok) return undefined;
    const current = parseVersion(tagOfRevision(revision) ?? "");
    if (current && compare(current, v) > 0) return undefined;
    return { ...base, next: `${candidate.tag}@${digest}` };
  }
  const tag = ref.tag || "latest";
  if (channel === undefined || tag !== channel) return undefined;
  return { ...base, next: `${channel}@${digest}` };
}

function sourceKey(ks: KubeObject): string | undefined {
  const ref = (ks.spec as { sourceRef?: { kind?: string; name?: string; namespace?: string } } | undefined)
    ?.sourceRef;
  if (ref?.kind !== "OCIRepository" || !ref.name) return undefined;
  return `${ref.namespace || ks.metadata.namespace || ""}/${ref.name}`;
}

async function previewCluster(
  client: KubeClient,
  candidate: Reference & { tag: string },
  digest: string,
  opts: PreviewOptions & { builds: Limiter },
  signal: AbortSignal,
): Promise<ClusterPreview> {
  const { builds } = opts;
  const ns = opts.namespace !== undefined ? { namespace: opts.namespace } : {};
  const sources = await listOpsObjects(client, OCI_REPOSITORY, { signal, ...ns });
  const followers = new Map<string, { source: KubeObject; follower: Follower }>();
  for (const s of sources) {
    const f = followsCandidate(s, candidate, digest, opts.tag);
    if (f) followers.set(`${f.namespace}/${f.name}`, { source: s, follower: f });
  }
  if (followers.size === 0) return { followers: [], kustomizations: [] };
  const all = await listOpsObjects(client, KUSTOMIZATION, { signal, ...ns });
  const dependents = all.filter((ks) => followers.has(sourceKey(ks) ?? ""));
  const url = `oci://${formatReference({ registry: candidate.registry, repository: candidate.repository })}`;
  const kustomizations = await eachLimited(dependents, opts.renderConcurrency ?? 4, async (ks) => {
    const key = sourceKey(ks) ?? "";
    const { source, follower } = followers.get(key)!;
    const spec = (ks.spec ?? {}) as { prune?: unknown };
    const out: KustomizationPreview = {
      namespace: ks.metadata.namespace ?? "",
      name: ks.metadata.name ?? "",
      source: key,
      from: KUSTOMIZATION.revision(ks),
      to: follower.next,
      suspended: isSuspended(KUSTOMIZATION, ks),
      changes: [],
    };
    if (out.suspended) return out;
    try {
      const dir = await opts.cache.fetch(source, url, digest, signal);
      out.changes = await builds.run(async () => {
        const objects = await renderLive(ks, dir, { kube: client, runner: opts.runner, signal });
        return await diffKustomization(client, ks, objects, { signal, prune: spec.prune === true });
      });
    } catch (err) {
      if (signal.aborted) throw err;
      out.error = opts.cache.scrub(describe(err));
    }
    return out;
  });
  return { followers: [...followers.values()].map((f) => f.follower), kustomizations };
}

/** Resolves the candidate, then previews every cluster; a cluster that fails is a result with its error. */
export async function previewPromotion(
  clusters: readonly FleetCluster[],
  candidate: Reference,
  opts: PreviewOptions,
): Promise<FleetPreview> {
  if (!candidate.tag || candidate.digest) {
    throw new UsageError(
      `a promotion preview needs the candidate by tag (oci://host/repo:vX.Y.Z), got ${formatReference(candidate)}`,
    );
  }
  const tagged = { ...candidate, tag: candidate.tag };
  let digest: string;
  try {
    digest = (await opts.oci.headManifest(tagged, { signal: opts.signal })).digest;
  } catch (err) {
    if (err instanceof NotFoundError)
      throw new CandidateNotFoundError(formatReference(tagged), { cause: err });
    throw err;
  }
  const builds = opts.builds ?? new Limiter(4);
  const results = await queryFleet(
    clusters,
    (client, _cluster, signal) => previewCluster(client, tagged, digest, { ...opts, builds }, signal),
    opts,
  );
  return { candidate: formatReference(tagged), digest, tag: opts.tag, clusters: results };
}

/** Whether anything would change (or fail to render) anywhere. */
export function previewCounts(p: FleetPreview): {
  changes: number;
  errors: number;
  unreachable: number;
  followers: number;
} {
  let changes = 0;
  let errors = 0;
  let unreachable = 0;
  let followers = 0;
  for (const c of p.clusters) {
    if (c.error) unreachable++;
    followers += c.value?.followers.length ?? 0;
    for (const k of c.value?.kustomizations ?? []) {
      changes += k.changes.length;
      if (k.error) errors++;
    }
  }
  return { changes, errors, unreachable, followers };
}
