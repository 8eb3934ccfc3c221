/**
 * The reconcilers the agent runs. Each kind contributes one setup function: it receives the agent's shared
 * parts (API client, store, shared informers, events, logs, metrics, scope, options) and returns its
 * runnables. To add a kind, write its setup (here or beside its controller) and list it in
 * `DEFAULT_CONTROLLERS`; pass `ctx.informer` for every kind it watches so watches stay one per kind.
 */
import type { TrustedRoot } from "@sigstore/protobuf-specs";
import { fluxInstanceSetup } from "../controllers/fluxinstance/index.ts";
import { helmReleaseSetup } from "../controllers/helmrelease/index.ts";
import { kustomizationController } from "../controllers/kustomization/index.ts";
import { ociRepositoryController } from "../controllers/ocirepository/index.ts";
import { resourceSetSetup } from "../controllers/resourceset/index.ts";
import { resourceSetInputProviderSetup } from "../controllers/resourcesetinputprovider/index.ts";
import type { KubeClient } from "../kube/index.ts";
import { findKustomize } from "../render/index.ts";
import type { EventRecorder, Informer, Runnable, RuntimeMetrics } from "../runtime/index.ts";
import type { ArtifactStore } from "../store/index.ts";
import type { AgentOptions } from "./agent.ts";
import type { Logger } from "./log.ts";
import type { AgentSettings } from "./settings.ts";

export interface AgentContext {
  /** Everything the agent was started with (kind-specific settings such as `kustomize` live here). */
  options: AgentOptions;
  kube: KubeClient;
  store: ArtifactStore;
  metrics: RuntimeMetrics;
  log: Logger;
  /** Scope: one namespace, or all when undefined. */
  namespace: string | undefined;
  /** Parallel reconciles per kind, when set by the user. */
  concurrency: number | undefined;
  trustedRoot: TrustedRoot | undefined;
  /** The shared informer of a kind (one watch per kind for the whole agent; the agent runs it). */
  informer(apiVersion: string, kind: string): Informer;
  /** An event recorder reporting as the given controller (e.g. `kustomize-controller`). */
  events(reportingController: string): EventRecorder;
  /** Settings that change while the agent runs (multi-tenancy lockdown from a FluxInstance); see settings.ts. */
  settings: AgentSettings;
}

export interface AgentController {
  name: string;
  /** Controllers and other runnables (informers from `ctx.informer` are run by the agent). */
  runnables: Runnable[];
  /** Store keys this kind's objects advertise (kept by the startup garbage collection). */
  storeKeys?(): string[];
}

export type ControllerSetup = (ctx: AgentContext) => AgentController;

export const ociRepositorySetup: ControllerSetup = (ctx) => {
  const c = ociRepositoryController({
    kube: ctx.kube,
    store: ctx.store,
    events: ctx.events("source-controller"),
    log: ctx.log.with({ controller: "ocirepository" }),
    namespace: ctx.namespace,
    concurrency: ctx.concurrency,
    metrics: ctx.metrics,
    trustedRoot: ctx.trustedRoot,
    informerFor: ctx.informer,
  });
  return { name: "ocirepository", runnables: c.runnables, storeKeys: c.storeKeys };
};

export const kustomizationSetup: ControllerSetup = (ctx) => {
  const o = ctx.options;
  const c = kustomizationController({
    kube: ctx.kube,
    store: ctx.store,
    // Without a runner from the CLI, builds fail with BuildFailed naming the missing kustomize.
    kustomize: o.kustomize ?? (() => findKustomize()),
    events: ctx.events("kustomize-controller"),
    log: ctx.log.with({ controller: "kustomization" }),
    noCrossNamespaceRefs: o.noCrossNamespaceRefs,
    defaultServiceAccount: o.defaultServiceAccount,
    noRemoteBases: o.noRemoteBases,
    // The lockdown in force at each reconcile (flags tightened by a multitenant FluxInstance).
    tenancy: () => ctx.settings.tenancy(),
    onTenancyChange: (listener) => ctx.settings.onChange(listener),
    namespace: ctx.namespace,
    concurrency: ctx.concurrency,
    metrics: ctx.metrics,
    // Kustomization and OCIRepository watches shared with the other kinds (one per kind in the agent).
    informerFor: ctx.informer,
  });
  return { name: "kustomization", runnables: c.runnables };
};

/** Every kind the agent reconciles, in start order. */
export const DEFAULT_CONTROLLERS: readonly ControllerSetup[] = [
  ociRepositorySetup,
  kustomizationSetup,
  // ResourceSet and ResourceSetInputProvider: setups beside their controllers (src/controllers/resourceset*).
  resourceSetInputProviderSetup,
  resourceSetSetup,
  // FluxInstance (its sync objects) and the FluxReport: setup beside the controller (src/controllers/fluxinstance).
  fluxInstanceSetup,
  // HelmRelease: setup beside the controller (src/controllers/helmrelease).
  helmReleaseSetup,
];
