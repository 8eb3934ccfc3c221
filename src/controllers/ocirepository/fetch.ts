/**
 * Pulling an OCIRepository's artifact into the store: the manifest by digest, the layer `layerSelector`
 * picks (first layer by default), then either `extract` (untar, re-archive with source-controller's ignore
 * rules — VCS files, a root `.sourceignore`, `spec.ignore` — and keep the filtered tree) or `copy` (the layer
 * as is). The store entry holds `artifact.tar.gz` (what `status.artifact` describes) and `content/`
 * (the tree consumers read); its key is the manifest digest, suffixed when ignore rules or a layer
 * selector change what is kept.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { buildTarball, extractTarball } from "../../artifact/index.ts";
import { describe } from "../../errors/index.ts";
import { formatReference, isIndex, MediaTypes, type OciClient, type Reference } from "../../oci/index.ts";
import type { ArtifactStore, StoredEntry } from "../../store/index.ts";
import { OCIRepositoryError, Reasons } from "./errors.ts";

/** source-controller's VCS exclusions (fluxcd/pkg sourceignore), applied before `.sourceignore` and spec.ignore. */
const VCS_PATTERNS = [".git/", ".gitignore", ".gitmodules", ".gitattributes"];

export const ARTIFACT_FILE = "artifact.tar.gz";
export const CONTENT_DIR = "content";

export interface LayerSelector {
  mediaType?: string | undefined;
  operation?: "extract" | "copy" | undefined;
}

export interface StoredArtifactMeta {
  /** sha256 of artifact.tar.gz. */
  digest: string;
  size: number;
  revision: string;
  manifestDigest: string;
  annotations: Record<string, string>;
  operation: "extract" | "copy";
  /** Whether content/ holds the extracted tree. */
  content: boolean;
}

/** The store key for an artifact: `sha256-<hex>`, plus a variant hash when ignore or layerSelector are set. */
export function storeKey(
  digest: string,
  ignore: string | undefined,
  layer: LayerSelector | undefined,
): string {
  const base = digest.replace(":", "-");
  if (ignore === undefined && !layer?.mediaType && !layer?.operation) return base;
  const v = createHash("sha256")
    .update(JSON.stringify([ignore ?? null, layer?.mediaType ?? "", layer?.operation ?? ""]))
    .digest("hex")
    .slice(0, 12);
  return `${base}-${v}`;
}

function layerFailed(object: string, message: string, cause?: unknown): OCIRepositoryError {
  return new OCIRepositoryError(object, "FetchFailed", Reasons.layerOperationFailed, message, { cause });
}

export interface FetchInput {
  object: string;
  /** Owner key in the store (`OCIRepository/ns/name`). */
  owner: string;
  url: string;
  client: OciClient;
  reference: Reference & { digest: string };
  revision: string;
  ignore?: string | undefined;
  layerSelector?: LayerSelector | undefined;
  store: ArtifactStore;
  signal: AbortSignal;
}

export async function fetchIntoStore(
  input: FetchInput,
): Promise<{ entry: StoredEntry; meta: StoredArtifactMeta }> {
  const { object, client, reference, signal } = input;
  const key = storeKey(reference.digest, input.ignore, input.layerSelector);
  const operation = input.layerSelector?.operation ?? "extract";
  const entry = await input.store.put(
    key,
    input.owner,
    async (dir) => {
      let manifest: Awaited<ReturnType<OciClient["getManifest"]>>;
      try {
        manifest = await client.getManifest(reference, {
          accept: [MediaTypes.ociManifest, MediaTypes.dockerManifest],
          signal,
        });
      } catch (err) {
        throw new OCIRepositoryError(
          object,
          "FetchFailed",
          Reasons.pullFailed,
          `failed to pull artifact from '${input.url}': ${describe(err)}`,
          { cause: err },
        );
      }
      if (isIndex(manifest.manifest)) {
        throw layerFailed(
          object,
          `failed to parse artifact manifest: ${formatReference(reference)} is an image index`,
        );
      }
      const layers = manifest.manifest.layers ?? [];
      if (layers.length === 0)
        throw layerFailed(object, "failed to parse artifact layers: no layers found in artifact");
      const wanted = input.layerSelector?.mediaType;
      const layer = wanted ? layers.find((l) => l.mediaType === wanted) : layers[0];
      if (!layer) throw layerFailed(object, `failed to find layer with media type '${wanted}' in artifact`);
      const tarball = join(dir, ARTIFACT_FILE);
      const content = join(dir, CONTENT_DIR);
      let digest: string;
      let size: number;
      let hasContent = true;
      try {
        if (operation === "copy") {
          const d = await client.downloadBlob(reference, layer.digest, tarball, { signal });
          digest = d.digest;
          size = d.size;
          try {
            await extractTarball(createReadStream(tarball), content, { what: layer.digest, signal });
          } catch {
            // A copied layer need not be a tarball (e.g. a single file); consumers then read artifact.tar.gz.
            hasContent = false;
          }
        } else {
          const raw = join(dir, ".raw");
          const { stream } = await client.openBlob(reference, layer.digest, { signal });
          await extractTarball(stream, raw, {
            what: `${formatReference(reference)} layer ${layer.digest}`,
            signal,
          });
          const ignorePaths = [...VCS_PATTERNS, ...(input.ignore ?? "").split("\n")].filter(
            (l) => l.trim() !== "" && !l.trim().startsWith("#"),
          );
          const built = await buildTarball(raw, tarball, { ignorePaths, sourceIgnore: true, signal });
          digest = built.digest;
          size = built.size;
          await rm(raw, { recursive: true, force: true });
          await extractTarball(createReadStream(tarball), content, { what: tarball, signal });
        }
      } catch (err) {
        if (err instanceof OCIRepositoryError) throw err;
        throw layerFailed(
          object,
          `failed to ${operation === "copy" ? "copy layer from" : "extract layer contents from"} artifact: ${describe(err)}`,
          err,
        );
      }
      const meta: StoredArtifactMeta = {
        digest,
        size: size ?? (await stat(tarball)).size,
        revision: input.revision,
        manifestDigest: reference.digest,
        annotations: manifest.manifest.annotations ?? {},
        operation,
        content: hasContent,
      };
      return meta as unknown as Record<string, unknown>;
    },
    { signal },
  );
  return { entry, meta: entry.metadata as unknown as StoredArtifactMeta };
}

/** Where consumers read an OCIRepository's tree: `<store>/<key>/content` for its `status.artifact.path`. */
export function artifactContentDir(
  store: ArtifactStore,
  artifact: { path?: string } | undefined,
): string | undefined {
  const key = artifact?.path?.split("/")[0];
  return key ? join(store.dir(key), CONTENT_DIR) : undefined;
}
