/** sha256 digests of bytes and files, and the digest-verifying stream every download goes through. */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { Transform, type TransformCallback } from "node:stream";
import { UsageError } from "../errors/index.ts";
import { ContentTooLargeError, DigestMismatchError } from "./errors.ts";

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

const algorithms = new Set(["sha256", "sha512"]);

/** The hash algorithm of a digest, or a UsageError for one this client cannot verify. */
export function digestAlgorithm(digest: string): "sha256" | "sha512" {
  const algo = digest.split(":")[0] ?? "";
  if (!algorithms.has(algo)) {
    throw new UsageError(
      `digest ${digest} uses the algorithm "${algo}", which cannot be verified: use sha256 or sha512`,
    );
  }
  return algo as "sha256" | "sha512";
}

/** The digest of `bytes` with the algorithm of `like` (sha256 by default). */
export function digestLike(bytes: Uint8Array, like?: string): string {
  const algo = like ? digestAlgorithm(like) : "sha256";
  return `${algo}:${createHash(algo).update(bytes).digest("hex")}`;
}

/** Digest and size of a file, streamed. */
export async function fileDigest(
  path: string,
  signal?: AbortSignal,
): Promise<{ digest: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(path, { signal })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: `sha256:${hash.digest("hex")}`, size };
}

/**
 * A pass-through that hashes what flows and, at the end, fails with DigestMismatchError instead of
 * ending when the bytes do not match (or ContentTooLargeError as soon as the cap is passed). Consumers
 * must treat what they received as untrusted until the stream ends without error.
 */
export class VerifyingStream extends Transform {
  readonly #hash;
  readonly #expected: string;
  readonly #reference: string;
  readonly #maxBytes: number;
  #size = 0;
  constructor(reference: string, expected: string, maxBytes = Number.POSITIVE_INFINITY) {
    // Large buffers: blob downloads are bulk transfers, and 16 KiB steps cost more in calls than in memory.
    super({ highWaterMark: 1 << 20 });
    this.#hash = createHash(digestAlgorithm(expected));
    this.#expected = expected;
    this.#reference = reference;
    this.#maxBytes = maxBytes;
  }
  get size(): number {
    return this.#size;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.#size += chunk.length;
    if (this.#size > this.#maxBytes) {
      cb(new ContentTooLargeError(this.#reference, this.#maxBytes));
      return;
    }
    this.#hash.update(chunk);
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    const algo = this.#expected.split(":")[0]!;
    const actual = `${algo}:${this.#hash.digest("hex")}`;
    if (actual !== this.#expected) cb(new DigestMismatchError(this.#reference, this.#expected, actual));
    else cb();
  }
}
