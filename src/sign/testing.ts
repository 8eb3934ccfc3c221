/** Test helpers for the sign module's tests: a pushed artifact to sign, in a fresh repository. */
import { randomBytes } from "node:crypto";
import { emptyConfig, type ImageManifest, MediaTypes, type OciClient, type Reference } from "../oci/index.ts";

/** Pushes a small artifact (random content, so a unique digest) and tags it; returns its reference with digest. */
export async function pushTestArtifact(
  client: OciClient,
  registry: string,
  repository: string,
  tag = "latest",
): Promise<Reference & { digest: string; tag: string }> {
  const repo = { registry, repository };
  const content = randomBytes(64);
  const layer = await client.pushBlob(repo, content);
  await client.pushBlob(repo, emptyConfig.bytes);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    artifactType: "application/vnd.ferry.test.v1",
    config: emptyConfig.descriptor,
    layers: [{ mediaType: "application/vnd.ferry.test.layer.v1", digest: layer.digest, size: layer.size }],
  };
  const put = await client.putManifest({ ...repo, tag }, manifest);
  return { ...repo, tag, digest: put.digest };
}
