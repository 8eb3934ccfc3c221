/**
 * Drift: for every Kustomization of a cluster, the objects whose live state differs from what the
 * Kustomization applied — the artifact of its `lastAppliedRevision` (pulled from its OCIRepository's URL)
 * rendered as the agent renders it, then dry-run against the live objects (as `flux diff kustomization`
 * does). An object edited by hand is `changed`
 * (with a unified diff), one deleted by hand is `added` back. Suspended Kustomizations and those whose
 * that applied nothing yet are reported as skipped, not checked.
 */
import { describe } from "../errors/index.ts";
import { getObject, type KubeClient, type KubeObject } from "../kube/index.ts";
import { isSuspended, KUSTOMIZATION, listOpsObjects, OCI_REPOSITORY } from "../ops/index.ts";
import type { KustomizeRunner } from "../render/index.ts";
import { diffKustomization, type ObjectChange } from "./changes.ts";
import type { FleetCluster } from "./clusters.ts";
import { type ClusterResult, eachLimited, Limiter, type QueryOptions, queryFleet } from "./query.ts";
import { type ArtifactCache, renderLive } from "./render.ts";
import { digestOfRevision } from "./revision.ts";

export interface KustomizationDrift {
  namespace: string;
  name: string;
  /** The revision compared against (`status.lastAppliedRevision`). */
  revision: string;
  /** Why it was not checked (suspended, nothing applied yet, source gone or not supported). */
  skipped?: string | undefined;
  drifted: ObjectChange[];
  error?: string | undefined;
}

export interface ClusterDrift {
  kustomizations: KustomizationDrift[];
}

export interface DriftOptions extends QueryOptions {
  cache: ArtifactCache;
  runner: KustomizeRunner;
  namespace?: string | undefined;
  /** Kustomizations checked at once per cluster (default 4). */
  renderConcurrency?: number | undefined;
  /** Renders and dry-runs at once over the whole fleet (default: 4 at a time). */
  builds?: Limiter | undefined;
}

async function driftOf(
  client: KubeClient,
  ks: KubeObject,
  opts: DriftOptions,
  builds: Limiter,
  signal: AbortSignal,
): Promise<KustomizationDrift> {
  const out: KustomizationDrift = {
    namespace: ks.metadata.namespace ?? "",
    name: ks.metadata.name ?? "",
    revision: "",
    drifted: [],
  };
  if (isSuspended(KUSTOMIZATION, ks)) return { ...out, skipped: "suspended" };
  const ref = (ks.spec as { sourceRef?: { kind?: string; name?: string; namespace?: string } } | undefined)
    ?.sourceRef;
  if (ref?.kind !== "OCIRepository" || !ref.name)
    return { ...out, skipped: `source kind ${ref?.kind ?? "(none)"} is not supported` };
  try {
    const source = await getObject(
      client,
      {
        apiVersion: OCI_REPOSITORY.apiVersion,
        kind: OCI_REPOSITORY.kind,
        metadata: { name: ref.name, namespace: ref.namespace || out.namespace },
      },
      { signal },
    );
    // The artifact the Kustomization last applied, not the source's newest: a revision still waiting to
    // be applied is a pending update, not drift.
    const revision = KUSTOMIZATION.revision(ks);
    const digest = digestOfRevision(revision);
    const url = (source?.spec as { url?: string } | undefined)?.url;
    if (!digest) return { ...out, skipped: "nothing applied yet" };
    if (!source || !url) return { ...out, revision, skipped: `its source ${ref.name} is gone` };
    out.revision = revision;
    const dir = await opts.cache.fetch(source, url, digest, signal);
    out.drifted = await builds.run(async () => {
      const objects = await renderLive(ks, dir, { kube: client, runner: opts.runner, signal });
      return await diffKustomization(client, ks, objects, { signal, prune: false });
    });
  } catch (err) {
    if (signal.aborted) throw err;
    out.error = opts.cache.scrub(describe(err));
  }
  return out;
}

export async function fleetDrift(
  clusters: readonly FleetCluster[],
  opts: DriftOptions,
): Promise<ClusterResult<ClusterDrift>[]> {
  const builds = opts.builds ?? new Limiter(4);
  return await queryFleet(
    clusters,
    async (client, _cluster, signal) => {
      const list = await listOpsObjects(client, KUSTOMIZATION, {
        signal,
        ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
      });
      const kustomizations = await eachLimited(list, opts.renderConcurrency ?? 4, (ks) =>
        driftOf(client, ks, opts, builds, signal),
      );
      return { kustomizations };
    },
    opts,
  );
}
