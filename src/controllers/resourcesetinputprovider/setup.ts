/** How the agent runs the ResourceSetInputProvider controller (see src/controllers/resourceset/setup.ts). */
import type { SetupContext, SetupResult } from "../resourceset/index.ts";
import { FIELD_MANAGER } from "../resourceset/index.ts";
import { resourceSetInputProviderController } from "./controller.ts";

export function resourceSetInputProviderSetup(ctx: SetupContext): SetupResult {
  const c = resourceSetInputProviderController({
    kube: ctx.kube,
    events: ctx.events(FIELD_MANAGER),
    log: ctx.log.with({ controller: "resourcesetinputprovider" }),
    namespace: ctx.namespace,
    concurrency: ctx.concurrency,
    metrics: ctx.metrics,
    informerFor: ctx.informer,
  });
  return { name: "resourcesetinputprovider", runnables: c.runnables };
}
