/**
 * Wiring of the FluxInstance and FluxReport reconcilers on the runtime. FluxInstances are reconciled on
 * create, a new generation, any annotation change (`reconcile.fluxcd.io/requestedAt`, `reconcile: disabled`)
 * and deletion — flux-operator's predicates — and again every `reconcileEvery` (default 1 h). The report
 * `flux` of `reportNamespace` is refreshed at start, after every FluxInstance reconcile, when an object of a
 * reported kind appears, goes, or changes its Ready status or `suspend`, and every `reportIntervalMs`.
 * A generated object deleted behind an instance's back re-enqueues the instance (Ferry's addition).
 */
import type { KubeObject } from "../../kube/index.ts";
import { Controller, cacheKey, Informer, type Runnable, type RuntimeMetrics } from "../../runtime/index.ts";
import { FluxInstanceReconciler, type FluxInstanceReconcilerOptions } from "./reconciler.ts";
import { FluxReportReconciler, REPORTED_KINDS } from "./report.ts";
import { API_VERSION, INSTANCE_NAME, KIND, OWNER_NAME, OWNER_NAMESPACE } from "./status.ts";

export interface FluxInstanceControllerOptions extends Omit<FluxInstanceReconcilerOptions, "onReconciled"> {
  /** Watch this namespace only (default: all). */
  namespace?: string | undefined;
  /** Parallel FluxInstance reconciles (default 2). */
  concurrency?: number | undefined;
  metrics?: RuntimeMetrics | undefined;
  /** Failed reconciles retry with exponential backoff between these (default 1 s, 5 min). */
  retryMinDelayMs?: number | undefined;
  retryMaxDelayMs?: number | undefined;
  /** Shared informers (one watch per kind for a whole agent); otherwise created here and returned as runnables. */
  informerFor?: ((apiVersion: string, kind: string) => Informer) | undefined;
  /** Namespace of the FluxReport `flux` (default `namespace`, else `flux-system`). */
  reportNamespace?: string | undefined;
  /** Report refresh interval without changes (default 5 min, flux-operator's). */
  reportIntervalMs?: number | undefined;
}

export interface FluxInstanceController {
  reconciler: FluxInstanceReconciler;
  controller: Controller;
  report: { reconciler: FluxReportReconciler; controller: Controller; key: string };
  runnables: Runnable[];
}

function instanceChanged(a: KubeObject, b: KubeObject): boolean {
  return (
    a.metadata.generation !== b.metadata.generation ||
    !!a.metadata.deletionTimestamp !== !!b.metadata.deletionTimestamp ||
    JSON.stringify(a.metadata.annotations ?? {}) !== JSON.stringify(b.metadata.annotations ?? {})
  );
}

/** What the report shows of an object: its Ready status and reason, `suspend`, artifact size, sync fields. */
function reportedState(o: KubeObject): string {
  const st = (o.status ?? {}) as {
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
    artifact?: { size?: number };
  };
  const r = st.conditions?.find((c) => c.type === "Ready");
  const spec = (o.spec ?? {}) as { suspend?: boolean; url?: string; path?: string };
  return JSON.stringify([
    r?.status,
    r?.reason,
    r?.message,
    spec.suspend,
    spec.url,
    spec.path,
    st.artifact?.size,
  ]);
}

export function fluxInstanceController(opts: FluxInstanceControllerOptions): FluxInstanceController {
  const onError = (err: unknown) => opts.log?.error("watch failed", { error: String(err) });
  const own: Informer[] = [];
  const informer =
    opts.informerFor ??
    ((apiVersion: string, kind: string) => {
      const i = new Informer({ client: opts.kube, apiVersion, kind, namespace: opts.namespace, onError });
      own.push(i);
      return i;
    });
  const reportNamespace = opts.reportNamespace ?? opts.namespace ?? "flux-system";
  const reportKey = `${reportNamespace}/${INSTANCE_NAME}`;
  const queue = { baseDelayMs: opts.retryMinDelayMs ?? 1000, maxDelayMs: opts.retryMaxDelayMs ?? 5 * 60_000 };
  const logError = (key: string, err: unknown, retry: boolean) =>
    opts.log?.error(String((err as Error)?.message ?? err), { object: key, retry });

  const instances = informer(API_VERSION, KIND);
  const reported = REPORTED_KINDS.map((k) => ({ ...k, informer: informer(k.apiVersion, k.kind) }));

  const reportReconciler = new FluxReportReconciler({
    kube: opts.kube,
    log: opts.log,
    intervalMs: opts.reportIntervalMs,
    fieldManager: opts.fieldManager,
    inputs: (namespace) => ({
      namespace,
      instances: instances.list().filter((i) => i.metadata.namespace === namespace),
      objects: new Map(reported.map((r) => [`${r.apiVersion}/${r.kind}`, r.informer.list()])),
    }),
  });
  const reportController = new Controller({
    name: "fluxreport",
    kind: "FluxReport",
    reconcile: reportReconciler.reconcile,
    concurrency: 1,
    queue,
    metrics: opts.metrics,
    onError: logError,
  });
  const refresh = () => reportController.queue.add(reportKey);

  const reconciler = new FluxInstanceReconciler({ ...opts, onReconciled: refresh });
  const controller = new Controller({
    name: "fluxinstance",
    kind: KIND,
    reconcile: reconciler.reconcile,
    concurrency: opts.concurrency ?? 2,
    queue,
    metrics: opts.metrics,
    onError: logError,
  });
  controller.watch(instances, (o) => [cacheKey(o)], instanceChanged);

  // A generated object deleted behind the instance's back is recreated now, not at the next interval.
  const ownerOf = (o: KubeObject): string[] => {
    const l = o.metadata.labels ?? {};
    return l[OWNER_NAME] && l[OWNER_NAMESPACE] ? [`${l[OWNER_NAMESPACE]}/${l[OWNER_NAME]}`] : [];
  };
  const recreate = (o: KubeObject) => {
    for (const k of ownerOf(o)) {
      const i = instances.get(k);
      if (i && !i.metadata.deletionTimestamp) controller.queue.add(k);
    }
  };
  for (const r of reported) {
    r.informer.addHandler({
      onAdd: () => {
        if (r.informer.hasSynced()) refresh();
      },
      onUpdate: (a, b) => {
        if (reportedState(a) !== reportedState(b)) refresh();
      },
      onDelete: (o) => {
        refresh();
        recreate(o);
      },
    });
  }

  const all = [instances, ...reported.map((r) => r.informer)];
  return {
    reconciler,
    controller,
    report: { reconciler: reportReconciler, controller: reportController, key: reportKey },
    runnables: [
      ...own.map((i) => ({
        name: `informer/${i.kind.toLowerCase()}`,
        needLeaderElection: false,
        start: (s: AbortSignal) => i.start(s),
      })),
      {
        name: "controller/fluxinstance",
        start: async (s: AbortSignal) => {
          await instances.waitForSync(s);
          await controller.start(s);
        },
      },
      {
        name: "controller/fluxreport",
        start: async (s: AbortSignal) => {
          for (const i of all) await i.waitForSync(s);
          refresh();
          await reportController.start(s);
        },
      },
    ],
  };
}
