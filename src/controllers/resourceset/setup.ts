/**
 * How the agent runs the ResourceSet and ResourceSetInputProvider controllers: a setup per kind over the
 * agent's shared parts (typed structurally, so this module does not depend on src/agent). Events report as
 * `flux-operator`, as upstream.
 */
import type { KubeClient } from "../../kube/index.ts";
import type { EventRecorder, Informer, Runnable, RuntimeMetrics } from "../../runtime/index.ts";
import type { ReconcileLogger } from "../ocirepository/index.ts";
import { resourceSetController } from "./controller.ts";
import { FIELD_MANAGER } from "./status.ts";

export interface SetupContext {
  kube: KubeClient;
  metrics: RuntimeMetrics;
  log: { with(fields: Record<string, unknown>): ReconcileLogger };
  namespace: string | undefined;
  concurrency: number | undefined;
  informer(apiVersion: string, kind: string): Informer;
  events(reportingController: string): EventRecorder;
  /** The agent's options: `operatorDefaultServiceAccount` is flux-operator's `--default-service-account`. */
  options?: { operatorDefaultServiceAccount?: string | undefined } | undefined;
}

export interface SetupResult {
  name: string;
  runnables: Runnable[];
}

export function resourceSetSetup(ctx: SetupContext): SetupResult {
  const c = resourceSetController({
    kube: ctx.kube,
    events: ctx.events(FIELD_MANAGER),
    log: ctx.log.with({ controller: "resourceset" }),
    namespace: ctx.namespace,
    concurrency: ctx.concurrency,
    metrics: ctx.metrics,
    informerFor: ctx.informer,
    defaultServiceAccount: ctx.options?.operatorDefaultServiceAccount,
  });
  return { name: "resourceset", runnables: c.runnables };
}
