/**
 * The health wait of a FluxInstance's sync objects. kstatus calls a custom resource without conditions or
 * `observedGeneration` Current, so right after an apply the OCIRepository and Kustomization would pass
 * before their controllers ever looked at them; here a Flux object is ready only when its Ready condition is
 * True for its current generation (`status.observedGeneration`). Other objects use the engine's wait.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { getObject, type KubeObject, type ResourceManager, WaitTimeoutError } from "../../kube/index.ts";

export interface WaitSyncedOptions {
  signal: AbortSignal;
  timeoutMs: number;
  intervalMs: number;
}

interface Ready {
  ref: string;
  ready: boolean;
  status: string;
  message: string;
}

const isFlux = (o: KubeObject) => /\.toolkit\.fluxcd\.io\//.test(o.apiVersion ?? "");

async function readiness(m: ResourceManager, o: KubeObject, signal: AbortSignal): Promise<Ready> {
  const ref = `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;
  const live = await getObject(m.client, o, { signal });
  if (!live) return { ref, ready: false, status: "NotFound", message: "not found" };
  const st = (live.status ?? {}) as {
    observedGeneration?: number;
    conditions?: Array<{ type: string; status: string; message?: string }>;
  };
  const r = st.conditions?.find((c) => c.type === "Ready");
  const current = (st.observedGeneration ?? -1) >= (live.metadata.generation ?? 0);
  if (!r) return { ref, ready: false, status: "InProgress", message: "not reconciled yet" };
  return {
    ref,
    ready: current && r.status === "True",
    status: current ? `Ready=${r.status}` : "InProgress",
    message: r.message ?? "",
  };
}

export async function waitSynced(
  m: ResourceManager,
  objects: readonly KubeObject[],
  opts: WaitSyncedOptions,
): Promise<void> {
  const others = objects.filter((o) => !isFlux(o));
  const flux = objects.filter(isFlux);
  const deadline = AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]);
  if (others.length > 0) {
    await m.wait(
      others.map((o) => ({
        apiVersion: o.apiVersion,
        kind: o.kind,
        metadata: { name: o.metadata.name, namespace: o.metadata.namespace },
      })),
      { signal: opts.signal, timeoutMs: opts.timeoutMs, intervalMs: opts.intervalMs, failFast: false },
    );
  }
  for (;;) {
    const states = await Promise.all(flux.map((o) => readiness(m, o, opts.signal)));
    const pending = states.filter((s) => !s.ready);
    if (pending.length === 0) return;
    if (deadline.aborted) {
      opts.signal.throwIfAborted();
      throw new WaitTimeoutError(opts.timeoutMs, pending);
    }
    await sleep(opts.intervalMs, undefined, { signal: deadline }).catch(() => {});
  }
}
