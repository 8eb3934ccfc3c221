/**
 * Trusted roots: the Sigstore `trusted_root.json` (Fulcio CAs, Rekor and CT log keys, TSAs) that keyless
 * verification checks certificates and log entries against. Read from a file or given as JSON; an empty
 * root is used for key-only verification.
 */
import { readFile } from "node:fs/promises";
import { TrustedRoot } from "@sigstore/protobuf-specs";
import { KeyError } from "./errors.ts";

export const TRUSTED_ROOT_MEDIA_TYPE = "application/vnd.dev.sigstore.trustedroot+json;version=0.1";

export function parseTrustedRoot(json: unknown, source: string): TrustedRoot {
  try {
    const doc = typeof json === "string" ? (JSON.parse(json) as unknown) : json;
    return TrustedRoot.fromJSON(doc);
  } catch (cause) {
    throw new KeyError(source, `trusted root ${source} is not a Sigstore trusted_root.json`, { cause });
  }
}

export async function readTrustedRoot(
  path: string,
  opts: { signal?: AbortSignal } = {},
): Promise<TrustedRoot> {
  let text: string;
  try {
    text = await readFile(path, { encoding: "utf8", signal: opts.signal });
  } catch (cause) {
    throw new KeyError(path, `cannot read trusted root ${path}: ${(cause as Error).message}`, { cause });
  }
  return parseTrustedRoot(text, path);
}

export function emptyTrustedRoot(): TrustedRoot {
  return TrustedRoot.fromJSON({
    mediaType: TRUSTED_ROOT_MEDIA_TYPE,
    tlogs: [],
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [],
  });
}
