/**
 * Builds the reproducible gzipped tarball of a source tree: the entries of walkSource, headers written as
 * Go's archive/tar writes them (see tar-header.ts), gzip at the default level. The uncompressed tar is
 * byte-identical to fluxcd/pkg/tar's for the same tree; the gzip bytes come from zlib, not Go's
 * compress/flate, so the compressed layer digest differs from flux's (docs/publish.md).
 */
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream, readFileSync } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { SourcePathError } from "./errors.ts";
import { BLOCK, END_OF_ARCHIVE, encodeHeader, padding } from "./tar-header.ts";
import { type SourceEntry, type WalkOptions, walkSource } from "./walk.ts";

export interface BuildOptions extends WalkOptions {
  /** gzip level, default 6 (Go's DefaultCompression). */
  level?: number;
}

export interface BuiltTarball {
  /** sha256 of the gzipped bytes: the layer digest. */
  digest: string;
  /** Size of the gzipped bytes. */
  size: number;
  /** sha256 of the uncompressed tar (the OCI diff_id). */
  diffId: string;
  /** Regular files packed. */
  files: number;
  /** Sum of the packed files' sizes. */
  contentBytes: number;
}

const READ_CHUNK = 256 * 1024;

/** Files up to this size are read with one call. */
const WHOLE_FILE = 1024 * 1024;

async function* fileBytes(entry: SourceEntry, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const path = entry.path ?? "";
  if (entry.size <= WHOLE_FILE) {
    let buf: Buffer;
    try {
      // One synchronous read: for small files the thread-pool round trips cost more than the read.
      signal?.throwIfAborted();
      buf = readFileSync(path);
    } catch (err) {
      throw new SourcePathError(path, "cannot be read", err);
    }
    if (buf.length !== entry.size)
      throw new SourcePathError(path, "changed size while it was being packed (is something writing to it?)");
    yield buf;
    return;
  }
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, "r");
  } catch (err) {
    throw new SourcePathError(path, "cannot be opened", err);
  }
  try {
    let left = entry.size;
    while (left > 0) {
      signal?.throwIfAborted();
      const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, left));
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0)
        throw new SourcePathError(path, "shrank while it was being packed (is something writing to it?)");
      left -= bytesRead;
      yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

/** The uncompressed tar stream of a source, chunk by chunk. */
export async function* tarChunks(
  sourcePath: string,
  opts: WalkOptions = {},
  stats: { files: number; contentBytes: number } = { files: 0, contentBytes: 0 },
): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingSize = 0;
  for await (const entry of walkSource(sourcePath, opts)) {
    pending.push(encodeHeader(entry));
    pendingSize += BLOCK;
    if (entry.type === "file") {
      stats.files++;
      stats.contentBytes += entry.size;
      if (entry.size > 0) {
        // Small files are batched with their headers so the gzip stream sees few, larger writes.
        for await (const chunk of fileBytes(entry, opts.signal)) {
          pending.push(chunk);
          pendingSize += chunk.length;
          if (pendingSize >= READ_CHUNK) {
            yield Buffer.concat(pending);
            pending = [];
            pendingSize = 0;
          }
        }
        const pad = padding(entry.size);
        if (pad) pending.push(Buffer.alloc(pad));
        pendingSize += pad;
      }
    }
    if (pendingSize >= READ_CHUNK) {
      yield Buffer.concat(pending);
      pending = [];
      pendingSize = 0;
    }
  }
  pending.push(END_OF_ARCHIVE);
  yield Buffer.concat(pending);
}

class HashingStream extends Transform {
  readonly hash = createHash("sha256");
  size = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    cb(null, chunk);
  }
}

/**
 * Writes the gzipped tarball of `sourcePath` to `outFile` (through a temporary file renamed into place,
 * so a failed build leaves nothing) and returns its digests.
 */
export async function buildTarball(
  sourcePath: string,
  outFile: string,
  opts: BuildOptions = {},
): Promise<BuiltTarball> {
  const stats = { files: 0, contentBytes: 0 };
  const tarHash = new HashingStream();
  const gzHash = new HashingStream();
  const tmp = join(dirname(outFile), `.${basename(outFile)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await pipeline(
      Readable.from(tarChunks(sourcePath, opts, stats)),
      tarHash,
      // Larger output chunks mean fewer thread-pool round trips; the compressed bytes are the same.
      createGzip({ level: opts.level ?? 6, chunkSize: 64 * 1024 }),
      gzHash,
      createWriteStream(tmp, { mode: 0o640 }),
      { signal: opts.signal },
    );
    await rename(tmp, outFile);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return {
    digest: `sha256:${gzHash.hash.digest("hex")}`,
    size: gzHash.size,
    diffId: `sha256:${tarHash.hash.digest("hex")}`,
    files: stats.files,
    contentBytes: stats.contentBytes,
  };
}
