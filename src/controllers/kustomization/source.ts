/**
 * Source resolution: the OCIRepository `spec.sourceRef` names (same namespace by default), refused when it is
 * in another namespace and the agent locks tenants down, and the folder in the shared artifact store its
 * `status.artifact` points at. Outcomes mirror kustomize-controller: a missing source or artifact is an
 * `ArtifactFailed` retry, a refused cross-namespace reference is `AccessDenied` and stalls.
 */
import { stat } from "node:fs/promises";
import { describe } from "../../errors/index.ts";
import { getObject, type KubeClient, type KubeObject } from "../../kube/index.ts";
import type { ArtifactStore } from "../../store/index.ts";
import { type Artifact, artifactContentDir } from "../ocirepository/index.ts";
import { KustomizationError, Reasons } from "./errors.ts";
import type { KustomizationSpec } from "./status.ts";

export interface SourceRefKey {
  kind: string;
  namespace: string;
  name: string;
}

/** The source a Kustomization names, its namespace defaulted to the Kustomization's. */
export function sourceRefOf(obj: KubeObject): SourceRefKey {
  const spec = (obj.spec ?? {}) as Partial<KustomizationSpec>;
  return {
    kind: spec.sourceRef?.kind ?? "",
    namespace: spec.sourceRef?.namespace || (obj.metadata.namespace ?? ""),
    name: spec.sourceRef?.name ?? "",
  };
}

export interface ResolvedSource {
  source: KubeObject;
  artifact: Artifact;
  /** The artifact's revision (`tag@sha256:…`). */
  revision: string;
  /** `org.opencontainers.image.revision` of the artifact, when set. */
  originRevision: string | undefined;
  /** Extracted tree of the artifact. */
  dir: string;
}

export type SourceOutcome =
  | { kind: "ready"; value: ResolvedSource }
  /** The source exists but has no artifact (yet): retry after the dependency interval. */
  | { kind: "noArtifact"; message: string };

export interface ResolveSourceOptions {
  kube: KubeClient;
  store: ArtifactStore;
  noCrossNamespaceRefs: boolean;
  signal: AbortSignal;
}

export async function resolveSource(
  key: string,
  obj: KubeObject,
  opts: ResolveSourceOptions,
): Promise<SourceOutcome> {
  const ref = sourceRefOf(obj);
  const nn = `${ref.namespace}/${ref.name}`;
  if (opts.noCrossNamespaceRefs && ref.namespace !== obj.metadata.namespace) {
    throw new KustomizationError(
      key,
      Reasons.accessDenied,
      `can't access '${ref.kind}/${nn}', cross-namespace references have been blocked`,
      { stalled: true },
    );
  }
  if (ref.kind !== "OCIRepository") {
    throw new KustomizationError(
      key,
      Reasons.artifactFailed,
      `source \`${nn}\` kind '${ref.kind}' not supported; Ferry reconciles Kustomizations from OCIRepository sources`,
      { stalled: true },
    );
  }
  let source: KubeObject | undefined;
  try {
    source = await getObject(
      opts.kube,
      {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: ref.kind,
        metadata: { name: ref.name, namespace: ref.namespace },
      },
      { signal: opts.signal },
    );
  } catch (err) {
    throw new KustomizationError(
      key,
      Reasons.artifactFailed,
      `unable to get source '${nn}': ${describe(err)}`,
      {
        cause: err,
      },
    );
  }
  if (!source) {
    throw new KustomizationError(
      key,
      Reasons.artifactFailed,
      `Source '${ref.kind}/${nn}' not found; create it or fix spec.sourceRef`,
      { quiet: true },
    );
  }
  const artifact = (source.status as { artifact?: Artifact } | undefined)?.artifact;
  if (!artifact?.revision) return { kind: "noArtifact", message: "Source artifact not found" };
  const dir = artifactContentDir(opts.store, artifact);
  const present = dir
    ? await stat(dir).then(
        (s) => s.isDirectory(),
        () => false,
      )
    : false;
  if (!dir || !present) {
    return { kind: "noArtifact", message: "Source is not ready, artifact not found" };
  }
  return {
    kind: "ready",
    value: {
      source,
      artifact,
      revision: artifact.revision,
      originRevision: artifact.metadata?.["org.opencontainers.image.revision"],
      dir,
    },
  };
}
