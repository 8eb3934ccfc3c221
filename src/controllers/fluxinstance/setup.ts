/**
 * How the agent runs the FluxInstance and FluxReport controllers over its shared parts (typed
 * structurally, so this module does not depend on src/agent). Events report as `flux-operator`, as upstream.
 */
import type { KubeClient } from "../../kube/index.ts";
import { findKustomize, type KustomizeRunner } from "../../render/index.ts";
import type { EventRecorder, Informer, Runnable, RuntimeMetrics } from "../../runtime/index.ts";
import type { ReconcileLogger } from "../ocirepository/index.ts";
import { fluxInstanceController } from "./controller.ts";
import type { TenancySettings } from "./generate.ts";
import { FIELD_MANAGER } from "./status.ts";

export interface FluxInstanceSetupContext {
  kube: KubeClient;
  metrics: RuntimeMetrics;
  log: { with(fields: Record<string, unknown>): ReconcileLogger };
  namespace: string | undefined;
  concurrency: number | undefined;
  informer(apiVersion: string, kind: string): Informer;
  events(reportingController: string): EventRecorder;
  options: { kustomize?: KustomizeRunner | undefined };
  /** Where the multi-tenancy lockdown of an instance goes (the agent's AgentSettings). */
  settings?: { setTenancy(instance: string, settings: TenancySettings | undefined): void } | undefined;
}

export function fluxInstanceSetup(ctx: FluxInstanceSetupContext): { name: string; runnables: Runnable[] } {
  const kustomize = ctx.options.kustomize;
  const settings = ctx.settings;
  const c = fluxInstanceController({
    kube: ctx.kube,
    // Without a runner from the CLI, an instance with patches fails with BuildFailed naming the missing kustomize.
    kustomize: () => kustomize ?? findKustomize(),
    events: ctx.events(FIELD_MANAGER),
    log: ctx.log.with({ controller: "fluxinstance" }),
    namespace: ctx.namespace,
    concurrency: ctx.concurrency,
    metrics: ctx.metrics,
    informerFor: ctx.informer,
    onTenancy: settings ? (key, t) => settings.setTenancy(key, t) : undefined,
  });
  return { name: "fluxinstance", runnables: c.runnables };
}
