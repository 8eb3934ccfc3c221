/**
 * Reads a gzipped tarball entry by entry with the decompression-bomb guards every reader shares: a cap on
 * the declared content bytes, on the number of entries, and on the raw decompressed stream. Entry names
 * are normalized and checked (no absolute paths, no `..`) before a caller sees them.
 */
import { type Readable, Transform, type TransformCallback } from "node:stream";
import { finished } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type { Header } from "tar-stream";
import { ArchiveTooLargeError, InvalidArchiveError, UnsafeArchiveEntryError } from "./errors.ts";

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

function entryType(h: Header): EntryType | "skip" {
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
      // Metadata records (PAX, GNU long names) are folded into headers by tar-stream.
      if (String(h.type).startsWith("pax") || String(h.type).startsWith("gnu")) return "skip";
      throw new UnsafeArchiveEntryError(h.name, `entries of type "${String(h.type)}" are not supported`);
  }
}

/** The entry as callers see it, or undefined for records they skip (root folder, metadata). */
function checkedEntry(
  entry: Readable & { header: Header },
  guarded: (entry: Readable) => AsyncIterable<Buffer>,
  counts: { entries: number; bytes: number },
  what: string,
  maxBytes: number,
  maxFiles: number,
): TarEntry | undefined {
  const h = entry.header;
  const type = entryType(h);
  if (type === "skip") return undefined;
  const path = normalizeEntryPath(h.name);
  if (path === "") {
    if (type !== "dir") throw new UnsafeArchiveEntryError(h.name, "a non-directory entry names the root");
    return undefined;
  }
  if (++counts.entries > maxFiles) throw new ArchiveTooLargeError(what, maxFiles, "files");
  const size = type === "file" ? h.size : 0;
  counts.bytes += size;
  if (counts.bytes > maxBytes) throw new ArchiveTooLargeError(what, maxBytes, "bytes");
  const out: TarEntry = { path, type, mode: h.mode & 0o7777, size, content: guarded(entry) };
  if (type === "symlink") out.linkname = h.linkname ?? "";
  if (type === "hardlink") out.linkname = normalizeEntryPath(h.linkname ?? "");
  return out;
}

/** Yields the checked entries of a gzipped tarball. Errors are typed (see errors.ts). */
export async function* readTarball(input: Readable, limits: ReadLimits = {}): AsyncGenerator<TarEntry> {
  const what = limits.what ?? "the archive";
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxFiles = limits.maxFiles ?? DEFAULT_MAX_FILES;
  // Headers, PAX records and padding add at most a few blocks per entry beyond the content.
  const rawCap = maxBytes + (maxFiles + 16) * 4096;
  // Loaded here, not at import: `ferry push` packs without it and does not pay for its eleven modules.
  const { extract } = await import("tar-stream");
  // 64 KiB output chunks instead of zlib's 16 KiB: each chunk is a thread-pool round trip, and on a busy
  // machine those, not inflating, dominated a 20 MB pull.
  const gunzip = createGunzip({ chunkSize: 64 * 1024 });
  const counter = new CountingStream(rawCap, () => new ArchiveTooLargeError(what, maxBytes, "bytes"));
  const ex = extract();
  let failure: unknown;
  let current: Readable | undefined;
  const fail = (err: unknown) => {
    failure ??= err;
    // The entry being read would otherwise wait forever for bytes that never come.
    if (current && !current.destroyed) current.destroy(failure as Error);
    ex.destroy(failure as Error);
  };
  input.on("error", fail);
  gunzip.on("error", (err) => fail(new InvalidArchiveError(what, err.message, err)));
  counter.on("error", fail);
  // The input may verify a digest only at its very end: the archive counts as read once it ended cleanly.
  const inputDone = finished(input).catch(fail);
  input.pipe(gunzip).pipe(counter).pipe(ex);
  const onAbort = () => fail(limits.signal?.reason ?? new Error("aborted"));
  limits.signal?.addEventListener("abort", onAbort, { once: true });
  const counts = { entries: 0, bytes: 0 };
  // When the archive fails mid-entry, the reader of that entry sees why, not a bare "destroyed".
  const guarded = async function* (entry: Readable): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of entry) yield chunk as Buffer;
    } catch (err) {
      throw failure ?? asArchiveError(err, what);
    }
  };
  try {
    for await (const entry of ex as AsyncIterable<Readable & { header: Header }>) {
      current = entry;
      const out = checkedEntry(entry, guarded, counts, what, maxBytes, maxFiles);
      if (out) yield out;
      entry.resume();
    }
    await inputDone;
    if (failure) throw failure;
  } catch (err) {
    const e = failure ?? asArchiveError(err, what);
    fail(e);
    throw e;
  } finally {
    limits.signal?.removeEventListener("abort", onAbort);
    input.unpipe();
    // Also when the caller stopped early (its own error): release every stage of the pipeline.
    for (const s of [input, gunzip, counter]) if (!s.destroyed) s.destroy();
    if (!ex.destroyed) ex.destroy();
  }
}

/** The error a tar-stream parse failure becomes. */
export function asArchiveError(err: unknown, what: string): unknown {
  if (err instanceof Error && !("exitCode" in err) && /tar|header|gzip|unexpected end/i.test(err.message)) {
    return new InvalidArchiveError(what, err.message, err);
  }
  return err;
}
