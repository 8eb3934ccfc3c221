/** What every operation file receives from the client: the transport and the size settings. */
import type { Transport } from "./transport.ts";

export interface ClientCore {
  readonly transport: Transport;
  /** Blobs up to this size go up in one PUT; larger ones in PATCH chunks. */
  readonly chunkThreshold: number;
  readonly chunkSize: number;
  /** Largest manifest accepted on read. */
  readonly maxManifestBytes: number;
}

export interface SignalOptions {
  signal?: AbortSignal | undefined;
}

/** Reads a response body, failing with the given error once more than `max` bytes arrived. */
export async function readLimited(res: Response, max: number, tooLarge: () => Error): Promise<Uint8Array> {
  const len = Number(res.headers.get("content-length") ?? Number.NaN);
  if (len > max) {
    await res.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (!res.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += chunk.length;
    if (size > max) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
