/**
 * Build: the objects a Kustomization applies for a source tree, through the exact render path of
 * `ferry build kustomization` (Flux's generated kustomization with the overlay fields, `kustomize build`,
 * post-build substitution, commonMetadata, owner labels). The ConfigMaps and Secrets `substituteFrom` names
 * are read from the cluster in the Kustomization's namespace; a missing one fails the build unless optional.
 */
import { stat } from "node:fs/promises";
import { isAbsolute, normalize, resolve, sep } from "node:path";
import { describe } from "../../errors/index.ts";
import { getObject, type KubeClient, type KubeObject } from "../../kube/index.ts";
import { type KustomizeRunner, renderKustomization } from "../../render/index.ts";
import { KustomizationError, Reasons } from "./errors.ts";
import { findRemoteBase } from "./remote.ts";
import type { KustomizationSpec } from "./status.ts";

export interface BuildInput {
  key: string;
  obj: KubeObject;
  sourceDir: string;
  kube: KubeClient;
  runner: () => KustomizeRunner;
  signal: AbortSignal;
  /** Refuse remote kustomize bases (Flux's `--no-remote-bases`, multi-tenancy). */
  noRemoteBases?: boolean | undefined;
}

/** `substituteFrom` references as `Kind/name` (namespace implied: the Kustomization's). */
export function substituteRefs(obj: KubeObject): Array<{ kind: string; name: string; optional: boolean }> {
  const spec = (obj.spec ?? {}) as Partial<KustomizationSpec>;
  return (spec.postBuild?.substituteFrom ?? []).map((r) => ({
    kind: r.kind,
    name: r.name,
    optional: !!r.optional,
  }));
}

async function substituteSources(input: BuildInput): Promise<KubeObject[]> {
  const namespace = input.obj.metadata.namespace ?? "";
  const out: KubeObject[] = [];
  for (const ref of substituteRefs(input.obj)) {
    let o: KubeObject | undefined;
    try {
      o = await getObject(
        input.kube,
        { apiVersion: "v1", kind: ref.kind, metadata: { name: ref.name, namespace } },
        { signal: input.signal },
      );
    } catch (err) {
      throw new KustomizationError(
        input.key,
        Reasons.buildFailed,
        `substitute from '${ref.kind}/${ref.name}' failed: ${describe(err)}`,
        { cause: err },
      );
    }
    if (o) out.push(o);
    else if (!ref.optional) {
      throw new KustomizationError(
        input.key,
        Reasons.buildFailed,
        `substitute from '${ref.kind}/${ref.name}' failed: ${ref.kind} ${namespace}/${ref.name} not found; create it or mark the reference optional`,
      );
    }
  }
  return out;
}

/**
 * `spec.path` relative to the artifact root, as Flux reads it (a leading `/` is the root, not the host's);
 * undefined when it climbs out of the artifact.
 */
export function artifactPath(path: string | undefined): string | undefined {
  const rel = normalize((path ?? ".").replace(/^\/+/, "") || ".");
  return rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel) ? undefined : rel;
}

export async function buildObjects(input: BuildInput): Promise<KubeObject[]> {
  const spec = (input.obj.spec ?? {}) as Partial<KustomizationSpec>;
  const rel = artifactPath(spec.path);
  if (rel === undefined) {
    throw new KustomizationError(
      input.key,
      Reasons.artifactFailed,
      `spec.path '${spec.path}' leaves the source artifact; use a path inside it`,
      { stalled: true },
    );
  }
  const dir = resolve(input.sourceDir, rel);
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) {
    throw new KustomizationError(
      input.key,
      Reasons.artifactFailed,
      `kustomization path not found: '${spec.path ?? "."}' is not a folder in the source artifact; fix spec.path`,
    );
  }
  if (input.noRemoteBases) {
    const remote = await findRemoteBase(input.sourceDir, dir, { signal: input.signal });
    if (remote) {
      throw new KustomizationError(
        input.key,
        Reasons.buildFailed,
        `kustomize build failed: remote bases are not allowed (multi-tenancy lockdown, --no-remote-bases): '${remote.entry}' in ${remote.file}; vendor it into the source artifact`,
      );
    }
  }
  const sources = await substituteSources(input);
  try {
    const obj = { ...input.obj, spec: { ...(input.obj.spec as Record<string, unknown>), path: rel } };
    return await renderKustomization(obj, {
      signal: input.signal,
      runner: input.runner(),
      sourceDir: input.sourceDir,
      sources,
    });
  } catch (err) {
    if (input.signal.aborted) throw err;
    throw new KustomizationError(input.key, Reasons.buildFailed, describe(err), { cause: err });
  }
}
