/**
 * `spec.dependsOn`: every named Kustomization must exist, have observed its current generation, be Ready,
 * and — when it reconciles the same source — have applied the revision this one is about to apply (Flux's
 * rule, so a dependent never runs ahead of its dependency on a new revision). `readyExpr` is not evaluated.
 */
import { describe } from "../../errors/index.ts";
import { getObject, type KubeClient, type KubeObject } from "../../kube/index.ts";
import { getCondition } from "../../runtime/index.ts";
import { KustomizationError, Reasons } from "./errors.ts";
import { sourceRefOf } from "./source.ts";
import { API_VERSION, KIND, type KustomizationSpec, type KustomizationStatus } from "./status.ts";

/** `namespace/name` of each dependency, the namespace defaulted to the Kustomization's. */
export function dependencyKeys(obj: KubeObject): string[] {
  const spec = (obj.spec ?? {}) as Partial<KustomizationSpec>;
  return (spec.dependsOn ?? []).map((d) => `${d.namespace || obj.metadata.namespace}/${d.name}`);
}

/** Resolves when every dependency is ready; throws a DependencyNotReady KustomizationError otherwise. */
export async function checkDependencies(
  key: string,
  obj: KubeObject,
  sourceRevision: string,
  opts: { kube: KubeClient; signal: AbortSignal },
): Promise<void> {
  const ref = sourceRefOf(obj);
  for (const dk of dependencyKeys(obj)) {
    const [namespace, name] = dk.split("/") as [string, string];
    let dep: KubeObject | undefined;
    try {
      dep = await getObject(
        opts.kube,
        { apiVersion: API_VERSION, kind: KIND, metadata: { name, namespace } },
        opts,
      );
    } catch (err) {
      throw new KustomizationError(
        key,
        Reasons.dependencyNotReady,
        `dependency '${dk}' not found: ${describe(err)}`,
        {
          cause: err,
        },
      );
    }
    if (!dep) {
      throw new KustomizationError(
        key,
        Reasons.dependencyNotReady,
        `dependency '${dk}' not found; create it or fix spec.dependsOn`,
      );
    }
    const st = (dep.status ?? {}) as KustomizationStatus;
    if (!st.conditions?.length || dep.metadata.generation !== st.observedGeneration) {
      throw new KustomizationError(key, Reasons.dependencyNotReady, `dependency '${dk}' is not ready`);
    }
    if (getCondition(st.conditions, "Ready")?.status !== "True") {
      throw new KustomizationError(key, Reasons.dependencyNotReady, `dependency '${dk}' is not ready`);
    }
    const depRef = sourceRefOf(dep);
    const sameSource =
      depRef.kind === ref.kind && depRef.namespace === ref.namespace && depRef.name === ref.name;
    if (sameSource && st.lastAppliedRevision !== sourceRevision) {
      throw new KustomizationError(
        key,
        Reasons.dependencyNotReady,
        `dependency '${dk}' revision is not up to date`,
      );
    }
  }
}
