/**
 * `spec.dependsOn` of a ResourceSet, as flux-operator checks it: every listed object must exist; with
 * `ready: true` it must also be ready — by its `readyExpr` CEL expression (variables: the object's
 * top-level fields), by flux-operator's Ready expression for its own kinds, by kstatus for the rest.
 * Expressions are compiled before anything is read, so a typo stalls the set instead of retrying.
 */
import {
  CelExpressionError,
  CelHealthChecker,
  computeHealth,
  getObject,
  type KubeClient,
} from "../../kube/index.ts";
import { ResourceSetError } from "./errors.ts";
import { API_VERSION, FLUX_OPERATOR_HEALTH, Messages, Reasons } from "./status.ts";

export interface Dependency {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  ready?: boolean;
  readyExpr?: string;
}

export interface CompiledDependency {
  dep: Dependency;
  /** The readyExpr as a health checker whose `current` expression is the expression. */
  expr?: CelHealthChecker;
}

/** `apiVersion/Kind/namespace/name` (namespace left out when empty), as flux-operator names dependencies. */
export function dependencyRef(d: Dependency): string {
  return `${d.apiVersion}/${d.kind}/${d.namespace ? `${d.namespace}/` : ""}${d.name}`;
}

export function compileDependencies(object: string, deps: readonly Dependency[]): CompiledDependency[] {
  return deps.map((dep) => {
    if (!dep.ready || !dep.readyExpr) return { dep };
    try {
      const expr = new CelHealthChecker([
        { apiVersion: dep.apiVersion, kind: dep.kind, current: dep.readyExpr },
      ]);
      return { dep, expr };
    } catch (err) {
      const detail = err instanceof CelExpressionError ? err.message.replace(/^.*?: /, "") : String(err);
      throw new ResourceSetError(
        object,
        Reasons.invalidCEL,
        `${Messages.terminal}: failed to parse expression for dependency ${dependencyRef(dep)}: ${detail}; fix spec.dependsOn readyExpr`,
        { cause: err, stalled: true },
      );
    }
  });
}

/** The first dependency that is missing or not ready, as a message; undefined when all are satisfied. */
export async function unmetDependency(
  kube: KubeClient,
  object: string,
  deps: readonly CompiledDependency[],
  signal: AbortSignal,
): Promise<string | undefined> {
  for (const { dep, expr } of deps) {
    const ref = dependencyRef(dep);
    const live = await getObject(
      kube,
      { apiVersion: dep.apiVersion, kind: dep.kind, metadata: { name: dep.name, namespace: dep.namespace } },
      { signal },
    ).catch((err: unknown) => {
      throw new ResourceSetError(
        object,
        Reasons.dependencyNotReady,
        `dependency ${ref} cannot be read: ${(err as Error).message}`,
        { cause: err },
      );
    });
    if (!live) return `dependency ${ref} not found`;
    if (!dep.ready) continue;
    if (expr) {
      const h = expr.evaluate(live);
      if (h?.status !== "Current") {
        const why = h?.message.startsWith("cannot evaluate") ? ` (${h.message})` : "";
        return `dependency ${ref} not ready: expression '${dep.readyExpr}'${why}`;
      }
      continue;
    }
    if (
      dep.apiVersion === API_VERSION &&
      (dep.kind === "ResourceSet" || dep.kind === "ResourceSetInputProvider")
    ) {
      const own = new CelHealthChecker(FLUX_OPERATOR_HEALTH).evaluate(live);
      if (own?.status !== "Current") return `dependency ${ref} not ready`;
      continue;
    }
    const h = computeHealth(live);
    if (h.status !== "Current") return `dependency ${ref} not ready: status ${h.status}`;
  }
  return undefined;
}
