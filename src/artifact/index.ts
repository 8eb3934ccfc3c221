/**
 * The Flux OCI artifact format: what `flux push artifact` writes and source-controller reads.
 *
 * Does: build the reproducible gzipped tarball of a folder or a single file (Go archive/tar headers byte
 * for byte, sorted walk, `.sourceignore` and ignore paths in gitignore syntax, `.git` never included,
 * symlinks skipped as flux does), the config blob, manifest and annotations of a Flux artifact, safe and
 * atomic extraction with size and file-count caps, and file-level trees and diffs.
 * Does not: talk to registries (src/oci), or decide tags and releases (src/publish).
 */
export { type BuildOptions, type BuiltTarball, buildTarball, tarChunks } from "./build.ts";
export {
  ArchiveTooLargeError,
  ExtractTargetError,
  InvalidArchiveError,
  SourcePathError,
  UnsafeArchiveEntryError,
} from "./errors.ts";
export { type ExtractOptions, type ExtractResult, extractTarball } from "./extract.ts";
export {
  ANNOTATION_CREATED,
  ANNOTATION_REVISION,
  ANNOTATION_SOURCE,
  type ArtifactMetadata,
  DEFAULT_IGNORE_PATHS,
  FLUX_CONFIG_MEDIA_TYPE,
  FLUX_CONTENT_MEDIA_TYPE,
  FLUX_CONTENT_MEDIA_TYPE_PREFIX,
  formatCreated,
  metadataFromAnnotations,
  OCI_MANIFEST_MEDIA_TYPE,
  REPRODUCIBLE_CREATED,
} from "./format.ts";
export {
  artifactAnnotations,
  type BlobDescriptor,
  configBlob,
  configDescriptor,
  FLUX_CONFIG_BLOB_DIGEST,
  type FluxManifest,
  layerDescriptor,
  manifestBytes,
} from "./manifest.ts";
export { DEFAULT_MAX_BYTES, DEFAULT_MAX_FILES, type ReadLimits, readTarball, type TarEntry } from "./read.ts";
export {
  diffTrees,
  isEmptyDiff,
  sourceTree,
  type Tree,
  type TreeDiff,
  type TreeFile,
  tarballTree,
} from "./tree.ts";
export { type SourceEntry, type WalkOptions, walkSource } from "./walk.ts";
