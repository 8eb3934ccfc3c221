/**
 * Wiring of the ResourceSet reconciler on the runtime, with flux-operator's watches: ResourceSets (on create,
 * a new generation, any annotation change — `reconcile.fluxcd.io/requestedAt`, `reconcile: disabled` —
 * and deletion, never on their own status writes), ResourceSetInputProviders (a new
 * `status.lastExportedRevision` re-enqueues the sets of the same namespace selecting the provider by name
 * or labels), and ConfigMaps and Secrets labelled `reconcile.fluxcd.io/watch: Enabled` (a change re-enqueues
 * the sets whose applied objects copy from it with `copyFrom` or `convertKubeConfigFrom`, and the sets whose
 * `status.externalChecksumRefs` name it; unlabelled sources are only read at the next reconcile).
 */
import type { KubeObject } from "../../kube/index.ts";
import { matchesSelector } from "../../render/resourceset/index.ts";
import { Controller, cacheKey, Informer, type Runnable, type RuntimeMetrics } from "../../runtime/index.ts";
import { CONVERT_KUBECONFIG_FROM, parseKubeConfigRef } from "./kubeconfig.ts";
import { ResourceSetReconciler, type ResourceSetReconcilerOptions } from "./reconciler.ts";
import { Annotations, API_VERSION } from "./status.ts";

export interface ResourceSetControllerOptions extends ResourceSetReconcilerOptions {
  /** Watch this namespace only (default: all). */
  namespace?: string | undefined;
  /** Parallel reconciles (default 4). */
  concurrency?: number | undefined;
  metrics?: RuntimeMetrics | undefined;
  /** Failed reconciles retry with exponential backoff between these (default 1 s, 5 min). */
  retryMinDelayMs?: number | undefined;
  retryMaxDelayMs?: number | undefined;
  /**
   * Shared informers (one watch per kind for a whole agent): when set, the informers come from it and its
   * owner runs them; otherwise they are created here and returned as runnables.
   */
  informerFor?: ((apiVersion: string, kind: string) => Informer) | undefined;
}

export interface ResourceSetController {
  reconciler: ResourceSetReconciler;
  controller: Controller;
  informers: { resourcesets: Informer; providers: Informer; configmaps: Informer; secrets: Informer };
  runnables: Runnable[];
}

/** The label that makes a ConfigMap or Secret trigger the sets reading it (Flux's `meta.LabelKeyWatch`). */
export const WATCH_LABEL = "reconcile.fluxcd.io/watch";
export const WATCH_VALUE = "Enabled";

const OWNER_NAME = "resourceset.fluxcd.controlplane.io/name";
const OWNER_NAMESPACE = "resourceset.fluxcd.controlplane.io/namespace";

function rsetChanged(a: KubeObject, b: KubeObject): boolean {
  return (
    a.metadata.generation !== b.metadata.generation ||
    !!a.metadata.deletionTimestamp !== !!b.metadata.deletionTimestamp ||
    JSON.stringify(a.metadata.annotations ?? {}) !== JSON.stringify(b.metadata.annotations ?? {})
  );
}

/** Whether the set's `spec.inputsFrom` selects the provider (same namespace, by name or labels). */
export function selectsProvider(rset: KubeObject, provider: KubeObject): boolean {
  if (rset.metadata.namespace !== provider.metadata.namespace) return false;
  const refs = (
    (rset.spec ?? {}) as { inputsFrom?: Array<{ name?: string; selector?: Record<string, unknown> }> }
  ).inputsFrom;
  for (const ref of refs ?? []) {
    if (ref.name) {
      if (ref.name === provider.metadata.name) return true;
      continue;
    }
    if (ref.selector) {
      try {
        if (matchesSelector(provider.metadata.labels ?? {}, ref.selector)) return true;
      } catch {
        // An invalid selector fails the set's own reconcile; it selects nothing here.
      }
    }
  }
  return false;
}

export function resourceSetController(opts: ResourceSetControllerOptions): ResourceSetController {
  const reconciler = new ResourceSetReconciler(opts);
  const onError = (err: unknown) => opts.log?.error("watch failed", { error: String(err) });
  const own = (apiVersion: string, kind: string) =>
    new Informer({ client: opts.kube, apiVersion, kind, namespace: opts.namespace, onError });
  const informer = opts.informerFor ?? own;
  const rsets = informer(API_VERSION, "ResourceSet");
  const providers = informer(API_VERSION, "ResourceSetInputProvider");
  const configmaps = informer("v1", "ConfigMap");
  const secrets = informer("v1", "Secret");
  const controller = new Controller({
    name: "resourceset",
    kind: "ResourceSet",
    reconcile: reconciler.reconcile,
    concurrency: opts.concurrency ?? 4,
    queue: { baseDelayMs: opts.retryMinDelayMs ?? 1000, maxDelayMs: opts.retryMaxDelayMs ?? 5 * 60_000 },
    metrics: opts.metrics,
    onError: (key, err, retry) =>
      opts.log?.error(String((err as Error)?.message ?? err), { object: key, retry }),
  });
  controller.watch(rsets, (o) => [cacheKey(o)], rsetChanged);

  const providerChanged = (p: KubeObject) => {
    for (const r of rsets.list()) if (selectsProvider(r, p)) controller.queue.add(cacheKey(r));
  };
  const revision = (p: KubeObject) =>
    ((p.status ?? {}) as { lastExportedRevision?: string }).lastExportedRevision;
  providers.addHandler({
    onAdd: (p) => {
      if (providers.hasSynced()) providerChanged(p);
    },
    onUpdate: (a, b) => {
      if (revision(a) !== revision(b)) providerChanged(b);
    },
    onDelete: providerChanged,
  });

  // Which sets copy from which source: `Kind/ns/name` of a source → (copy → `ns/name` of its set), kept
  // from the ConfigMap and Secret caches (copies carry the owner labels and the copyFrom or
  // convertKubeConfigFrom annotation).
  const copies = new Map<string, Map<string, string>>();
  const copyOf = (o: KubeObject): { sources: string[]; rset: string } | undefined => {
    const labels = o.metadata.labels ?? {};
    const owner = labels[OWNER_NAME];
    if (!owner) return undefined;
    const sources: string[] = [];
    const copy = o.metadata.annotations?.[Annotations.copyFrom]?.trim();
    if (copy) sources.push(`${o.kind}/${copy}`);
    const kubeconfig = o.metadata.annotations?.[CONVERT_KUBECONFIG_FROM];
    if (kubeconfig && o.kind === "ConfigMap") sources.push(`Secret/${parseKubeConfigRef(kubeconfig).ref}`);
    return sources.length > 0 ? { sources, rset: `${labels[OWNER_NAMESPACE] ?? ""}/${owner}` } : undefined;
  };
  const forget = (o: KubeObject) => {
    for (const source of copyOf(o)?.sources ?? []) {
      const m = copies.get(source);
      m?.delete(`${o.kind}/${cacheKey(o)}`);
      if (m?.size === 0) copies.delete(source);
    }
  };
  const remember = (o: KubeObject) => {
    const c = copyOf(o);
    for (const source of c?.sources ?? []) {
      const m = copies.get(source) ?? new Map<string, string>();
      copies.set(source, m);
      m.set(`${o.kind}/${cacheKey(o)}`, c?.rset ?? "");
    }
  };
  // A source changed: re-enqueue the sets that copy from it and those whose checksums read it — only for a
  // source labelled `reconcile.fluxcd.io/watch: Enabled` (flux-operator's default
  // `--watch-configs-label-selector`); other sources are read again at the set's next reconcile.
  const sourceChanged = (src: KubeObject) => {
    if (src.metadata.labels?.[WATCH_LABEL] !== WATCH_VALUE) return;
    const ref = `${src.kind}/${cacheKey(src)}`;
    for (const rset of copies.get(ref)?.values() ?? []) controller.queue.add(rset);
    for (const r of rsets.list()) {
      const refs = ((r.status ?? {}) as { externalChecksumRefs?: string[] }).externalChecksumRefs;
      if (refs?.includes(ref)) controller.queue.add(cacheKey(r));
    }
  };
  for (const cache of [configmaps, secrets]) {
    cache.addHandler({
      onAdd: (o) => {
        remember(o);
        if (cache.hasSynced()) sourceChanged(o);
      },
      onUpdate: (a, b) => {
        forget(a);
        remember(b);
        if (a.metadata.resourceVersion !== b.metadata.resourceVersion) sourceChanged(b);
      },
      onDelete: (o) => {
        forget(o);
        sourceChanged(o);
      },
    });
  }

  return {
    reconciler,
    controller,
    informers: { resourcesets: rsets, providers, configmaps, secrets },
    runnables: [
      ...(opts.informerFor
        ? []
        : [rsets, providers, configmaps, secrets].map(
            (inf): Runnable => ({
              name: `informer/resourceset/${inf.kind}`,
              needLeaderElection: false,
              start: (s) => inf.start(s),
            }),
          )),
      {
        name: "controller/resourceset",
        start: async (s) => {
          await rsets.waitForSync(s);
          await providers.waitForSync(s);
          try {
            await controller.start(s);
          } finally {
            reconciler.close();
          }
        },
      },
    ],
  };
}
