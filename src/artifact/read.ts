/**
 * Reads a gzipped tarball entry by entry with the decompression-bomb guards every reader shares: a cap on
 * the declared content bytes, on the number of entries, and on the raw decompressed stream. Entry names
 * are normalized and checked (no absolute paths, no `..`) before a caller sees them.
 */
import { type Readable, Transform, type TransformCallback } from "node:stream";
import { finished } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { ArchiveTooLargeError, InvalidArchiveError, UnsafeArchiveEntryError } from "./errors.ts";
import { parseTar, type RawEntry, type RawHeader } from "./tar-parse.ts";

export const DEFAULT_MAX_BYTES = 1024 * 1024 * 1024;
export const DEFAULT_MAX_FILES = 100_000;

export interface ReadLimits {
  /** Most content bytes (sum of entry sizes) accepted. Default 1 GiB. */
  maxBytes?: number | undefined;
  /** Most entries accepted. Default 100,000. */
  maxFiles?: number | undefined;
  /** Names the archive in errors, e.g. the artifact reference. */
  what?: string | undefined;
  signal?: AbortSignal | undefined;
}

export type EntryType = "file" | "dir" | "symlink" | "hardlink";

export interface TarEntry {
  /** Normalized slash-separated path, never empty, never `.`, no `..`. */
  path: string;
  type: EntryType;
  mode: number;
  size: number;
  /** Symlink target as written, or the normalized archive path a hardlink points at. */
  linkname?: string;
  /** The content (files only); read it before asking for the next entry, or it is skipped. */
  content: AsyncIterable<Buffer>;
}

class CountingStream extends Transform {
  count = 0;
  readonly #max: number;
  readonly #onTooMuch: () => Error;
  constructor(max: number, onTooMuch: () => Error) {
    super();
    this.#max = max;
    this.#onTooMuch = onTooMuch;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.count += chunk.length;
    if (this.count > this.#max) cb(this.#onTooMuch());
    else cb(null, chunk);
  }
}

/** Normalizes an archive path; throws UnsafeArchiveEntryError for absolute paths and `..`. */
export function normalizeEntryPath(raw: string): string {
  if (raw.includes("\0")) throw new UnsafeArchiveEntryError(raw, "the name contains a NUL byte");
  if (raw.startsWith("/") || /^[A-Za-z]:[\\/]/.test(raw)) {
    throw new UnsafeArchiveEntryError(raw, "absolute paths are not allowed");
  }
  const parts = raw.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw new UnsafeArchiveEntryError(raw, "paths containing '..' are not allowed");
  return parts.join("/");
}

function entryType(h: RawHeader): EntryType {
  switch (h.type) {
    case "file":
    case "contiguous-file":
      return "file";
    case "directory":
      return "dir";
    case "symlink":
      return "symlink";
    case "link":
      return "hardlink";
    case "character-device":
    case "block-device":
      throw new UnsafeArchiveEntryError(h.name, "device files are never extracted");
    case "fifo":
      throw new UnsafeArchiveEntryError(h.name, "FIFOs are never extracted");
    default:
      throw new UnsafeArchiveEntryError(h.name, `entries of type flag "${h.flag}" are not supported`);
  }
}

/** The entry as callers see it, or undefined for the root folder, which callers skip. */
function checkedEntry(
  raw: RawEntry,
  counts: { entries: number; bytes: number },
  what: string,
  maxBytes: number,
  maxFiles: number,
): TarEntry | undefined {
  const h = raw.header;
  const type = entryType(h);
  const path = normalizeEntryPath(h.name);
  if (path === "") {
    if (type !== "dir") throw new UnsafeArchiveEntryError(h.name, "a non-directory entry names the root");
    return undefined;
  }
  if (++counts.entries > maxFiles) throw new ArchiveTooLargeError(what, maxFiles, "files");
  const size = type === "file" ? h.size : 0;
  counts.bytes += size;
  if (counts.bytes > maxBytes) throw new ArchiveTooLargeError(what, maxBytes, "bytes");
  const out: TarEntry = { path, type, mode: h.mode & 0o7777, size, content: raw.content };
  if (type === "symlink") out.linkname = h.linkname;
  if (type === "hardlink") out.linkname = normalizeEntryPath(h.linkname);
  return out;
}

/** Yields the checked entries of a gzipped tarball. Errors are typed (see errors.ts). */
export async function* readTarball(input: Readable, limits: ReadLimits = {}): AsyncGenerator<TarEntry> {
  const what = limits.what ?? "the archive";
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxFiles = limits.maxFiles ?? DEFAULT_MAX_FILES;
  // Headers, PAX records and padding add at most a few blocks per entry beyond the content.
  const rawCap = maxBytes + (maxFiles + 16) * 4096;
  // 64 KiB output chunks instead of zlib's 16 KiB: each chunk is a thread-pool round trip, and on a busy
  // machine those, not inflating, dominated a 20 MB pull.
  const gunzip = createGunzip({ chunkSize: 64 * 1024 });
  const counter = new CountingStream(rawCap, () => new ArchiveTooLargeError(what, maxBytes, "bytes"));
  let failure: unknown;
  // The first failure wins (a digest mismatch of the input, bad gzip, too many bytes); it ends the tar
  // stream the parser reads, so the parser and whoever reads an entry's content see that error.
  const fail = (err: unknown) => {
    failure ??= err;
    if (!counter.destroyed) counter.destroy(failure as Error);
  };
  input.on("error", fail);
  gunzip.on("error", (err) => fail(new InvalidArchiveError(what, err.message, err)));
  counter.on("error", fail);
  // The input may verify a digest only at its very end: the archive counts as read once it ended cleanly.
  const inputDone = finished(input).catch(fail);
  input.pipe(gunzip).pipe(counter);
  const onAbort = () => fail(limits.signal?.reason ?? new Error("aborted"));
  limits.signal?.addEventListener("abort", onAbort, { once: true });
  const counts = { entries: 0, bytes: 0 };
  try {
    for await (const raw of parseTar(
      guard(counter, () => failure),
      what,
    )) {
      const out = checkedEntry(raw, counts, what, maxBytes, maxFiles);
      if (out) yield out;
    }
    await inputDone;
    if (failure) throw failure;
  } catch (err) {
    const e = failure ?? err;
    fail(e);
    throw e;
  } finally {
    limits.signal?.removeEventListener("abort", onAbort);
    input.unpipe();
    // Also when the caller stopped early (its own error): release every stage of the pipeline.
    for (const s of [input, gunzip, counter]) if (!s.destroyed) s.destroy();
  }
}

/** The chunks of a stream; when it fails, the first recorded failure is thrown instead of a bare error. */
async function* guard(stream: Readable, failure: () => unknown): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (err) {
    throw failure() ?? err;
  }
}
