/**
 * The config blob and the manifest of a Flux artifact, serialized exactly as go-containerregistry does
 * for `flux push artifact` (field order, no whitespace, sorted annotation keys, Go's HTML-safe string
 * escaping), so that the same layer and the same `created` give the same manifest digest.
 */
import {
  ANNOTATION_CREATED,
  ANNOTATION_REVISION,
  ANNOTATION_SOURCE,
  FLUX_CONFIG_MEDIA_TYPE,
  FLUX_CONTENT_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
} from "./format.ts";

export interface BlobDescriptor {
  mediaType: string;
  size: number;
  digest: string;
}

export interface FluxManifest {
  schemaVersion: 2;
  mediaType: string;
  config: BlobDescriptor;
  layers: BlobDescriptor[];
  annotations: Record<string, string>;
}

/** JSON string literal as Go's encoding/json writes it (escapes <, >, &, U+2028, U+2029). */
export function goString(s: string): string {
  return JSON.stringify(s).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** The annotations flux writes: created, source and revision always (possibly empty), then the extra ones. */
export function artifactAnnotations(meta: {
  created: string;
  source?: string | undefined;
  revision?: string | undefined;
  annotations?: Record<string, string> | undefined;
}): Record<string, string> {
  const out: Record<string, string> = {
    [ANNOTATION_CREATED]: meta.created,
    [ANNOTATION_SOURCE]: meta.source ?? "",
    [ANNOTATION_REVISION]: meta.revision ?? "",
  };
  for (const [k, v] of Object.entries(meta.annotations ?? {})) out[k] = v;
  if (!out[ANNOTATION_CREATED]) out[ANNOTATION_CREATED] = meta.created;
  return out;
}

/**
 * The config blob `flux push artifact` uploads. go-containerregistry does not recompute a config of
 * Flux's custom media type, so it is the same 115 bytes for every artifact (observed from flux v2.9.5:
 * `created` zero, no diff_ids), whatever the content and the `created` annotation.
 */
export function configBlob(): Uint8Array {
  return new TextEncoder().encode(
    '{"architecture":"","created":"0001-01-01T00:00:00Z","os":"","rootfs":{"type":"layers","diff_ids":null},"config":{}}',
  );
}

/** Digest of configBlob(). */
export const FLUX_CONFIG_BLOB_DIGEST =
  "sha256:5b943e2b943f6c81dbbd4e2eca5121f4fcc39139e3d1219d6d89bd925b77d9fe";

function descriptorJson(d: BlobDescriptor): string {
  return `{"mediaType":${goString(d.mediaType)},"size":${d.size},"digest":${goString(d.digest)}}`;
}

export function manifestBytes(
  config: BlobDescriptor,
  layer: BlobDescriptor,
  annotations: Record<string, string>,
): Uint8Array {
  const keys = Object.keys(annotations).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const ann = keys.map((k) => `${goString(k)}:${goString(annotations[k] ?? "")}`).join(",");
  const json =
    `{"schemaVersion":2,"mediaType":${goString(OCI_MANIFEST_MEDIA_TYPE)},"config":${descriptorJson(config)},` +
    `"layers":[${descriptorJson(layer)}]${keys.length ? `,"annotations":{${ann}}` : ""}}`;
  return new TextEncoder().encode(json);
}

export function configDescriptor(bytes: Uint8Array, digest: string): BlobDescriptor {
  return { mediaType: FLUX_CONFIG_MEDIA_TYPE, size: bytes.length, digest };
}

export function layerDescriptor(size: number, digest: string): BlobDescriptor {
  return { mediaType: FLUX_CONTENT_MEDIA_TYPE, size, digest };
}
