/**
 * "What version runs where": every OCIRepository of every cluster grouped by source URL, with the revision
 * it fetched and, from the registry, what the ref it follows resolves to now (`ref.tag`, or the highest
 * tag matching `ref.semver` and `semverFilter`). A cluster whose artifact digest differs from that is
 * `behind`: the tag moved and the cluster has not caught up (or cannot). Each (URL, ref) pair is looked up
 * once for the whole fleet.
 */
import { describe } from "../errors/index.ts";
import { type OciClient, parseReference } from "../oci/index.ts";
import { maxSatisfying, parseConstraint } from "../semver/index.ts";
import type { ClusterResult } from "./query.ts";
import { repoKey, shortRevision } from "./revision.ts";
import type { ClusterStatus, SourceVersion } from "./status.ts";

/**
 * `current`: the cluster runs what its ref resolves to; `behind`: it does not; `pinned`: `ref.digest`
 * (nothing to follow); `pending`: no artifact fetched yet; `unknown`: the registry lookup failed.
 */
export type VersionState = "current" | "behind" | "pinned" | "pending" | "unknown";

export interface VersionCell {
  cluster: string;
  namespace: string;
  name: string;
  /** What the OCIRepository follows: `latest-stable`, `semver:>=1.0.0`, `digest`. */
  follows: string;
  revision: string;
  digest?: string | undefined;
  /** What the followed ref resolves to in the registry now (`tag@sha256:…`). */
  latest?: string | undefined;
  state: VersionState;
  /** Why the lookup failed (state `unknown`). */
  error?: string | undefined;
}

export interface VersionRow {
  /** `host/repo`. */
  url: string;
  cells: VersionCell[];
}

export interface FleetVersions {
  clusters: string[];
  rows: VersionRow[];
}

export interface FleetVersionsOptions {
  signal: AbortSignal;
  /** Registry client for the lookups; without one every cell's state comes from the cluster alone. */
  oci?: OciClient | undefined;
  /** Deadline of each registry lookup (default 15 s). */
  timeoutMs?: number | undefined;
}

/** What a source's ref says it follows, as one word. */
export function follows(ref: SourceVersion["ref"]): string {
  if (ref.digest) return "digest";
  if (ref.semver) return `semver:${ref.semver}${ref.semverFilter ? ` (${ref.semverFilter})` : ""}`;
  return ref.tag || "latest";
}

type Lookup = { revision: string; digest: string } | { error: string };

/** What `ref` resolves to now, as source-controller would resolve it. */
export async function resolveFollowed(
  oci: OciClient,
  url: string,
  ref: SourceVersion["ref"],
  signal: AbortSignal,
): Promise<{ revision: string; digest: string }> {
  const repo = parseReference(repoKey(url));
  let tag = ref.tag || "latest";
  if (ref.semver) {
    const constraint = parseConstraint(ref.semver);
    let tags = await oci.listTags(repo, { signal });
    if (ref.semverFilter) {
      const re = new RegExp(ref.semverFilter);
      tags = tags.filter((t) => re.test(t));
    }
    const best = maxSatisfying(tags, constraint);
    if (!best) throw new Error(`no tag of ${repoKey(url)} matches semver ${ref.semver}`);
    tag = best.tag;
  }
  const head = await oci.headManifest({ ...repo, tag }, { signal });
  return { revision: `${tag}@${head.digest}`, digest: head.digest };
}

export async function fleetVersions(
  results: readonly ClusterResult<ClusterStatus>[],
  opts: FleetVersionsOptions,
): Promise<FleetVersions> {
  const lookups = new Map<string, Promise<Lookup>>();
  const lookup = (s: SourceVersion): Promise<Lookup> | undefined => {
    if (!opts.oci || s.ref.digest) return undefined;
    const key = JSON.stringify([
      repoKey(s.url),
      s.ref.tag ?? "",
      s.ref.semver ?? "",
      s.ref.semverFilter ?? "",
    ]);
    let p = lookups.get(key);
    if (!p) {
      const timeoutMs = opts.timeoutMs ?? 15_000;
      const deadline = AbortSignal.timeout(timeoutMs);
      const signal = AbortSignal.any([opts.signal, deadline]);
      p = resolveFollowed(opts.oci, s.url, s.ref, signal).catch((err: unknown) => {
        if (opts.signal.aborted) throw err;
        if (deadline.aborted)
          return {
            error: `the registry did not answer within ${timeoutMs / 1000}s; check it is reachable from here`,
          };
        return { error: describe(err) };
      });
      lookups.set(key, p);
    }
    return p;
  };
  const rows = new Map<string, VersionCell[]>();
  const pending: Array<Promise<void>> = [];
  for (const r of results) {
    for (const s of r.value?.sources ?? []) {
      const cell: VersionCell = {
        cluster: r.cluster.name,
        namespace: s.namespace,
        name: s.name,
        follows: follows(s.ref),
        revision: s.revision,
        digest: s.digest,
        state: s.ref.digest ? "pinned" : s.digest ? "current" : "pending",
      };
      const key = repoKey(s.url);
      rows.set(key, [...(rows.get(key) ?? []), cell]);
      const p = lookup(s);
      if (p) {
        pending.push(
          p.then((l) => {
            if ("error" in l) {
              cell.error = l.error;
              if (cell.state === "current") cell.state = "unknown";
              return;
            }
            cell.latest = l.revision;
            if (cell.state === "current" && l.digest !== cell.digest) cell.state = "behind";
          }),
        );
      }
    }
  }
  await Promise.all(pending);
  return {
    clusters: results.map((r) => r.cluster.name),
    rows: [...rows.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([url, cells]) => ({ url, cells })),
  };
}

/** A cell as the matrix prints it: `latest-stable@sha256:1a2b3c4d5e6f`, marked when behind. */
export function cellText(c: VersionCell): string {
  const rev = c.revision ? shortRevision(c.revision) : `(${c.follows}: not fetched)`;
  if (c.state === "behind") return `${rev} (behind)`;
  if (c.state === "unknown") return `${rev} (?)`;
  return rev;
}
