/** Typed errors of the artifact format: building tarballs from a source tree and extracting them safely. */
import { FerryError, UsageError } from "../errors/index.ts";

/** The path given to build an artifact from does not exist or cannot be read. */
export class SourcePathError extends UsageError {
  override name = "SourcePathError";
  readonly path: string;
  constructor(path: string, problem: string, cause?: unknown) {
    super(`source path ${path} ${problem}: pass --path pointing at an existing directory or file`, { cause });
    this.path = path;
  }
}

/** A tarball entry that would land outside the target folder or is of a kind Ferry never extracts. */
export class UnsafeArchiveEntryError extends FerryError {
  override name = "UnsafeArchiveEntryError";
  readonly entry: string;
  readonly reason: string;
  constructor(entry: string, reason: string) {
    super(
      `refusing to extract archive entry "${entry}": ${reason}; the artifact is malformed or malicious, nothing was extracted`,
    );
    this.entry = entry;
    this.reason = reason;
  }
}

/** The archive unpacks to more bytes or more files than the configured caps (a decompression bomb guard). */
export class ArchiveTooLargeError extends FerryError {
  override name = "ArchiveTooLargeError";
  readonly limit: number;
  readonly unit: "bytes" | "files";
  constructor(what: string, limit: number, unit: "bytes" | "files") {
    super(
      `${what} unpacks to more than ${limit} ${unit}, the extraction limit: nothing was extracted; raise the limit (maxBytes / maxFiles) if this artifact is expected to be that large`,
    );
    this.limit = limit;
    this.unit = unit;
  }
}

/** The layer is not a readable gzipped tarball. */
export class InvalidArchiveError extends FerryError {
  override name = "InvalidArchiveError";
  readonly what: string;
  constructor(what: string, problem: string, cause?: unknown) {
    super(`${what} is not a valid gzipped tarball (${problem}): re-push the artifact with ferry or flux`, {
      cause,
    });
    this.what = what;
  }
}

/** The extraction target exists and is not an empty folder, so it cannot be replaced atomically. */
export class ExtractTargetError extends UsageError {
  override name = "ExtractTargetError";
  readonly target: string;
  constructor(target: string, problem: string, cause?: unknown) {
    super(`cannot extract into ${target}: ${problem}`, { cause });
    this.target = target;
  }
}
