/**
 * Wiring of the HelmRelease reconciler on the runtime: an informer for HelmReleases (reconciled on
 * create, a new generation, a `reconcile.fluxcd.io/requestedAt` change and deletion) and the
 * OCIRepositories they take charts from (a new artifact revision re-enqueues every HelmRelease whose
 * chartRef names it). The caller (the agent) runs the returned runnables.
 */
import type { KubeObject } from "../../kube/index.ts";
import { Controller, cacheKey, Informer, type Runnable, type RuntimeMetrics } from "../../runtime/index.ts";
import { API_VERSION, HelmReleaseReconciler, type HelmReleaseReconcilerOptions, KIND } from "./reconciler.ts";
import { chartRefOf } from "./source.ts";

export interface HelmReleaseControllerOptions extends HelmReleaseReconcilerOptions {
  namespace?: string | undefined;
  concurrency?: number | undefined;
  metrics?: RuntimeMetrics | undefined;
  /** Shared informers by kind (the agent's); made here otherwise. */
  informerFor?: ((apiVersion: string, kind: string) => Informer) | undefined;
}

export interface HelmReleaseController {
  reconciler: HelmReleaseReconciler;
  controller: Controller;
  runnables: Runnable[];
}

function specChanged(a: KubeObject, b: KubeObject): boolean {
  return (
    a.metadata.generation !== b.metadata.generation ||
    a.metadata.annotations?.["reconcile.fluxcd.io/requestedAt"] !==
      b.metadata.annotations?.["reconcile.fluxcd.io/requestedAt"] ||
    !!a.metadata.deletionTimestamp !== !!b.metadata.deletionTimestamp
  );
}

function readyState(o: KubeObject): string {
  const s = (o.status ?? {}) as {
    conditions?: { type: string; status: string }[];
    observedGeneration?: number;
  };
  return `${s.conditions?.find((c) => c.type === "Ready")?.status ?? ""}|${s.observedGeneration ?? ""}`;
}

function artifactRevision(o: KubeObject): string | undefined {
  return (o.status as { artifact?: { revision?: string } } | undefined)?.artifact?.revision;
}

export function helmReleaseController(opts: HelmReleaseControllerOptions): HelmReleaseController {
  const reconciler = new HelmReleaseReconciler(opts);
  const onError = (err: unknown) => opts.log?.error("watch failed", { error: String(err) });
  const own = !opts.informerFor;
  const informer =
    opts.informerFor ??
    ((apiVersion: string, kind: string) =>
      new Informer({ client: opts.kube, namespace: opts.namespace, onError, apiVersion, kind }));
  const releases = informer(API_VERSION, KIND);
  const repos = informer("source.toolkit.fluxcd.io/v1", "OCIRepository");
  const controller = new Controller({
    name: "helmrelease",
    kind: KIND,
    reconcile: reconciler.reconcile,
    concurrency: opts.concurrency ?? 4,
    queue: { baseDelayMs: 750, maxDelayMs: 15 * 60_000 },
    metrics: opts.metrics,
    onError: (key, err, retry) =>
      opts.log?.error(String((err as Error)?.message ?? err), { object: key, retry }),
  });
  // A HelmRelease that becomes Ready re-enqueues those whose dependsOn names it.
  const enqueueDependents = (dep: KubeObject) => {
    for (const o of releases.list()) {
      const deps =
        (o.spec as { dependsOn?: { name: string; namespace?: string }[] } | undefined)?.dependsOn ?? [];
      const names = deps.map((d) => `${d.namespace || o.metadata.namespace}/${d.name}`);
      if (names.includes(cacheKey(dep))) controller.queue.add(cacheKey(o));
    }
  };
  releases.addHandler({
    onAdd: (o) => controller.queue.add(cacheKey(o)),
    onUpdate: (a, b) => {
      if (specChanged(a, b)) controller.queue.add(cacheKey(b));
      if (readyState(a) !== readyState(b)) enqueueDependents(b);
    },
    onDelete: (o) => controller.queue.add(cacheKey(o)),
  });
  const sourceChanged = (s: KubeObject) => {
    for (const o of releases.list()) {
      const r = chartRefOf(o);
      if (r?.kind === "OCIRepository" && r.namespace === s.metadata.namespace && r.name === s.metadata.name) {
        controller.queue.add(cacheKey(o));
      }
    }
  };
  repos.addHandler({
    onAdd: (o) => {
      if (releases.hasSynced() && artifactRevision(o)) sourceChanged(o);
    },
    onUpdate: (a, b) => {
      if (artifactRevision(a) !== artifactRevision(b) && artifactRevision(b)) sourceChanged(b);
    },
  });
  const runnables: Runnable[] = [];
  if (own) {
    runnables.push(
      { name: "informer/helmreleases", needLeaderElection: false, start: (s) => releases.start(s) },
      {
        name: "informer/helmrelease-ocirepositories",
        needLeaderElection: false,
        start: (s) => repos.start(s),
      },
    );
  }
  runnables.push({
    name: "controller/helmrelease",
    start: async (s) => {
      await releases.waitForSync(s);
      try {
        await controller.start(s);
      } finally {
        reconciler.close();
      }
    },
  });
  return { reconciler, controller, runnables };
}
