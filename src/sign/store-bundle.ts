/**
 * Bundle storage, cosign 3's default: the Sigstore bundle (v0.3 JSON) as the single layer of an OCI
 * manifest whose `subject` is the signed artifact and whose `artifactType` is the bundle media type,
 * discovered through the referrers API or its tag-schema fallback.
 */
import { emptyConfig, type ImageManifest, MediaTypes } from "../oci/index.ts";
import type { Descriptor, Reference, Signal, SignatureRegistry } from "./registry.ts";

export const BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";
const BUNDLE_TYPE_PREFIX = "application/vnd.dev.sigstore.bundle";

export interface StoredBundle {
  /** Digest of the referrer manifest that holds the bundle. */
  manifestDigest: string;
  /** The bundle JSON bytes. */
  bytes: Uint8Array;
}

/** Pushes `bundle` as a referrer of `subject` in the reference's repository; returns the referrer's descriptor. */
export async function writeBundle(
  registry: SignatureRegistry,
  repo: Reference,
  subject: Descriptor,
  bundle: Uint8Array,
  opts: Signal & { predicateType: string; created?: Date; content?: "dsse-envelope" | "message-signature" },
): Promise<Descriptor> {
  await registry.putBlob(repo, emptyConfig.bytes, MediaTypes.ociEmpty, opts);
  const layer = await registry.putBlob(repo, bundle, BUNDLE_MEDIA_TYPE, opts);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    config: { ...emptyConfig.descriptor },
    layers: [{ mediaType: BUNDLE_MEDIA_TYPE, digest: layer.digest, size: layer.size }],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: {
      "org.opencontainers.image.created": (opts.created ?? new Date())
        .toISOString()
        .replace(/\.\d{3}Z$/, "Z"),
      "dev.sigstore.bundle.content": opts.content ?? "dsse-envelope",
      "dev.sigstore.bundle.predicateType": opts.predicateType,
    },
    artifactType: BUNDLE_MEDIA_TYPE,
  };
  return registry.putReferrer(repo, manifest, MediaTypes.ociManifest, opts);
}

/** Every Sigstore bundle attached to `ref.digest` as a referrer (unreadable referrers are skipped). */
export async function readBundles(
  registry: SignatureRegistry,
  ref: Reference & { digest: string },
  opts: Signal & { limit?: number } = {},
): Promise<StoredBundle[]> {
  const descs = await registry.referrers(ref, opts);
  const out: StoredBundle[] = [];
  for (const d of descs) {
    if (out.length >= (opts.limit ?? Number.POSITIVE_INFINITY)) break;
    if (d.artifactType && !d.artifactType.startsWith(BUNDLE_TYPE_PREFIX)) continue;
    const m = await registry.getManifest({ ...ref, tag: undefined, digest: d.digest }, opts);
    if (!m) continue;
    let manifest: { layers?: Descriptor[]; subject?: Descriptor };
    try {
      manifest = JSON.parse(Buffer.from(m.bytes).toString("utf8")) as typeof manifest;
    } catch {
      continue;
    }
    const layer = manifest.layers?.find((l) => l.mediaType.startsWith(BUNDLE_TYPE_PREFIX));
    if (!layer) continue;
    out.push({ manifestDigest: d.digest, bytes: await registry.getBlob(ref, layer.digest, opts) });
  }
  return out;
}
