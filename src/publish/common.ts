/** Helpers shared by the publish operations: references, manifests of Flux artifacts, layer access. */
import type { Readable } from "node:stream";
import { type ArtifactMetadata, DEFAULT_MAX_BYTES, metadataFromAnnotations } from "../artifact/index.ts";
import {
  formatReference,
  type ImageManifest,
  isIndex,
  NotFoundError,
  type OciClient,
  type Reference,
  withTag,
} from "../oci/index.ts";
import { parseVersion } from "../semver/index.ts";
import { NotAnArtifactError } from "./errors.ts";

export interface OpOptions {
  signal?: AbortSignal | undefined;
}

export interface ArtifactManifest {
  reference: Reference;
  digest: string;
  bytes: Uint8Array;
  mediaType: string;
  manifest: ImageManifest;
  metadata: ArtifactMetadata;
}

export function repoName(ref: Reference): string {
  return formatReference({ registry: ref.registry, repository: ref.repository });
}

export function isSemverTag(tag: string | undefined): boolean {
  return tag !== undefined && parseVersion(tag) !== undefined;
}

/** The manifest of an artifact; a NotFoundError when the tag or digest does not exist. */
export async function getArtifactManifest(
  client: OciClient,
  ref: Reference,
  opts: OpOptions = {},
): Promise<ArtifactManifest> {
  const res = await client.getManifest(ref, { signal: opts.signal });
  if (isIndex(res.manifest)) throw new NotAnArtifactError(formatReference(ref), "it is an image index");
  const manifest = res.manifest;
  if (!manifest.layers || manifest.layers.length === 0) {
    throw new NotAnArtifactError(formatReference(ref), "the manifest has no layers");
  }
  return {
    reference: ref,
    digest: res.digest,
    bytes: res.bytes,
    mediaType: res.mediaType,
    manifest,
    metadata: metadataFromAnnotations(manifest.annotations),
  };
}

/** Like getArtifactManifest, undefined when the tag does not exist. */
export async function findArtifactManifest(
  client: OciClient,
  ref: Reference,
  opts: OpOptions = {},
): Promise<ArtifactManifest | undefined> {
  try {
    return await getArtifactManifest(client, ref, opts);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/** The digest a tag points at, undefined when the tag does not exist. */
export async function findTagDigest(
  client: OciClient,
  ref: Reference,
  tag: string,
  opts: OpOptions = {},
): Promise<string | undefined> {
  // Every manifest type: a tag holding an index (e.g. a signature) exists too.
  const head = await client.manifestExists(withTag(ref, tag), { signal: opts.signal });
  return head?.digest;
}

/**
 * The content layer (the first, as flux and source-controller take it) as a verified stream. `maxBytes`
 * caps the unpacked content (the tar reader enforces it); the download itself is capped a little above
 * it, since incompressible content gzips to slightly more than its size.
 */
export async function openContentLayer(
  client: OciClient,
  art: ArtifactManifest,
  opts: OpOptions & { maxBytes?: number | undefined } = {},
): Promise<Readable> {
  const layer = art.manifest.layers[0];
  if (!layer) throw new NotAnArtifactError(formatReference(art.reference), "the manifest has no layers");
  const content = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const { stream } = await client.openBlob(art.reference, layer.digest, {
    signal: opts.signal,
    maxBytes: content + Math.ceil(content / 64) + 1024 * 1024,
  });
  return stream;
}
