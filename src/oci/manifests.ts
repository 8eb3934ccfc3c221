/** Manifests: get (bytes checked against the digest), head, put by tag or digest, delete, resolve. */
import { UsageError } from "../errors/index.ts";
import { type ClientCore, readLimited, type SignalOptions } from "./core.ts";
import { digestAlgorithm, digestLike } from "./digest.ts";
import { ContentTooLargeError, DigestMismatchError, UnsupportedMediaTypeError } from "./errors.ts";
import type { HttpResponse } from "./http.ts";
import { type Manifest, manifestMediaTypes } from "./media-types.ts";
import { formatReference, type Reference } from "./reference.ts";
import { discard, repoScope } from "./transport.ts";

export interface ManifestResult {
  /** The exact bytes the registry holds (the digest is over these). */
  bytes: Uint8Array;
  manifest: Manifest;
  mediaType: string;
  digest: string;
  /** The reference resolved to its digest. */
  reference: Reference;
}

export interface ManifestHead {
  digest: string;
  mediaType: string;
  size: number;
}

export interface GetManifestOptions extends SignalOptions {
  /** Media types to accept; default: OCI manifest and index, Docker schema 2 manifest and list. */
  accept?: readonly string[];
}

function target(ref: Reference): string {
  const t = ref.digest ?? ref.tag;
  if (!t)
    throw new UsageError(
      `reference ${formatReference(ref)} has neither a tag nor a digest: add :TAG or @sha256:…`,
    );
  return t;
}

export async function getManifest(
  core: ClientCore,
  ref: Reference,
  opts: GetManifestOptions = {},
): Promise<ManifestResult> {
  const name = formatReference(ref);
  if (ref.digest) digestAlgorithm(ref.digest);
  const accept = opts.accept ?? manifestMediaTypes;
  const res = await core.transport.send({
    registry: ref.registry,
    method: "GET",
    path: `/v2/${ref.repository}/manifests/${target(ref)}`,
    headers: { Accept: accept.join(", ") },
    scopes: [repoScope(ref.repository, "pull")],
    operation: `get manifest ${name}`,
    expect: [200],
    notFound: { kind: ref.digest ? "manifest" : "tag", reference: name },
    signal: opts.signal,
  });
  const bytes = await readBody(core, res, name);
  const digest = digestLike(bytes, ref.digest);
  if (ref.digest && ref.digest !== digest) throw new DigestMismatchError(name, ref.digest, digest);
  const header = headerDigest(res);
  if (!ref.digest && header?.startsWith("sha256:") && header !== digest) {
    throw new DigestMismatchError(name, header, digest);
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(bytes)) as Manifest;
  } catch {
    throw new UnsupportedMediaTypeError(name, "(not JSON)", accept);
  }
  const headerType = (res.headers.get("content-type") ?? "").split(";")[0]!.trim();
  const mediaType = manifest.mediaType ?? headerType;
  if (!accept.includes(mediaType)) throw new UnsupportedMediaTypeError(name, mediaType, accept);
  return {
    bytes,
    manifest,
    mediaType,
    digest,
    reference: { registry: ref.registry, repository: ref.repository, tag: ref.tag, digest },
  };
}

async function readBody(core: ClientCore, res: HttpResponse, name: string): Promise<Uint8Array> {
  return readLimited(res, core.maxManifestBytes, () => new ContentTooLargeError(name, core.maxManifestBytes));
}

function headerDigest(res: HttpResponse): string | undefined {
  return res.headers.get("docker-content-digest") ?? undefined;
}

/** HEAD: the digest, media type and size, or NotFoundError. */
export async function headManifest(
  core: ClientCore,
  ref: Reference,
  opts: GetManifestOptions = {},
): Promise<ManifestHead> {
  const name = formatReference(ref);
  const res = await core.transport.send({
    registry: ref.registry,
    method: "HEAD",
    path: `/v2/${ref.repository}/manifests/${target(ref)}`,
    headers: { Accept: (opts.accept ?? manifestMediaTypes).join(", ") },
    scopes: [repoScope(ref.repository, "pull")],
    operation: `head manifest ${name}`,
    expect: [200],
    notFound: { kind: ref.digest ? "manifest" : "tag", reference: name },
    signal: opts.signal,
  });
  await discard(res);
  const digest = headerDigest(res);
  if (!digest) {
    // Some registries omit the header on HEAD; fall back to a GET, which computes it.
    const got = await getManifest(core, ref, opts);
    return { digest: got.digest, mediaType: got.mediaType, size: got.bytes.length };
  }
  return {
    digest,
    mediaType: (res.headers.get("content-type") ?? "").split(";")[0]!.trim(),
    size: Number(res.headers.get("content-length") ?? 0),
  };
}

/** Like headManifest, but undefined instead of NotFoundError. */
export async function manifestExists(
  core: ClientCore,
  ref: Reference,
  opts: GetManifestOptions = {},
): Promise<ManifestHead | undefined> {
  try {
    return await headManifest(core, ref, opts);
  } catch (err) {
    if ((err as Error).name === "NotFoundError") return undefined;
    throw err;
  }
}

export async function resolveDigest(
  core: ClientCore,
  ref: Reference,
  opts: SignalOptions = {},
): Promise<string> {
  if (ref.digest) return ref.digest;
  return (await headManifest(core, ref, opts)).digest;
}

export interface PutManifestOptions extends SignalOptions {
  /** Content-Type; default: the manifest's own `mediaType` field. */
  mediaType?: string;
}

export interface PutManifestResult {
  digest: string;
  size: number;
  mediaType: string;
  /** Set when the registry supports the referrers API and recorded this manifest's subject. */
  subjectRecorded: boolean;
  reference: Reference;
}

/** PUT by the reference's tag, or by its digest (which must match the bytes), or by the computed digest. */
export async function putManifest(
  core: ClientCore,
  ref: Reference,
  manifest: Uint8Array | Manifest,
  opts: PutManifestOptions = {},
): Promise<PutManifestResult> {
  const bytes =
    manifest instanceof Uint8Array ? manifest : new TextEncoder().encode(JSON.stringify(manifest));
  const digest = digestLike(bytes, ref.digest);
  const name = formatReference(ref);
  if (ref.digest && ref.digest !== digest) throw new DigestMismatchError(name, ref.digest, digest);
  const parsed =
    manifest instanceof Uint8Array ? (JSON.parse(new TextDecoder().decode(bytes)) as Manifest) : manifest;
  const mediaType = opts.mediaType ?? parsed.mediaType;
  if (!mediaType) throw new UnsupportedMediaTypeError(name, "", manifestMediaTypes);
  const res = await core.transport.send({
    registry: ref.registry,
    method: "PUT",
    path: `/v2/${ref.repository}/manifests/${ref.tag ?? digest}`,
    headers: { "Content-Type": mediaType },
    body: bytes,
    scopes: [repoScope(ref.repository, "pull,push")],
    operation: `put manifest ${name}`,
    expect: [201, 200],
    signal: opts.signal,
  });
  await discard(res);
  return {
    digest,
    size: bytes.length,
    mediaType,
    subjectRecorded: res.headers.has("oci-subject"),
    reference: { registry: ref.registry, repository: ref.repository, tag: ref.tag, digest },
  };
}

/** DELETE by digest (a tag is resolved first; registries delete manifests, not tags). */
export async function deleteManifest(
  core: ClientCore,
  ref: Reference,
  opts: SignalOptions = {},
): Promise<string> {
  const digest = await resolveDigest(core, ref, opts);
  const name = formatReference(ref);
  const res = await core.transport.send({
    registry: ref.registry,
    method: "DELETE",
    path: `/v2/${ref.repository}/manifests/${digest}`,
    scopes: [repoScope(ref.repository, "delete")],
    operation: `delete manifest ${name}`,
    expect: [202, 200],
    notFound: { kind: "manifest", reference: name },
    signal: opts.signal,
  });
  await discard(res);
  return digest;
}
