/**
 * What signing and verification need from a registry, as one small interface, implemented over the OCI
 * client (`src/oci`): manifests, blobs and referrers (the referrers API or its `sha256-<hex>` tag-schema
 * fallback, which the client keeps up to date the way go-containerregistry, and so cosign, does).
 */
import {
  type Descriptor,
  type Manifest,
  NotFoundError,
  type OciClient,
  type Reference,
} from "../oci/index.ts";

export type { Descriptor, Reference };

export interface Signal {
  signal?: AbortSignal | undefined;
}

export interface FetchedManifest {
  bytes: Uint8Array;
  digest: string;
  mediaType: string;
}

export interface SignatureRegistry {
  /** Digest, media type and size of the manifest a tag or digest names; NotFoundError when absent. */
  resolve(ref: Reference, opts?: Signal): Promise<Descriptor>;
  /** The manifest bytes, or undefined when the tag or digest does not exist. */
  getManifest(ref: Reference, opts?: Signal): Promise<FetchedManifest | undefined>;
  /** Puts a manifest under the reference's tag (or by digest) and returns its descriptor. */
  putManifest(ref: Reference, bytes: Uint8Array, mediaType: string, opts?: Signal): Promise<Descriptor>;
  getBlob(ref: Reference, digest: string, opts?: Signal): Promise<Uint8Array>;
  putBlob(ref: Reference, bytes: Uint8Array, mediaType: string, opts?: Signal): Promise<Descriptor>;
  /** Descriptors of the manifests whose subject is `ref.digest`. */
  referrers(ref: Reference & { digest: string }, opts?: Signal): Promise<Descriptor[]>;
  /** Puts a manifest that has a `subject` and makes it discoverable as a referrer of that subject. */
  putReferrer(ref: Reference, manifest: Manifest, mediaType: string, opts?: Signal): Promise<Descriptor>;
}

/** The `sha256-<hex>` tag of the referrers tag schema (and, with `.sig`, of cosign's legacy signatures). */
export function digestTag(digest: string): string {
  return digest.replace(":", "-");
}

const MAX_SIGNATURE_BLOB = 4 * 1024 * 1024;

export function ociSignatureRegistry(client: OciClient): SignatureRegistry {
  return {
    async resolve(ref, opts = {}) {
      const h = await client.headManifest(ref, { signal: opts.signal });
      return { digest: h.digest, mediaType: h.mediaType, size: h.size };
    },
    async getManifest(ref, opts = {}) {
      try {
        const got = await client.getManifest(ref, { signal: opts.signal });
        return { bytes: got.bytes, digest: got.digest, mediaType: got.mediaType };
      } catch (err) {
        if (err instanceof NotFoundError) return undefined;
        throw err;
      }
    },
    async putManifest(ref, bytes, mediaType, opts = {}) {
      const r = await client.putManifest(ref, bytes, { mediaType, signal: opts.signal });
      return { digest: r.digest, mediaType, size: r.size };
    },
    getBlob(ref, digest, opts = {}) {
      return client.getBlob(ref, digest, { signal: opts.signal, maxBytes: MAX_SIGNATURE_BLOB });
    },
    async putBlob(ref, bytes, mediaType, opts = {}) {
      const r = await client.pushBlob(ref, bytes, { signal: opts.signal });
      return { digest: r.digest, size: r.size, mediaType };
    },
    async referrers(ref, opts = {}) {
      return (await client.listReferrers(ref, ref.digest, { signal: opts.signal })).referrers;
    },
    async putReferrer(ref, manifest, mediaType, opts = {}) {
      const r = await client.pushReferrer(ref, manifest, { mediaType, signal: opts.signal });
      const desc: Descriptor = { mediaType, digest: r.digest, size: r.size };
      if (manifest.artifactType) desc.artifactType = manifest.artifactType;
      return desc;
    },
  };
}
