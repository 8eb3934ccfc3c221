/**
 * Referrers: `GET /v2/<name>/referrers/<digest>` when the registry has the API, else the tag-schema
 * fallback — an OCI index tagged `sha256-<hex>` listing the manifests whose `subject` is that digest.
 * Pushing a referrer puts the manifest; when the registry did not record the subject (no `OCI-Subject`
 * header), the fallback index is read, updated and written back. That read-modify-write is not atomic:
 * two concurrent writers can lose an entry (the spec offers no lock), so callers should not race on one
 * subject.
 */

import { UsageError } from "../errors/index.ts";
import { type ClientCore, readJson, type SignalOptions } from "./core.ts";
import { NotFoundError } from "./errors.ts";
import { getManifest, type PutManifestResult, putManifest } from "./manifests.ts";
import { type Descriptor, type ImageIndex, type Manifest, MediaTypes } from "./media-types.ts";
import { formatReference, type Reference } from "./reference.ts";
import { repoScope } from "./transport.ts";

export interface ReferrersOptions extends SignalOptions {
  artifactType?: string;
}

export interface ReferrersResult {
  referrers: Descriptor[];
  /** "api" when the registry answered the referrers API, "tag" when the fallback tag was read. */
  via: "api" | "tag";
}

/** `sha256-<hex>`: the fallback tag for a subject digest. */
export function fallbackTag(digest: string): string {
  return digest.replace(":", "-").slice(0, 128);
}

export async function listReferrers(
  core: ClientCore,
  ref: Reference,
  subjectDigest: string,
  opts: ReferrersOptions = {},
): Promise<ReferrersResult> {
  const name = `${ref.registry}/${ref.repository}@${subjectDigest}`;
  const query = opts.artifactType ? `?artifactType=${encodeURIComponent(opts.artifactType)}` : "";
  const res = await core.transport.send({
    registry: ref.registry,
    method: "GET",
    path: `/v2/${ref.repository}/referrers/${subjectDigest}${query}`,
    headers: { Accept: MediaTypes.ociIndex },
    scopes: [repoScope(ref.repository, "pull")],
    operation: `list referrers of ${name}`,
    expect: [200, 404],
    signal: opts.signal,
  });
  const type = (res.headers.get("content-type") ?? "").split(";")[0]!.trim();
  if (res.status === 200 && type === MediaTypes.ociIndex) {
    const index = await readJson<ImageIndex>(res, ref.registry, `list referrers of ${name}`);
    return { referrers: filter(index.manifests ?? [], opts.artifactType), via: "api" };
  }
  res.discard();
  const index = await readFallback(core, ref, subjectDigest, opts);
  return { referrers: filter(index?.manifests ?? [], opts.artifactType), via: "tag" };
}

function filter(list: Descriptor[], artifactType: string | undefined): Descriptor[] {
  return artifactType ? list.filter((d) => d.artifactType === artifactType) : list;
}

async function readFallback(
  core: ClientCore,
  ref: Reference,
  subjectDigest: string,
  opts: SignalOptions,
): Promise<ImageIndex | undefined> {
  const tagRef: Reference = {
    registry: ref.registry,
    repository: ref.repository,
    tag: fallbackTag(subjectDigest),
  };
  try {
    const got = await getManifest(core, tagRef, { accept: [MediaTypes.ociIndex], signal: opts.signal });
    return got.manifest as ImageIndex;
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

export interface PushReferrerResult extends PutManifestResult {
  /** "api" when the registry recorded the subject itself, "tag" when the fallback index was updated. */
  via: "api" | "tag";
}

/** Pushes a manifest that has a `subject`, and makes it findable on registries without the API. */
export async function pushReferrer(
  core: ClientCore,
  ref: Reference,
  manifest: Manifest,
  opts: SignalOptions & { mediaType?: string } = {},
): Promise<PushReferrerResult> {
  const name = formatReference(ref);
  if (!manifest.subject) {
    throw new UsageError(
      `the referrer pushed to ${name} has no "subject": set it to the descriptor it refers to`,
    );
  }
  const target: Reference = { registry: ref.registry, repository: ref.repository };
  const put = await putManifest(core, target, manifest, opts);
  if (put.subjectRecorded) return { ...put, via: "api" };
  const subject = manifest.subject.digest;
  const existing = await readFallback(core, ref, subject, opts);
  const entry: Descriptor = { mediaType: put.mediaType, digest: put.digest, size: put.size };
  const artifactType =
    manifest.artifactType ?? ("config" in manifest ? manifest.config.mediaType : undefined);
  if (artifactType) entry.artifactType = artifactType;
  if (manifest.annotations) entry.annotations = manifest.annotations;
  const others = (existing?.manifests ?? []).filter((d) => d.digest !== put.digest);
  const index: ImageIndex = {
    schemaVersion: 2,
    mediaType: MediaTypes.ociIndex,
    manifests: [...others, entry],
  };
  await putManifest(core, { ...target, tag: fallbackTag(subject) }, index, { signal: opts.signal });
  return { ...put, via: "tag" };
}
