/**
 * Blob upload: HEAD first (present → skipped, reported as such), optional cross-repository mount, then
 * one monolithic PUT for small blobs or PATCH chunks with Content-Range for large ones, closed by a PUT
 * with `?digest=`. Sources are bytes in memory or a file streamed from disk (memory stays bounded).
 */
import { open, stat } from "node:fs/promises";
import { headBlob } from "./blobs.ts";
import type { ClientCore, SignalOptions } from "./core.ts";
import { digestAlgorithm, fileDigest, sha256Digest } from "./digest.ts";
import {
  DigestMismatchError,
  NotFoundError,
  RegistryError,
  RegistryUnreachableError,
  RequestTimeoutError,
} from "./errors.ts";
import type { HttpBody, HttpResponse } from "./http.ts";
import type { Reference } from "./reference.ts";
import { backoffDelay, isRetriableNetworkCode, isRetriableStatus, wait } from "./retry.ts";
import { discard, repoScope } from "./transport.ts";

export type BlobSource = Uint8Array | { path: string };

export interface PushBlobOptions extends SignalOptions {
  /**
   * Known digest of the source; computed when absent. Checked when given for bytes; for a file it is
   * trusted (the file is not read twice) and the registry checks it when the upload is closed.
   */
  digest?: string;
  /** Try a cross-repository mount from this repository (same registry) before uploading. */
  mountFrom?: string;
  /** Force chunked (true) or monolithic (false) upload; default by size against the client threshold. */
  chunked?: boolean;
}

export interface PushBlobResult {
  digest: string;
  size: number;
  /** "uploaded", "exists" (HEAD found it, nothing sent) or "mounted". */
  action: "uploaded" | "exists" | "mounted";
  /** Set for uploads: how many PATCH requests were used (0 = monolithic). */
  chunks: number;
}

export async function pushBlob(
  core: ClientCore,
  ref: Reference,
  source: BlobSource,
  opts: PushBlobOptions = {},
): Promise<PushBlobResult> {
  const { digest, size } = await describeSource(ref, source, opts);
  if (await headBlob(core, ref, digest, opts)) return { digest, size, action: "exists", chunks: 0 };
  const policy = core.transport.retryPolicy;
  for (let attempt = 0; ; attempt++) {
    try {
      return await uploadSession(core, ref, source, digest, size, opts);
    } catch (err) {
      if (attempt + 1 >= policy.maxAttempts || !isTransient(err)) throw err;
      // The failed session may have completed on the server side (e.g. the reply to the final PUT was lost).
      if (await headBlob(core, ref, digest, opts)) return { digest, size, action: "uploaded", chunks: 0 };
      await wait(backoffDelay(attempt, policy), opts.signal);
    }
  }
}

/** Failures after which a fresh upload session may succeed. */
function isTransient(err: unknown): boolean {
  if (err instanceof RequestTimeoutError) return true;
  if (err instanceof RegistryUnreachableError) return isRetriableNetworkCode(err.code);
  if (err instanceof RegistryError) return isRetriableStatus(err.status);
  return err instanceof NotFoundError && err.kind === "upload";
}

/** One upload session: POST (or mount), then one PUT, or PATCH chunks and a closing PUT. */
async function uploadSession(
  core: ClientCore,
  ref: Reference,
  source: BlobSource,
  digest: string,
  size: number,
  opts: PushBlobOptions,
): Promise<PushBlobResult> {
  const name = `${ref.registry}/${ref.repository}@${digest}`;
  const scopes = [repoScope(ref.repository, "pull,push")];
  let startPath = `/v2/${ref.repository}/blobs/uploads/`;
  if (opts.mountFrom) {
    startPath += `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(opts.mountFrom)}`;
    scopes.push(repoScope(opts.mountFrom, "pull"));
  }
  const start = await core.transport.send({
    registry: ref.registry,
    method: "POST",
    path: startPath,
    headers: { "Content-Length": "0" },
    scopes,
    operation: `start upload of blob ${name}`,
    expect: [201, 202],
    signal: opts.signal,
  });
  await discard(start);
  if (start.status === 201) return { digest, size, action: "mounted", chunks: 0 };
  let location = uploadLocation(core, ref, start);
  // A registry may require a minimum chunk size (OCI distribution spec, OCI-Chunk-Min-Length).
  const minChunk = Number(start.headers.get("oci-chunk-min-length") ?? 0);
  const chunkSize = Number.isFinite(minChunk) && minChunk > core.chunkSize ? minChunk : core.chunkSize;
  const chunked = opts.chunked ?? size > core.chunkThreshold;
  let chunks = 0;
  let finalBody: HttpBody | undefined;
  if (!chunked) {
    finalBody = source instanceof Uint8Array ? source : { path: source.path, size };
  } else {
    for await (const { offset, bytes } of chunksOf(source, chunkSize, opts.signal)) {
      const res = await core.transport.send({
        registry: ref.registry,
        method: "PATCH",
        path: location,
        headers: {
          "Content-Type": "application/octet-stream",
          "Content-Range": `${offset}-${offset + bytes.length - 1}`,
          "Content-Length": String(bytes.length),
        },
        body: bytes,
        scopes: [repoScope(ref.repository, "pull,push")],
        operation: `upload chunk of blob ${name}`,
        expect: [202],
        notFound: { kind: "upload", reference: name },
        signal: opts.signal,
      });
      await discard(res);
      location = uploadLocation(core, ref, res);
      chunks++;
    }
  }
  const url = new URL(location, core.transport.baseUrl(ref.registry));
  url.searchParams.set("digest", digest);
  const done = await core.transport.send({
    registry: ref.registry,
    method: "PUT",
    path: url.toString(),
    headers: { "Content-Type": "application/octet-stream", "Content-Length": String(finalBody ? size : 0) },
    ...(finalBody ? { body: finalBody } : {}),
    scopes: [repoScope(ref.repository, "pull,push")],
    operation: `finish upload of blob ${name}`,
    expect: [201, 204],
    notFound: { kind: "upload", reference: name },
    // A replayed PUT on a finished session fails cleanly; no duplicate content can result.
    idempotent: true,
    signal: opts.signal,
  });
  await discard(done);
  return { digest, size, action: "uploaded", chunks };
}

async function describeSource(
  ref: Reference,
  source: BlobSource,
  opts: PushBlobOptions,
): Promise<{ digest: string; size: number }> {
  if (source instanceof Uint8Array) {
    const digest = sha256Digest(source);
    if (opts.digest && opts.digest !== digest) {
      throw new DigestMismatchError(`blob for ${ref.registry}/${ref.repository}`, opts.digest, digest);
    }
    return { digest, size: source.length };
  }
  if (opts.digest) {
    digestAlgorithm(opts.digest);
    return { digest: opts.digest, size: (await stat(source.path)).size };
  }
  return fileDigest(source.path, opts.signal);
}

function uploadLocation(core: ClientCore, ref: Reference, res: HttpResponse): string {
  const loc = res.headers.get("location");
  if (!loc) return `/v2/${ref.repository}/blobs/uploads/`;
  return new URL(loc, core.transport.baseUrl(ref.registry)).toString();
}

async function* chunksOf(
  source: BlobSource,
  chunkSize: number,
  signal?: AbortSignal,
): AsyncGenerator<{ offset: number; bytes: Uint8Array }> {
  if (source instanceof Uint8Array) {
    for (let off = 0; off < source.length; off += chunkSize) {
      signal?.throwIfAborted();
      yield { offset: off, bytes: source.subarray(off, Math.min(source.length, off + chunkSize)) };
    }
    return;
  }
  const fh = await open(source.path, "r");
  try {
    let off = 0;
    for (;;) {
      signal?.throwIfAborted();
      const buf = Buffer.alloc(chunkSize);
      const { bytesRead } = await fh.read(buf, 0, chunkSize, off);
      if (bytesRead === 0) return;
      yield { offset: off, bytes: buf.subarray(0, bytesRead) };
      off += bytesRead;
    }
  } finally {
    await fh.close();
  }
}
