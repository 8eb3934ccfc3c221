/**
 * pull: downloads a Flux artifact by tag or digest and extracts its content layer into a folder, safely
 * and atomically (see src/artifact extractTarball). The layer digest is verified while it streams; a
 * mismatch, an unsafe entry or an oversized archive leaves the target untouched.
 */
import { type ArtifactMetadata, extractTarball } from "../artifact/index.ts";
import { formatReference, type OciClient, type Reference } from "../oci/index.ts";
import { getArtifactManifest, type OpOptions, openContentLayer, repoName } from "./common.ts";

export interface PullOptions extends OpOptions {
  /** Folder to extract into: created when absent; must be empty unless `replace`. */
  output: string;
  replace?: boolean | undefined;
  /** Extraction caps (defaults: 1 GiB, 100,000 entries). */
  maxBytes?: number | undefined;
  maxFiles?: number | undefined;
}

export interface PullResult {
  repository: string;
  /** Tag pulled, when pulled by tag. */
  tag?: string | undefined;
  digest: string;
  url: string;
  metadata: ArtifactMetadata;
  output: string;
  files: number;
  bytes: number;
}

export async function pullArtifact(
  client: OciClient,
  ref: Reference,
  opts: PullOptions,
): Promise<PullResult> {
  const art = await getArtifactManifest(client, ref, opts);
  const repository = repoName(ref);
  const stream = await openContentLayer(client, art, opts);
  const res = await extractTarball(stream, opts.output, {
    replace: opts.replace,
    maxBytes: opts.maxBytes,
    maxFiles: opts.maxFiles,
    what: formatReference(ref),
    signal: opts.signal,
  });
  return {
    repository,
    tag: ref.tag,
    digest: art.digest,
    url: `${repository}@${art.digest}`,
    metadata: art.metadata,
    output: opts.output,
    files: res.files,
    bytes: res.bytes,
  };
}
