/** OciClient: one object holding the transport (auth state, token cache) and settings; each method is one operation file. */
import { type BlobReadOptions, downloadBlob, getBlob, headBlob, openBlob } from "./blobs.ts";
import type { ClientCore, SignalOptions } from "./core.ts";
import { anonymous, type CredentialProvider } from "./credentials.ts";
import {
  deleteManifest,
  type GetManifestOptions,
  getManifest,
  headManifest,
  type ManifestHead,
  type ManifestResult,
  manifestExists,
  type PutManifestOptions,
  type PutManifestResult,
  putManifest,
  resolveDigest,
} from "./manifests.ts";
import type { Manifest } from "./media-types.ts";
import { parseReference, type Reference } from "./reference.ts";
import {
  listReferrers,
  type PushReferrerResult,
  pushReferrer,
  type ReferrersOptions,
  type ReferrersResult,
} from "./referrers.ts";
import { type TagResult, tagManifest } from "./retag.ts";
import type { RetryOptions } from "./retry.ts";
import { type ListTagsOptions, listTags } from "./tags.ts";
import { Transport } from "./transport.ts";
import { type BlobSource, type PushBlobOptions, type PushBlobResult, pushBlob } from "./upload.ts";

export interface OciClientOptions {
  /** Where credentials come from; default anonymous. */
  credentials?: CredentialProvider;
  /** Plain http for every registry (loopback registries always use http). */
  insecure?: boolean;
  retry?: RetryOptions;
  /** Per-request timeout up to the response headers (and the body for non-streamed reads). Default 60 s. */
  timeoutMs?: number;
  /** Blobs larger than this are uploaded in chunks. Default 16 MiB. */
  chunkThreshold?: number;
  /** PATCH chunk size. Default 8 MiB. */
  chunkSize?: number;
  /** Largest manifest accepted on read. Default 4 MiB. */
  maxManifestBytes?: number;
  userAgent?: string;
  /** Replace the HTTP implementation (tests). */
  fetch?: typeof fetch;
}

/** A reference object or a string to parse. */
export type RefLike = Reference | string;

function ref(r: RefLike): Reference {
  return typeof r === "string" ? parseReference(r) : r;
}

export class OciClient {
  readonly #core: ClientCore;

  constructor(opts: OciClientOptions = {}) {
    const transport = new Transport({
      credentials: opts.credentials ?? anonymous,
      ...(opts.insecure === undefined ? {} : { insecure: opts.insecure }),
      ...(opts.retry === undefined ? {} : { retry: opts.retry }),
      ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
      ...(opts.userAgent === undefined ? {} : { userAgent: opts.userAgent }),
      ...(opts.fetch === undefined ? {} : { fetch: opts.fetch }),
    });
    this.#core = {
      transport,
      chunkThreshold: opts.chunkThreshold ?? 16 * 1024 * 1024,
      chunkSize: opts.chunkSize ?? 8 * 1024 * 1024,
      maxManifestBytes: opts.maxManifestBytes ?? 4 * 1024 * 1024,
    };
  }

  /** Base URL used for a registry host (`http://` for loopback or insecure, else `https://`). */
  baseUrl(registry: string): string {
    return this.#core.transport.baseUrl(registry);
  }

  // Blobs
  headBlob(r: RefLike, digest: string, opts?: SignalOptions): Promise<{ size: number } | undefined> {
    return headBlob(this.#core, ref(r), digest, opts);
  }
  pushBlob(r: RefLike, source: BlobSource, opts?: PushBlobOptions): Promise<PushBlobResult> {
    return pushBlob(this.#core, ref(r), source, opts);
  }
  getBlob(r: RefLike, digest: string, opts?: BlobReadOptions): Promise<Uint8Array> {
    return getBlob(this.#core, ref(r), digest, opts);
  }
  openBlob(r: RefLike, digest: string, opts?: BlobReadOptions): ReturnType<typeof openBlob> {
    return openBlob(this.#core, ref(r), digest, opts);
  }
  downloadBlob(
    r: RefLike,
    digest: string,
    path: string,
    opts?: BlobReadOptions,
  ): Promise<{ digest: string; size: number }> {
    return downloadBlob(this.#core, ref(r), digest, path, opts);
  }

  // Manifests
  getManifest(r: RefLike, opts?: GetManifestOptions): Promise<ManifestResult> {
    return getManifest(this.#core, ref(r), opts);
  }
  headManifest(r: RefLike, opts?: GetManifestOptions): Promise<ManifestHead> {
    return headManifest(this.#core, ref(r), opts);
  }
  /** HEAD that answers undefined instead of NotFoundError. */
  manifestExists(r: RefLike, opts?: GetManifestOptions): Promise<ManifestHead | undefined> {
    return manifestExists(this.#core, ref(r), opts);
  }
  putManifest(
    r: RefLike,
    manifest: Uint8Array | Manifest,
    opts?: PutManifestOptions,
  ): Promise<PutManifestResult> {
    return putManifest(this.#core, ref(r), manifest, opts);
  }
  deleteManifest(r: RefLike, opts?: SignalOptions): Promise<string> {
    return deleteManifest(this.#core, ref(r), opts);
  }
  /** Tag → digest (a digest reference answers itself). */
  resolve(r: RefLike, opts?: SignalOptions): Promise<string> {
    return resolveDigest(this.#core, ref(r), opts);
  }

  // Tags
  /** Points `tag` at the manifest `r` resolves to; reports the tag's previous digest. */
  tag(r: RefLike, tag: string, opts?: SignalOptions): Promise<TagResult> {
    return tagManifest(this.#core, ref(r), tag, opts);
  }
  listTags(r: RefLike, opts?: ListTagsOptions): Promise<string[]> {
    return listTags(this.#core, ref(r), opts);
  }

  // Referrers
  listReferrers(r: RefLike, subjectDigest: string, opts?: ReferrersOptions): Promise<ReferrersResult> {
    return listReferrers(this.#core, ref(r), subjectDigest, opts);
  }
  pushReferrer(
    r: RefLike,
    manifest: Manifest,
    opts?: SignalOptions & { mediaType?: string },
  ): Promise<PushReferrerResult> {
    return pushReferrer(this.#core, ref(r), manifest, opts);
  }
}
