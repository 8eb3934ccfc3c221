/**
 * The agent's render path, run from outside the cluster: an artifact pulled by digest with the
 * OCIRepository's own `ignore` and `layerSelector` (the OCIRepository controller's fetch, into a temporary
 * store that is shared by every cluster of one command, so an artifact is pulled once), then the
 * Kustomization's build (its `path`, overlay fields, `postBuild` with `substituteFrom` read from the live
 * cluster, `commonMetadata`, owner labels), with objects marked `reconcile: disabled` excluded as the
 * Kustomization controller excludes them.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildObjects, excludeDisabled, refuseEncryptedSecrets } from "../controllers/kustomization/index.ts";
import {
  CONTENT_DIR,
  fetchIntoStore,
  type LayerSelector,
  storeKey,
} from "../controllers/ocirepository/index.ts";
import { FerryError } from "../errors/index.ts";
import type { KubeClient, KubeObject } from "../kube/index.ts";
import { type OciClient, parseReference } from "../oci/index.ts";
import type { KustomizeRunner } from "../render/index.ts";
import { ArtifactStore } from "../store/index.ts";
import { repoKey, shortRevision } from "./revision.ts";

/** A copied layer that is not a tarball has no tree a Kustomization could build. */
export class NoContentError extends FerryError {
  override name = "NoContentError";
  readonly reference: string;
  constructor(reference: string) {
    super(
      `${reference}: the selected layer was copied as is and is not a tarball, so there is nothing to build; fix spec.layerSelector`,
    );
    this.reference = reference;
  }
}

/** Pulled artifacts of one command, in a temporary store removed by `dispose`. */
export class ArtifactCache {
  readonly oci: OciClient;
  readonly root: string;
  private readonly store: ArtifactStore;
  /** Store folder → what it holds (`host/repo@sha256:…`), to name artifacts in messages. */
  private readonly labels = new Map<string, string>();

  private constructor(oci: OciClient, root: string) {
    this.oci = oci;
    this.root = root;
    this.store = new ArtifactStore({ root });
  }

  static async create(oci: OciClient, opts: { signal: AbortSignal }): Promise<ArtifactCache> {
    const root = await mkdtemp(join(tmpdir(), "ferry-fleet-"));
    const cache = new ArtifactCache(oci, root);
    await cache.store.init(opts);
    return cache;
  }

  /**
   * The tree of `url@digest` as the OCIRepository `source` would store it (its `ignore` and
   * `layerSelector` applied); pulled once per digest and settings.
   */
  async fetch(source: KubeObject, url: string, digest: string, signal: AbortSignal): Promise<string> {
    const spec = (source.spec ?? {}) as { ignore?: string; layerSelector?: LayerSelector };
    const key = storeKey(digest, spec.ignore, spec.layerSelector);
    const reference = { ...parseReference(repoKey(url)), digest };
    const object = `OCIRepository/${source.metadata.namespace ?? ""}/${source.metadata.name ?? ""}`;
    const { entry, meta } = await fetchIntoStore({
      object,
      owner: key,
      url,
      client: this.oci,
      reference,
      revision: digest,
      ignore: spec.ignore,
      layerSelector: spec.layerSelector,
      store: this.store,
      signal,
    });
    if (!meta.content) throw new NoContentError(`${repoKey(url)}@${digest}`);
    this.labels.set(entry.dir, `${repoKey(url)}@${shortRevision(digest)}`);
    return join(entry.dir, CONTENT_DIR);
  }

  /** A message with the temporary folders of pulled artifacts replaced by the artifacts they hold. */
  scrub(message: string): string {
    let out = message;
    for (const [dir, label] of this.labels) {
      out = out
        .replaceAll(`${join(dir, CONTENT_DIR)}/`, `${label}:`)
        .replaceAll(join(dir, CONTENT_DIR), label);
    }
    return out;
  }

  async dispose(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}

export interface RenderOptions {
  /** The cluster (substituteFrom reads). */
  kube: KubeClient;
  runner: KustomizeRunner;
  signal: AbortSignal;
}

/** The objects the Kustomization would apply from `sourceDir`, exactly as the agent builds them. */
export async function renderLive(
  ks: KubeObject,
  sourceDir: string,
  opts: RenderOptions,
): Promise<KubeObject[]> {
  const key = `${ks.metadata.namespace ?? ""}/${ks.metadata.name ?? ""}`;
  const objects = await buildObjects({
    key,
    obj: ks,
    sourceDir,
    kube: opts.kube,
    runner: () => opts.runner,
    signal: opts.signal,
  });
  refuseEncryptedSecrets(key, objects);
  return excludeDisabled(objects);
}
