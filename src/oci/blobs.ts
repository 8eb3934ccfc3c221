/**
 * Blob reads: existence check, streaming download verified against the digest while it streams (into
 * memory, a file, or the caller's consumer), with a size cap. A mismatch or an over-size blob fails with
 * a typed error and leaves no file behind.
 */
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { pipeline as pipelineCb, Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ClientCore, SignalOptions } from "./core.ts";
import { digestAlgorithm, VerifyingStream } from "./digest.ts";
import { ContentTooLargeError } from "./errors.ts";
import type { Reference } from "./reference.ts";
import { backoffDelay, isRetriableNetworkCode, wait } from "./retry.ts";
import { discard, networkCode, repoScope } from "./transport.ts";

export interface BlobReadOptions extends SignalOptions {
  /** Refuse blobs larger than this many bytes. Default: no cap. */
  maxBytes?: number;
}

function blobName(ref: Reference, digest: string): string {
  return `${ref.registry}/${ref.repository}@${digest}`;
}

/** Size of the blob when the registry has it, undefined when not. */
export async function headBlob(
  core: ClientCore,
  ref: Reference,
  digest: string,
  opts: SignalOptions = {},
): Promise<{ size: number } | undefined> {
  const res = await core.transport.send({
    registry: ref.registry,
    method: "HEAD",
    path: `/v2/${ref.repository}/blobs/${digest}`,
    scopes: [repoScope(ref.repository, "pull")],
    operation: `head blob ${blobName(ref, digest)}`,
    expect: [200, 404],
    signal: opts.signal,
  });
  await discard(res);
  if (res.status === 404) return undefined;
  return { size: Number(res.headers.get("content-length") ?? 0) };
}

/**
 * Opens the blob as a stream that verifies the digest as it flows: the stream errors with
 * DigestMismatchError (or ContentTooLargeError) instead of ending cleanly. Treat the bytes as untrusted
 * until the stream has ended without error.
 */
export async function openBlob(
  core: ClientCore,
  ref: Reference,
  digest: string,
  opts: BlobReadOptions = {},
): Promise<{ stream: Readable; size: number | undefined }> {
  const name = blobName(ref, digest);
  digestAlgorithm(digest); // refuse what cannot be verified before asking for it
  const res = await core.transport.send({
    registry: ref.registry,
    method: "GET",
    path: `/v2/${ref.repository}/blobs/${digest}`,
    scopes: [repoScope(ref.repository, "pull")],
    operation: `get blob ${name}`,
    expect: [200],
    notFound: { kind: "blob", reference: name },
    stream: true,
    signal: opts.signal,
  });
  const lengthHeader = res.headers.get("content-length");
  const size = lengthHeader === null ? undefined : Number(lengthHeader);
  if (opts.maxBytes !== undefined && size !== undefined && size > opts.maxBytes) {
    await discard(res);
    throw new ContentTooLargeError(name, opts.maxBytes, size);
  }
  const verify = new VerifyingStream(name, digest, opts.maxBytes);
  // The body stream errors with the abort reason when opts.signal fires (see http.ts).
  const source = res.body ?? Readable.from([]);
  // pipeline: an error on either side destroys both, so an abandoned download releases the connection.
  pipelineCb(source, verify, () => {});
  return { stream: verify, size };
}

/** The whole blob in memory, verified. For small blobs (configs, signatures). */
export async function getBlob(
  core: ClientCore,
  ref: Reference,
  digest: string,
  opts: BlobReadOptions = {},
): Promise<Uint8Array> {
  const { stream } = await openBlob(core, ref, digest, opts);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Downloads into `path` through a temporary file in the same folder, renamed into place only after the
 * digest matched. On any failure the temporary file is removed and `path` is untouched.
 */
export async function downloadBlob(
  core: ClientCore,
  ref: Reference,
  digest: string,
  path: string,
  opts: BlobReadOptions = {},
): Promise<{ digest: string; size: number }> {
  const policy = core.transport.retryPolicy;
  for (let attempt = 0; ; attempt++) {
    try {
      return await downloadOnce(core, ref, digest, path, opts);
    } catch (err) {
      // A connection cut mid-body is worth a fresh attempt; a digest mismatch or a 404 is not.
      opts.signal?.throwIfAborted();
      if (attempt + 1 >= policy.maxAttempts || !isRetriableNetworkCode(networkCode(err))) throw err;
      await wait(backoffDelay(attempt, policy), opts.signal);
    }
  }
}

async function downloadOnce(
  core: ClientCore,
  ref: Reference,
  digest: string,
  path: string,
  opts: BlobReadOptions,
): Promise<{ digest: string; size: number }> {
  const { stream } = await openBlob(core, ref, digest, opts);
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.part`);
  try {
    await pipeline(
      stream,
      createWriteStream(tmp, { flags: "wx", highWaterMark: 1 << 20 }),
      opts.signal ? { signal: opts.signal } : {},
    );
    await rename(tmp, path);
  } catch (err) {
    stream.destroy();
    await rm(tmp, { force: true });
    throw err;
  }
  return { digest, size: (stream as VerifyingStream).size };
}
