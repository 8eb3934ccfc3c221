/**
 * `spec.dependsOn`: every named Kustomization must exist, have observed its current generation, be Ready,
 * and — when it reconciles the same source — have applied the revision this one is about to apply (Flux's
 * rule, so a dependent never runs ahead of its dependency on a new revision). A dependency with `readyExpr`
 * is ready when that CEL expression (variables `self`, this Kustomization, and `dep`, the dependency) is
 * true, instead of the built-in rule (Flux's default without the AdditiveCELDependencyCheck gate); an
 * expression that does not parse or yields no boolean stalls the Kustomization; one that fails on the data
 * (a field not there yet) is retried.
 */
import { celEnv, isCelError, parse, plan } from "@bufbuild/cel";
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

/** JSON → CEL values: objects become maps, integral numbers ints (Kubernetes integers are ints). */
function toCel(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toCel);
  if (typeof v === "number") return Number.isInteger(v) ? BigInt(v) : v;
  if (v !== null && typeof v === "object") return new Map(Object.entries(v).map(([k, x]) => [k, toCel(x)]));
  return v;
}

/** Evaluates a dependency's `readyExpr`; a parse error or a non-boolean result is a stalling error. */
export function evalReadyExpr(key: string, expr: string, self: KubeObject, dep: KubeObject): boolean {
  const terminal = (detail: string, cause?: unknown) =>
    new KustomizationError(
      key,
      Reasons.invalidCEL,
      `Reconciliation failed terminally due to configuration error: failed to evaluate dependency ${dep.metadata.name}: ${detail}; fix spec.dependsOn[].readyExpr`,
      { stalled: true, cause },
    );
  let fn: (vars: Record<string, unknown>) => unknown;
  try {
    fn = plan(celEnv(), parse(expr)) as (vars: Record<string, unknown>) => unknown;
  } catch (err) {
    throw terminal(err instanceof Error ? err.message : String(err), err);
  }
  const r = fn({ self: toCel(self), dep: toCel(dep) });
  // A runtime error (e.g. a status field not written yet) is retried, as in Flux; only bad expressions stall.
  if (isCelError(r)) {
    throw new KustomizationError(
      key,
      Reasons.dependencyNotReady,
      `dependency '${dep.metadata.namespace}/${dep.metadata.name}' readyExpr could not be evaluated: ${r.message}`,
    );
  }
  if (typeof r !== "boolean") throw terminal(`expression "${expr}" does not yield a boolean`);
  return r;
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
    const readyExpr = (((obj.spec ?? {}) as Partial<KustomizationSpec>).dependsOn ?? []).find(
      (d) => `${d.namespace || obj.metadata.namespace}/${d.name}` === dk,
    )?.readyExpr;
    if (readyExpr) {
      if (!evalReadyExpr(key, readyExpr, obj, dep)) {
        throw new KustomizationError(
          key,
          Reasons.dependencyNotReady,
          `dependency '${dk}' is not ready according to readyExpr eval`,
        );
      }
      continue;
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
