/** What every operation file receives from the client: the transport and the size settings. */
import { RegistryError } from "./errors.ts";
import type { HttpResponse } from "./http.ts";
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
export async function readLimited(
  res: HttpResponse,
  max: number,
  tooLarge: () => Error,
): Promise<Uint8Array> {
  const len = Number(res.headers.get("content-length") ?? Number.NaN);
  if (len > max) {
    res.discard();
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

/** Parses a JSON response body, or fails with RegistryError naming the operation. */
export async function readJson<T>(res: HttpResponse, registry: string, operation: string): Promise<T> {
  const text = await res.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new RegistryError(registry, operation, res.status, [
      { code: "INVALID_JSON", message: "the registry's answer is not valid JSON" },
    ]);
  }
}
