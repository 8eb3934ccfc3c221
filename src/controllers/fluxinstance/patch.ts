/**
 * `spec.kustomize.patches` of a FluxInstance applied to the generated objects by the real kustomize, as
 * flux-operator does (it appends them to the kustomization.yaml it builds): the objects go into a temporary
 * folder next to a kustomization.yaml listing the patches (strategic-merge or JSON 6902, with `target`
 * selectors), and the folder is built with the agent's kustomize runner. No patches: no kustomize run.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { KubeObject } from "../../kube/index.ts";
import { buildKustomization, type KustomizeRunner, stringifyObjects } from "../../render/index.ts";
import type { PatchSpec } from "./generate.ts";

export interface PatchOptions {
  signal: AbortSignal;
  /** Resolved only when there are patches to apply (finding kustomize may fail). */
  kustomize: () => KustomizeRunner;
}

export async function applyPatches(
  objects: readonly KubeObject[],
  patches: readonly PatchSpec[],
  opts: PatchOptions,
): Promise<KubeObject[]> {
  if (patches.length === 0 || objects.length === 0) return [...objects];
  const runner = opts.kustomize();
  const dir = await mkdtemp(join(tmpdir(), "ferry-fluxinstance-"));
  try {
    await writeFile(join(dir, "sync.yaml"), stringifyObjects(objects as KubeObject[]));
    const kustomization = {
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources: ["sync.yaml"],
      patches: patches.map((p) => ({ patch: p.patch, ...(p.target ? { target: p.target } : {}) })),
    };
    await writeFile(join(dir, "kustomization.yaml"), stringify(kustomization));
    return await buildKustomization(dir, { signal: opts.signal, runner });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
