/**
 * `spec.postRenderers` as helm-controller runs them: each kustomize post-renderer in order over the whole
 * release manifest (`resources: [all.yaml]` plus its `patches` and `images`), through the kustomize the
 * agent uses. The output replaces the manifest, as Helm's post-render step does.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { HelmRelease } from "../../api/index.ts";
import { buildKustomization, type KustomizeRunner, stringifyObjects } from "../../render/index.ts";

type PostRenderers = NonNullable<HelmRelease["spec"]["postRenderers"]>;

export async function postRender(
  manifest: string,
  renderers: PostRenderers,
  runner: () => KustomizeRunner,
  signal: AbortSignal,
): Promise<string> {
  let out = manifest;
  for (const r of renderers) {
    const k = r.kustomize;
    if (!k || ((k.patches ?? []).length === 0 && (k.images ?? []).length === 0)) continue;
    const dir = await mkdtemp(join(tmpdir(), "ferry-postrender-"));
    try {
      await writeFile(join(dir, "all.yaml"), out);
      const kustomization: Record<string, unknown> = {
        apiVersion: "kustomize.config.k8s.io/v1beta1",
        kind: "Kustomization",
        resources: ["all.yaml"],
      };
      if (k.patches?.length) kustomization.patches = k.patches;
      if (k.images?.length) kustomization.images = k.images;
      await writeFile(join(dir, "kustomization.yaml"), stringify(kustomization));
      out = stringifyObjects(await buildKustomization(dir, { signal, runner: runner() }));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return out;
}
