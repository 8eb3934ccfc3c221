/**
 * Wiring of the Kustomization reconciler on the runtime: an informer for Kustomizations (reconciled on
 * create, on a new generation, on a `reconcile.fluxcd.io/requestedAt` change and on deletion, never on their
 * own status writes), the OCIRepositories they consume (a new artifact revision re-enqueues every consumer,
 * found through an index source → Kustomizations), ConfigMaps and Secrets labelled
 * `reconcile.fluxcd.io/watch: Enabled` (re-enqueue the Kustomizations substituting from them), and
 * dependents (a Kustomization that becomes Ready or applies a new revision re-enqueues those depending on
 * it, so they need not wait for their retry). The caller adds the returned runnables to a manager.
 */
import type { KubeObject } from "../../kube/index.ts";
import { Controller, cacheKey, Informer, type Runnable, type RuntimeMetrics } from "../../runtime/index.ts";
import { substituteRefs } from "./build.ts";
import { dependencyKeys } from "./dependencies.ts";
import { KustomizationReconciler, type KustomizationReconcilerOptions } from "./reconciler.ts";
import { sourceRefOf } from "./source.ts";
import {
  API_VERSION,
  KIND,
  type KustomizationStatus,
  REQUESTED_AT,
  WATCH_LABEL,
  WATCH_VALUE,
} from "./status.ts";

export interface KustomizationControllerOptions extends KustomizationReconcilerOptions {
  /** Watch this namespace only (default: all). */
  namespace?: string | undefined;
  /** Parallel reconciles (default 10). */
  concurrency?: number | undefined;
  metrics?: RuntimeMetrics | undefined;
  /** An OCIRepository informer to share (run by its owner); one is made otherwise (or taken from `informerFor`). */
  ociRepositories?: Informer | undefined;
  /**
   * Shared informers by kind (the agent's): the Kustomization and OCIRepository informers come from it and
   * whoever owns it runs them. The ConfigMap and Secret watches (label-selected) are always this controller's.
   */
  informerFor?: ((apiVersion: string, kind: string) => Informer) | undefined;
  /** Calls back when the lockdown changes (the agent's `settings.onChange`): every Kustomization is re-enqueued. */
  onTenancyChange?: ((listener: () => void) => () => void) | undefined;
  /** Failed reconciles that throw retry with exponential backoff between these (Flux's: 750 ms, 15 min). */
  retryMinDelayMs?: number | undefined;
  retryMaxDelayMs?: number | undefined;
}

export interface KustomizationController {
  reconciler: KustomizationReconciler;
  controller: Controller;
  informers: { kustomizations: Informer; ociRepositories: Informer; configMaps: Informer; secrets: Informer };
  /** Kustomization keys consuming the source `Kind/namespace/name` (the index the source watch uses). */
  consumersOf(sourceKey: string): string[];
  runnables: Runnable[];
}

function specChanged(a: KubeObject, b: KubeObject): boolean {
  return (
    a.metadata.generation !== b.metadata.generation ||
    a.metadata.annotations?.[REQUESTED_AT] !== b.metadata.annotations?.[REQUESTED_AT] ||
    !!a.metadata.deletionTimestamp !== !!b.metadata.deletionTimestamp
  );
}

function readyRevision(o: KubeObject): string {
  const s = (o.status ?? {}) as KustomizationStatus;
  const ready = s.conditions?.find((c) => c.type === "Ready")?.status ?? "";
  return `${ready}|${s.lastAppliedRevision ?? ""}|${s.observedGeneration ?? ""}`;
}

function artifactRevision(o: KubeObject): string | undefined {
  return (o.status as { artifact?: { revision?: string } } | undefined)?.artifact?.revision;
}

function sourceKeyOf(o: KubeObject): string {
  const r = sourceRefOf(o);
  return `${r.kind}/${r.namespace}/${r.name}`;
}

export function kustomizationController(opts: KustomizationControllerOptions): KustomizationController {
  const reconciler = new KustomizationReconciler(opts);
  const onError = (err: unknown) => opts.log?.error("watch failed", { error: String(err) });
  const common = { client: opts.kube, namespace: opts.namespace, onError };
  const informer =
    opts.informerFor ?? ((apiVersion: string, kind: string) => new Informer({ ...common, apiVersion, kind }));
  const ownKustomizations = !opts.informerFor;
  const kustomizations = informer(API_VERSION, KIND);
  const ownRepos = !opts.ociRepositories && !opts.informerFor;
  const repos = opts.ociRepositories ?? informer("source.toolkit.fluxcd.io/v1", "OCIRepository");
  const watched = `${WATCH_LABEL}=${WATCH_VALUE}`;
  const configMaps = new Informer({ ...common, apiVersion: "v1", kind: "ConfigMap", labelSelector: watched });
  const secrets = new Informer({ ...common, apiVersion: "v1", kind: "Secret", labelSelector: watched });
  const controller = new Controller({
    name: "kustomization",
    kind: KIND,
    reconcile: reconciler.reconcile,
    concurrency: opts.concurrency ?? 10,
    queue: { baseDelayMs: opts.retryMinDelayMs ?? 750, maxDelayMs: opts.retryMaxDelayMs ?? 15 * 60_000 },
    metrics: opts.metrics,
    onError: (key, err, retry) =>
      opts.log?.error(String((err as Error)?.message ?? err), { object: key, retry }),
  });

  // Index: source key → Kustomization keys, kept current by the Kustomization informer's events.
  const bySource = new Map<string, Set<string>>();
  const indexed = new Map<string, string>();
  const unindex = (k: string) => {
    const s = indexed.get(k);
    if (s !== undefined) bySource.get(s)?.delete(k);
    indexed.delete(k);
  };
  const index = (o: KubeObject) => {
    const k = cacheKey(o);
    unindex(k);
    const s = sourceKeyOf(o);
    indexed.set(k, s);
    const set = bySource.get(s) ?? new Set<string>();
    set.add(k);
    bySource.set(s, set);
  };
  const consumersOf = (sourceKey: string) => [...(bySource.get(sourceKey) ?? [])];

  const enqueueDependents = (dep: KubeObject) => {
    const k = cacheKey(dep);
    for (const o of kustomizations.list()) {
      if (dependencyKeys(o).includes(k)) controller.queue.add(cacheKey(o));
    }
  };

  kustomizations.addHandler({
    onAdd: (o) => {
      index(o);
      controller.queue.add(cacheKey(o));
    },
    onUpdate: (a, b) => {
      index(b);
      if (specChanged(a, b)) {
        reconciler.cancelHealthCheck(cacheKey(b), null, `${KIND}/${cacheKey(b)}`);
        controller.queue.add(cacheKey(b));
      }
      if (readyRevision(a) !== readyRevision(b)) enqueueDependents(b);
    },
    onDelete: (o) => {
      unindex(cacheKey(o));
      controller.queue.add(cacheKey(o));
    },
  });

  const sourceChanged = (o: KubeObject) => {
    const ref = `OCIRepository/${o.metadata.namespace}/${o.metadata.name}`;
    for (const k of consumersOf(ref)) {
      reconciler.cancelHealthCheck(k, artifactRevision(o), ref);
      controller.queue.add(k);
    }
  };
  repos.addHandler({
    onAdd: (o) => {
      if (kustomizations.hasSynced() && artifactRevision(o)) sourceChanged(o);
    },
    onUpdate: (a, b) => {
      if (artifactRevision(a) !== artifactRevision(b) && artifactRevision(b)) sourceChanged(b);
    },
  });

  const varsChanged = (s: KubeObject) => {
    for (const o of kustomizations.list()) {
      if (
        o.metadata.namespace === s.metadata.namespace &&
        substituteRefs(o).some((r) => r.kind === s.kind && r.name === s.metadata.name)
      ) {
        controller.queue.add(cacheKey(o));
      }
    }
  };
  for (const inf of [configMaps, secrets]) {
    inf.addHandler({
      onAdd: (s) => {
        if (inf.hasSynced()) varsChanged(s);
      },
      // As kustomize-controller's ResourceVersionChangedPredicate: any change of a watched source.
      onUpdate: (a, b) => {
        if (a.metadata.resourceVersion !== b.metadata.resourceVersion) varsChanged(b);
      },
      onDelete: varsChanged,
    });
  }

  const runnables: Runnable[] = [
    {
      name: "informer/kustomization-configmaps",
      needLeaderElection: false,
      start: (s) => configMaps.start(s),
    },
    { name: "informer/kustomization-secrets", needLeaderElection: false, start: (s) => secrets.start(s) },
  ];
  if (ownKustomizations) {
    runnables.push({
      name: "informer/kustomizations",
      needLeaderElection: false,
      start: (s) => kustomizations.start(s),
    });
  }
  if (ownRepos) {
    runnables.push({
      name: "informer/kustomization-ocirepositories",
      needLeaderElection: false,
      start: (s) => repos.start(s),
    });
  }
  runnables.push({
    name: "controller/kustomization",
    start: async (s) => {
      await kustomizations.waitForSync(s);
      // A tighter (or lifted) lockdown applies to every Kustomization at once, not at its next interval.
      const unsubscribe = opts.onTenancyChange?.(() => {
        for (const o of kustomizations.list()) controller.queue.add(cacheKey(o));
      });
      try {
        await controller.start(s);
      } finally {
        unsubscribe?.();
        reconciler.close();
      }
    },
  });
  return {
    reconciler,
    controller,
    informers: { kustomizations, ociRepositories: repos, configMaps, secrets },
    consumersOf,
    runnables,
  };
}
