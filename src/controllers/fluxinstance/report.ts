/**
 * The FluxReport `flux`: what flux-operator's reporter computes, from the agent's caches — the distribution
 * (Ferry and its version, managed by the agent), the agent as the only component, per-kind reconciler
 * statistics (running = total − suspended, failing = Ready=False and not suspended and not waiting on a
 * dependency, suspended, total artifact size) and the cluster sync (the Kustomization named after the
 * FluxInstance's sync, its path and Ready message, the source URL, the source's failure appended).
 * and the cluster (API server version and platform, node count). `computeReport` is pure; the reconciler
 * reads the cluster info and writes the result with server-side apply as `flux-operator`.
 */
import { arch, platform } from "node:os";
import type { FluxReportSpec } from "../../api/index.ts";
import { applyObject, getObject, isNotFound, type KubeClient, type KubeObject } from "../../kube/index.ts";
import { applyStatus, markReady, type ReconcileResult } from "../../runtime/index.ts";
import { durationMs, type ReconcileLogger } from "../ocirepository/index.ts";
import { Annotations, API_VERSION, FERRY_VERSION, FIELD_MANAGER, INSTANCE_NAME } from "./status.ts";

/** The kinds the agent reconciles and the report counts. */
export const REPORTED_KINDS: ReadonlyArray<{ apiVersion: string; kind: string }> = [
  { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" },
  { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "OCIRepository" },
  { apiVersion: "fluxcd.controlplane.io/v1", kind: "ResourceSet" },
  { apiVersion: "fluxcd.controlplane.io/v1", kind: "ResourceSetInputProvider" },
];

export interface ReportInputs {
  /** The report's namespace (where the FluxInstance and its sync objects live). */
  namespace: string;
  /** Objects of each reported kind, keyed `apiVersion/kind`. */
  objects: ReadonlyMap<string, readonly KubeObject[]>;
  /** FluxInstances of the report's namespace. */
  instances: readonly KubeObject[];
  /** The API server's version and platform, and the node count (omitted when unreadable). */
  cluster?: FluxReportSpec["cluster"] | undefined;
}

interface Cond {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

const conditionsOf = (o: KubeObject | undefined): Cond[] =>
  ((o?.status ?? {}) as { conditions?: Cond[] }).conditions ?? [];
const readyOf = (o: KubeObject | undefined): Cond | undefined =>
  conditionsOf(o).find((c) => c.type === "Ready");
const suspended = (o: KubeObject): boolean => (o.spec as { suspend?: boolean } | undefined)?.suspend === true;

/** flux-operator's size text: `512 B`, `1.5 KiB`, `3.0 MiB`; empty for 0. */
export function formatSize(bytes: number): string {
  if (bytes <= 0) return "";
  if (bytes < 1024) return `${bytes} B`;
  let div = 1024;
  let exp = 0;
  for (let n = Math.floor(bytes / 1024); n >= 1024; n = Math.floor(n / 1024)) {
    div *= 1024;
    exp++;
  }
  return `${(bytes / div).toFixed(1)} ${"KMGTPE"[exp]}iB`;
}

function goPlatform(): string {
  const a = arch();
  return `${platform()}/${a === "x64" ? "amd64" : a === "ia32" ? "386" : a}`;
}

export function computeReport(inputs: ReportInputs): FluxReportSpec {
  const instance = inputs.instances.find((i) => i.metadata.name === INSTANCE_NAME);
  const reconcilers = REPORTED_KINDS.map(({ apiVersion, kind }) => {
    const list = inputs.objects.get(`${apiVersion}/${kind}`) ?? [];
    let susp = 0;
    let failing = 0;
    let size = 0;
    for (const o of list) {
      if (suspended(o)) susp++;
      else {
        const r = readyOf(o);
        if (r?.status === "False" && r.reason !== "DependencyNotReady") failing++;
      }
      size += (o.status as { artifact?: { size?: number } } | undefined)?.artifact?.size ?? 0;
    }
    const totalSize = formatSize(size);
    return {
      apiVersion,
      kind,
      stats: { running: list.length - susp, failing, suspended: susp, ...(totalSize ? { totalSize } : {}) },
    };
  });
  const spec: FluxReportSpec = {
    distribution: {
      entitlement: "Not required",
      status: instance ? "Installed" : "Not Installed",
      version: `v${FERRY_VERSION}`,
      managedBy: "ferry-agent",
    },
    ...(inputs.cluster ? { cluster: inputs.cluster } : {}),
    operator: { apiVersion: API_VERSION, version: `v${FERRY_VERSION}`, platform: goPlatform() },
    components: [
      {
        name: "ferry-agent",
        ready: true,
        status: "Running: reconciles the Flux APIs in-process",
        image: "",
      },
    ],
    reconcilers,
  };
  const sync = syncStatus(inputs, instance);
  if (sync) spec.sync = sync;
  return spec;
}

function syncStatus(inputs: ReportInputs, instance: KubeObject | undefined): FluxReportSpec["sync"] {
  const name = (instance?.spec as { sync?: { name?: string } } | undefined)?.sync?.name || inputs.namespace;
  const find = (kind: string, apiVersion: string) =>
    (inputs.objects.get(`${apiVersion}/${kind}`) ?? []).find(
      (o) => o.metadata.name === name && o.metadata.namespace === inputs.namespace,
    );
  const ks = find("Kustomization", "kustomize.toolkit.fluxcd.io/v1");
  if (!ks) return undefined;
  const out: NonNullable<FluxReportSpec["sync"]> = {
    id: `kustomization/${name}`,
    ready: false,
    status: "not initialized",
  };
  const path = (ks.spec as { path?: string } | undefined)?.path;
  if (path) out.path = path;
  const r = readyOf(ks);
  if (r) {
    out.ready = r.status !== "False";
    out.status = r.message ?? "";
  }
  const ref = (ks.spec as { sourceRef?: { kind?: string } } | undefined)?.sourceRef;
  if (ref?.kind === "OCIRepository") {
    const src = find("OCIRepository", "source.toolkit.fluxcd.io/v1");
    if (src) {
      const url = (src.spec as { url?: string } | undefined)?.url;
      if (url) out.source = url;
      const sr = readyOf(src);
      if (sr?.status === "False") {
        out.ready = false;
        out.status += `\n${sr.message ?? ""}`;
      }
    }
  }
  if ((ks.spec as { suspend?: boolean } | undefined)?.suspend) out.status = `Suspended ${out.status}`;
  return out;
}

export interface FluxReportReconcilerOptions {
  kube: KubeClient;
  /** Snapshot of the agent's caches for the report. */
  inputs: (namespace: string) => ReportInputs;
  log?: ReconcileLogger | undefined;
  /** Refresh interval without changes (default 5 min; `fluxcd.controlplane.io/reconcileEvery` overrides). */
  intervalMs?: number | undefined;
  fieldManager?: string | undefined;
}

const quiet: ReconcileLogger = { debug: () => {}, info: () => {}, error: () => {} };

export class FluxReportReconciler {
  private readonly o: FluxReportReconcilerOptions;
  private readonly log: ReconcileLogger;

  constructor(opts: FluxReportReconcilerOptions) {
    this.o = opts;
    this.log = opts.log ?? quiet;
  }

  /** `GET /version` and a one-item node list (its `remainingItemCount` gives the count); undefined on failure. */
  private async cluster(signal: AbortSignal): Promise<FluxReportSpec["cluster"]> {
    try {
      const v = await this.o.kube.request<{ gitVersion?: string; platform?: string }>({
        path: "/version",
        signal,
      });
      const out: NonNullable<FluxReportSpec["cluster"]> = {
        serverVersion: v.gitVersion ?? "",
        platform: v.platform ?? "",
      };
      const nodes = await this.o.kube
        .request<{ items?: unknown[]; metadata?: { remainingItemCount?: number } }>({
          path: "/api/v1/nodes",
          query: { limit: 1 },
          signal,
        })
        .catch(() => undefined);
      const count = nodes ? (nodes.items?.length ?? 0) + (nodes.metadata?.remainingItemCount ?? 0) : 0;
      if (count > 0) out.nodes = count;
      return out;
    } catch (err) {
      if (signal.aborted) throw err;
      this.log.debug("cluster version not readable", { error: String(err) });
      return undefined;
    }
  }

  readonly reconcile = async (key: string, signal: AbortSignal): Promise<ReconcileResult | undefined> => {
    const started = performance.now();
    const namespace = key.slice(0, key.indexOf("/"));
    const fieldManager = this.o.fieldManager ?? FIELD_MANAGER;
    const ref = { apiVersion: API_VERSION, kind: "FluxReport", metadata: { name: INSTANCE_NAME, namespace } };
    const interval = this.o.intervalMs ?? 5 * 60_000;
    const existing = await getObject(this.o.kube, ref, { signal });
    const annotations = existing?.metadata.annotations;
    if ((annotations?.[Annotations.reconcile] ?? "").toLowerCase() === "disabled") {
      this.log.info("Reconciliation is disabled, the report is not computed", { object: key });
      return undefined;
    }
    const spec = computeReport({ ...this.o.inputs(namespace), cluster: await this.cluster(signal) });
    let obj: KubeObject;
    try {
      obj = await applyObject(this.o.kube, { ...ref, spec } as KubeObject, {
        signal,
        fieldManager,
        force: true,
      });
    } catch (err) {
      // No namespace yet (e.g. flux-system before the first bootstrap): try again later, quietly.
      if (isNotFound(err)) {
        this.log.debug("report namespace not found", { object: key });
        return { requeueAfterMs: interval };
      }
      throw err;
    }
    const ms = performance.now() - started;
    const msg = `Reporting finished in ${ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`}`;
    const conditions = markReady(
      (obj.status as { conditions?: never } | undefined)?.conditions,
      obj.metadata.generation,
      "Succeeded",
      msg,
    );
    const requestedAt = obj.metadata.annotations?.[Annotations.requestedAt];
    await applyStatus(
      this.o.kube,
      obj,
      { conditions, ...(requestedAt !== undefined ? { lastHandledReconcileAt: requestedAt } : {}) },
      { signal, fieldManager },
    );
    this.log.debug(msg, { object: key });
    const every = durationMs(obj.metadata.annotations?.[Annotations.reconcileEvery]) ?? interval;
    return { requeueAfterMs: every > 0 ? every : interval };
  };
}
