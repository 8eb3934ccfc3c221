/**
 * Legacy storage, cosign's original layout: an OCI image manifest tagged `sha256-<hex>.sig` in the
 * artifact's repository, one layer per signature. Each layer is the simple-signing payload
 * (`application/vnd.dev.cosign.simplesigning.v1+json`) and its annotations carry the base64 signature,
 * and for keyless signatures the Fulcio certificate, its chain and the Rekor bundle (signed entry timestamp).
 */
import { createHash } from "node:crypto";
import { MediaTypes } from "../oci/index.ts";
import {
  type Descriptor,
  digestTag,
  type Reference,
  type Signal,
  type SignatureRegistry,
} from "./registry.ts";

export const SIMPLE_SIGNING_MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
export const ANNOTATION_SIGNATURE = "dev.cosignproject.cosign/signature";
export const ANNOTATION_CERTIFICATE = "dev.sigstore.cosign/certificate";
export const ANNOTATION_CHAIN = "dev.sigstore.cosign/chain";
export const ANNOTATION_BUNDLE = "dev.sigstore.cosign/bundle";
export const ANNOTATION_TIMESTAMP = "dev.sigstore.cosign/rfc3161timestamp";

/** One legacy signature: the payload and the annotations of its layer. */
export interface LegacySignature {
  payload: Uint8Array;
  /** Base64 signature over the payload. */
  signature: string;
  certificate?: string | undefined;
  chain?: string | undefined;
  /** JSON of the Rekor bundle: `{"SignedEntryTimestamp":…,"Payload":{body,integratedTime,logIndex,logID}}`. */
  rekorBundle?: string | undefined;
}

export function legacySignatureTag(digest: string): string {
  return `${digestTag(digest)}.sig`;
}

function annotationsOf(sig: LegacySignature): Record<string, string> {
  const a: Record<string, string> = { [ANNOTATION_SIGNATURE]: sig.signature };
  if (sig.certificate) a[ANNOTATION_CERTIFICATE] = sig.certificate;
  if (sig.chain) a[ANNOTATION_CHAIN] = sig.chain;
  if (sig.rekorBundle) a[ANNOTATION_BUNDLE] = sig.rekorBundle;
  return a;
}

/** The image config cosign writes for a signature image: the layers' diff IDs and nothing else. */
function configFor(layers: Descriptor[]): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      architecture: "",
      created: "0001-01-01T00:00:00Z",
      history: layers.map(() => ({ created: "0001-01-01T00:00:00Z" })),
      os: "",
      rootfs: { type: "layers", diff_ids: layers.map((l) => l.digest) },
      config: {},
    }),
  );
}

/**
 * Adds a signature to the `.sig` image of `digest` (creating it when absent). A layer with the same payload
 * and signature is not added twice. Returns the descriptor of the new `.sig` manifest.
 */
export async function writeLegacySignature(
  registry: SignatureRegistry,
  repo: Reference,
  digest: string,
  sig: LegacySignature,
  opts: Signal = {},
): Promise<Descriptor> {
  const tagRef = { registry: repo.registry, repository: repo.repository, tag: legacySignatureTag(digest) };
  const existing = await registry.getManifest(tagRef, opts);
  let layers: Descriptor[] = [];
  if (existing) {
    layers =
      (JSON.parse(Buffer.from(existing.bytes).toString("utf8")) as { layers?: Descriptor[] }).layers ?? [];
  }
  const blob = await registry.putBlob(repo, sig.payload, SIMPLE_SIGNING_MEDIA_TYPE, opts);
  const layer: Descriptor = {
    mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
    size: blob.size,
    digest: blob.digest,
    annotations: annotationsOf(sig),
  };
  const dup = layers.some(
    (l) => l.digest === layer.digest && l.annotations?.[ANNOTATION_SIGNATURE] === sig.signature,
  );
  if (!dup) layers.push(layer);
  const config = configFor(layers);
  const cfg = await registry.putBlob(repo, config, "application/vnd.oci.image.config.v1+json", opts);
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    config: { mediaType: "application/vnd.oci.image.config.v1+json", size: cfg.size, digest: cfg.digest },
    layers,
  };
  return registry.putManifest(
    tagRef,
    new TextEncoder().encode(JSON.stringify(manifest)),
    MediaTypes.ociManifest,
    opts,
  );
}

/** Every signature in the `.sig` image of `digest`; empty when there is none. */
export async function readLegacySignatures(
  registry: SignatureRegistry,
  repo: Reference,
  digest: string,
  opts: Signal & { limit?: number } = {},
): Promise<LegacySignature[]> {
  const tagRef = { registry: repo.registry, repository: repo.repository, tag: legacySignatureTag(digest) };
  const m = await registry.getManifest(tagRef, opts);
  if (!m) return [];
  const layers =
    (JSON.parse(Buffer.from(m.bytes).toString("utf8")) as { layers?: Descriptor[] }).layers ?? [];
  const out: LegacySignature[] = [];
  for (const l of layers) {
    if (out.length >= (opts.limit ?? Number.POSITIVE_INFINITY)) break;
    const signature = l.annotations?.[ANNOTATION_SIGNATURE];
    if (signature === undefined) continue;
    const payload = await registry.getBlob(repo, l.digest, opts);
    out.push({
      payload,
      signature,
      certificate: l.annotations?.[ANNOTATION_CERTIFICATE],
      chain: l.annotations?.[ANNOTATION_CHAIN],
      rekorBundle: l.annotations?.[ANNOTATION_BUNDLE],
    });
  }
  return out;
}

export function sha256(bytes: Uint8Array): Buffer {
  return createHash("sha256").update(bytes).digest();
}
