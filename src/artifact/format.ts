/**
 * The Flux OCI artifact contract, as `flux push artifact` (fluxcd/pkg/oci Push) writes it and
 * source-controller reads it: an OCI image manifest (no artifactType) whose config has Flux's config media
 * type and whose single layer is a gzipped tarball of the source tree, with OpenContainers annotations.
 */

/** Config media type of every Flux artifact (fluxcd/pkg/oci CanonicalConfigMediaType). */
export const FLUX_CONFIG_MEDIA_TYPE = "application/vnd.cncf.flux.config.v1+json";
/** Prefix of Flux content layer media types; a static (non-tarball) layer uses it plus `.<ext>`. */
export const FLUX_CONTENT_MEDIA_TYPE_PREFIX = "application/vnd.cncf.flux.content.v1";
/** Layer media type of a Flux tarball artifact (fluxcd/pkg/oci CanonicalContentMediaType). */
export const FLUX_CONTENT_MEDIA_TYPE = `${FLUX_CONTENT_MEDIA_TYPE_PREFIX}.tar+gzip`;
export const OCI_MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";

export const ANNOTATION_SOURCE = "org.opencontainers.image.source";
export const ANNOTATION_REVISION = "org.opencontainers.image.revision";
export const ANNOTATION_CREATED = "org.opencontainers.image.created";

/** What `flux push artifact --reproducible` puts in `created`: the Unix epoch. */
export const REPRODUCIBLE_CREATED = "1970-01-01T00:00:00Z";

/**
 * Paths `flux push artifact` ignores when `--ignore-paths` is not given (fluxcd/pkg/sourceignore
 * ExcludeVCS + ExcludeExt). Ferry uses the same default; `.git` is excluded whatever the flags.
 */
export const DEFAULT_IGNORE_PATHS: readonly string[] = [
  ".git/",
  ".gitignore",
  ".gitmodules",
  ".gitattributes",
  "*.jpg",
  "*.jpeg",
  "*.gif",
  "*.png",
  "*.wmv",
  "*.flv",
  "*.tar.gz",
  "*.zip",
];

/** Metadata carried by a Flux artifact's manifest annotations. */
export interface ArtifactMetadata {
  /** `org.opencontainers.image.source`, e.g. the Git URL. */
  source?: string | undefined;
  /** `org.opencontainers.image.revision`, e.g. `main@sha1:<sha>`. */
  revision?: string | undefined;
  /** `org.opencontainers.image.created`, RFC 3339 in UTC with seconds. */
  created?: string | undefined;
  /** Every annotation of the manifest, the three above included. */
  annotations: Record<string, string>;
}

export function metadataFromAnnotations(annotations: Record<string, string> | undefined): ArtifactMetadata {
  const a = annotations ?? {};
  return {
    source: a[ANNOTATION_SOURCE],
    revision: a[ANNOTATION_REVISION],
    created: a[ANNOTATION_CREATED],
    annotations: { ...a },
  };
}

/** RFC 3339 in UTC to the second, the way Go formats `time.Now().UTC()` with time.RFC3339. */
export function formatCreated(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
