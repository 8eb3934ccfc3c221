/**
 * Wiring of the ResourceSetInputProvider reconciler: an informer for providers (reconciled on create, a
 * new generation, any annotation change and deletion, never on their own status writes) and the
 * controller. ResourceSets follow their providers through their own watch on `lastExportedRevision`.
 */
import type { KubeObject } from "../../kube/index.ts";
import { Controller, cacheKey, Informer, type Runnable, type RuntimeMetrics } from "../../runtime/index.ts";
import {
  ResourceSetInputProviderReconciler,
  type ResourceSetInputProviderReconcilerOptions,
} from "./reconciler.ts";

export interface ResourceSetInputProviderControllerOptions extends ResourceSetInputProviderReconcilerOptions {
  namespace?: string | undefined;
  /** Parallel reconciles (default 4). */
  concurrency?: number | undefined;
  metrics?: RuntimeMetrics | undefined;
  retryMinDelayMs?: number | undefined;
  retryMaxDelayMs?: number | undefined;
  /** Shared informers: when set, the provider informer comes from it and its owner runs it. */
  informerFor?: ((apiVersion: string, kind: string) => Informer) | undefined;
}

export interface ResourceSetInputProviderController {
  reconciler: ResourceSetInputProviderReconciler;
  controller: Controller;
  informers: { providers: Informer };
  runnables: Runnable[];
}

function changed(a: KubeObject, b: KubeObject): boolean {
  return (
    a.metadata.generation !== b.metadata.generation ||
    !!a.metadata.deletionTimestamp !== !!b.metadata.deletionTimestamp ||
    JSON.stringify(a.metadata.annotations ?? {}) !== JSON.stringify(b.metadata.annotations ?? {})
  );
}

export function resourceSetInputProviderController(
  opts: ResourceSetInputProviderControllerOptions,
): ResourceSetInputProviderController {
  const reconciler = new ResourceSetInputProviderReconciler(opts);
  const providers =
    opts.informerFor?.("fluxcd.controlplane.io/v1", "ResourceSetInputProvider") ??
    new Informer({
      client: opts.kube,
      apiVersion: "fluxcd.controlplane.io/v1",
      kind: "ResourceSetInputProvider",
      namespace: opts.namespace,
      onError: (err) => opts.log?.error("watch failed", { error: String(err) }),
    });
  const controller = new Controller({
    name: "resourcesetinputprovider",
    kind: "ResourceSetInputProvider",
    reconcile: reconciler.reconcile,
    concurrency: opts.concurrency ?? 4,
    queue: { baseDelayMs: opts.retryMinDelayMs ?? 1000, maxDelayMs: opts.retryMaxDelayMs ?? 5 * 60_000 },
    metrics: opts.metrics,
    onError: (key, err, retry) =>
      opts.log?.error(String((err as Error)?.message ?? err), { object: key, retry }),
  });
  controller.watch(providers, (o) => [cacheKey(o)], changed);
  return {
    reconciler,
    controller,
    informers: { providers },
    runnables: [
      ...(opts.informerFor
        ? []
        : [
            {
              name: "informer/rsip",
              needLeaderElection: false,
              start: (s: AbortSignal) => providers.start(s),
            },
          ]),
      {
        name: "controller/resourcesetinputprovider",
        start: async (s) => {
          await providers.waitForSync(s);
          await controller.start(s);
        },
      },
    ],
  };
}
