/**
 * push: builds the Flux artifact of a folder or file and pushes it under a tag. With `diffTag`, compares
 * the files with the artifact at that tag first and pushes nothing when they are equal. A semver tag that
 * already exists is never overwritten with different content (same content: nothing to do) unless forced.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  artifactAnnotations,
  buildTarball,
  configBlob,
  configDescriptor,
  diffTrees,
  FLUX_CONFIG_BLOB_DIGEST,
  formatCreated,
  isEmptyDiff,
  layerDescriptor,
  manifestBytes,
  REPRODUCIBLE_CREATED,
  sourceTree,
  type Tree,
  tarballTree,
} from "../artifact/index.ts";
import { UsageError } from "../errors/index.ts";
import { formatReference, type OciClient, type Reference, withTag } from "../oci/index.ts";
import {
  type ArtifactManifest,
  findArtifactManifest,
  findTagDigest,
  isSemverTag,
  type OpOptions,
  openContentLayer,
  repoName,
} from "./common.ts";
import { ImmutableTagError, NotAnArtifactError } from "./errors.ts";

export interface PushOptions extends OpOptions {
  /** Folder or single file to pack. */
  path: string;
  /** `org.opencontainers.image.source`, e.g. the Git URL. */
  source: string;
  /** `org.opencontainers.image.revision`, e.g. `main@sha1:<sha>`. */
  revision: string;
  /** Extra annotations (may override the three above, as with flux). */
  annotations?: Record<string, string> | undefined;
  /** Gitignore patterns; default: flux's default ignore list. */
  ignorePaths?: readonly string[] | undefined;
  /** Read the root `.sourceignore` too (default true). */
  sourceIgnore?: boolean | undefined;
  /** `created` annotation; default now (or the epoch with `reproducible`). */
  created?: Date | string | undefined;
  /** `created` = 1970-01-01T00:00:00Z, as `flux push artifact --reproducible`. */
  reproducible?: boolean | undefined;
  /** Compare with the artifact at this tag and skip the push when the files are equal. */
  diffTag?: string | undefined;
  /** Overwrite an existing semver tag that holds different content. */
  force?: boolean | undefined;
}

export type PushOutcome = "pushed" | "unchanged" | "exists";

export interface PushResult {
  /** False when nothing was uploaded or tagged (content equal to `diffTag`, or the semver tag holds it). */
  pushed: boolean;
  outcome: PushOutcome;
  /** `host/repo` */
  repository: string;
  tag: string;
  /** Manifest digest of the artifact the tag (or diffTag) points at after the call. */
  digest: string;
  /** `host/repo@sha256:…` */
  url: string;
  layer: { digest: string; size: number; diffId: string };
  files: number;
  /** Set when an existing tag was replaced: the digest it pointed at before. */
  previousDigest?: string | undefined;
}

async function sameFiles(
  client: OciClient,
  art: ArtifactManifest,
  local: () => Promise<Tree>,
  layerDigest: string,
  opts: OpOptions,
): Promise<boolean> {
  if (art.manifest.layers[0]?.digest === layerDigest) return true;
  const remote = await tarballTree(await openContentLayer(client, art, opts), {
    what: formatReference(art.reference),
    signal: opts.signal,
  });
  return isEmptyDiff(diffTrees(remote, await local()));
}

/** The artifact at a tag; "other" when the tag holds something that is not a Flux artifact (an index). */
async function findComparable(
  client: OciClient,
  ref: Reference,
  opts: OpOptions,
): Promise<ArtifactManifest | "other" | undefined> {
  try {
    return await findArtifactManifest(client, ref, opts);
  } catch (err) {
    if (err instanceof NotAnArtifactError) return "other";
    throw err;
  }
}

/** The promise, marked as handled: it is awaited later, possibly after an earlier step failed. */
function settleLater<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

/** Waits for every promise (none is left running), then throws the first failure if there is one. */
async function allSettledOrThrow(ps: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(ps);
  for (const r of results) if (r.status === "rejected") throw r.reason;
}

function createdValue(opts: PushOptions): string {
  if (opts.reproducible) return REPRODUCIBLE_CREATED;
  if (typeof opts.created === "string") return opts.created;
  return formatCreated(opts.created ?? new Date());
}

export async function pushArtifact(
  client: OciClient,
  target: Reference,
  opts: PushOptions,
): Promise<PushResult> {
  const tag = target.tag;
  if (!tag || target.digest) {
    throw new UsageError(
      `push needs a tag and no digest: ${formatReference(target)}; use oci://host/repo:TAG`,
    );
  }
  const repository = repoName(target);
  const work = await mkdtemp(join(tmpdir(), "ferry-push-"));
  // The registry is asked what the tags hold while the tarball is built (each lookup is a round trip or
  // two that would otherwise add to the push); a lookup that fails is reported after the build.
  const currentAtDiffTag = opts.diffTag
    ? settleLater(findComparable(client, withTag(target, opts.diffTag), opts))
    : undefined;
  const existingAtTarget = settleLater(findComparable(client, target, opts));
  try {
    const layerPath = join(work, "artifact.tgz");
    const walk = { ignorePaths: opts.ignorePaths, sourceIgnore: opts.sourceIgnore, signal: opts.signal };
    const built = await buildTarball(opts.path, layerPath, walk);
    const layer = { digest: built.digest, size: built.size, diffId: built.diffId };
    let localTree: Tree | undefined;
    const local = async () => {
      localTree ??= await sourceTree(opts.path, walk);
      return localTree;
    };
    const base = { repository, tag, layer, files: built.files };

    if (currentAtDiffTag) {
      const current = await currentAtDiffTag;
      if (current && current !== "other" && (await sameFiles(client, current, local, layer.digest, opts))) {
        return {
          ...base,
          pushed: false,
          outcome: "unchanged",
          digest: current.digest,
          url: `${repository}@${current.digest}`,
        };
      }
    }

    const existing = await existingAtTarget;
    if (existing === "other" && isSemverTag(tag) && !opts.force) {
      throw new ImmutableTagError(
        formatReference(target),
        (await findTagDigest(client, target, tag, opts)) ?? "?",
      );
    }
    if (existing && existing !== "other" && isSemverTag(tag) && !opts.force) {
      if (!(await sameFiles(client, existing, local, layer.digest, opts))) {
        throw new ImmutableTagError(formatReference(target), existing.digest);
      }
      return {
        ...base,
        pushed: false,
        outcome: "exists",
        digest: existing.digest,
        url: `${repository}@${existing.digest}`,
      };
    }

    const config = configBlob();
    // Both blobs go up at once; the manifest only after both are in the registry.
    await allSettledOrThrow([
      client.pushBlob(target, { path: layerPath }, { digest: layer.digest, signal: opts.signal }),
      client.pushBlob(target, config, { digest: FLUX_CONFIG_BLOB_DIGEST, signal: opts.signal }),
    ]);
    const annotations = artifactAnnotations({
      created: createdValue(opts),
      source: opts.source,
      revision: opts.revision,
      annotations: opts.annotations,
    });
    const manifest = manifestBytes(
      configDescriptor(config, FLUX_CONFIG_BLOB_DIGEST),
      layerDescriptor(layer.size, layer.digest),
      annotations,
    );
    const put = await client.putManifest(target, manifest, { signal: opts.signal });
    return {
      ...base,
      pushed: true,
      outcome: "pushed",
      digest: put.digest,
      url: `${repository}@${put.digest}`,
      previousDigest:
        existing && existing !== "other" && existing.digest !== put.digest ? existing.digest : undefined,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
