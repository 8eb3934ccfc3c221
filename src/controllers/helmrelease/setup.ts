/** How the agent runs the HelmRelease controller (one entry in src/agent/controllers.ts). */
import type { AgentContext, AgentController } from "../../agent/controllers.ts";
import { findKustomize } from "../../render/index.ts";
import { helmReleaseController } from "./controller.ts";

export function helmReleaseSetup(ctx: AgentContext): AgentController {
  const c = helmReleaseController({
    kube: ctx.kube,
    store: ctx.store,
    events: ctx.events("helm-controller"),
    log: ctx.log.with({ controller: "helmrelease" }),
    namespace: ctx.namespace,
    concurrency: ctx.concurrency,
    metrics: ctx.metrics,
    informerFor: ctx.informer,
    // postRenderers run the kustomize the Kustomization controller uses.
    kustomize: ctx.options.kustomize ?? (() => findKustomize()),
    tenancy: () => ctx.settings.tenancy(),
  });
  return { name: "helmrelease", runnables: c.runnables };
}
