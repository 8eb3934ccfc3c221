/**
 * Agent: one process running every Ferry reconciler on one manager, sharing one API client, one set of
 * watches per kind and one artifact store. Start order: CRDs (optional), store, then the manager with the
 * probe/metrics server, the informers and the controllers (controllers only while leading when leader
 * election is on). Which kinds run is `DEFAULT_CONTROLLERS` (controllers.ts) unless options say otherwise.
 */
import { hostname } from "node:os";
import type { Writable } from "node:stream";
import type { TrustedRoot } from "@sigstore/protobuf-specs";
import { describe, UsageError } from "../errors/index.ts";
import { KubeClient, loadKubeConfig } from "../kube/index.ts";
import type { KustomizeRunner } from "../render/index.ts";
import { EventRecorder, Manager, ProbeServer, type Runnable, RuntimeMetrics } from "../runtime/index.ts";
import { ArtifactStore } from "../store/index.ts";
import { type AgentContext, type ControllerSetup, DEFAULT_CONTROLLERS } from "./controllers.ts";
import { SharedInformers } from "./informers.ts";
import { installCRDs } from "./install.ts";
import { jsonLogger, type Logger, type LogLevel, silentLogger } from "./log.ts";
import { AgentSettings } from "./settings.ts";

export interface AgentOptions {
  /** Kubeconfig file (or `kubeconfigText`). */
  kubeconfig?: string | undefined;
  kubeconfigText?: string | undefined;
  context?: string | undefined;
  /** Reconcile objects of this namespace only (default: all namespaces). */
  namespace?: string | undefined;
  /** Artifact store folder. */
  storeDir: string;
  /** Parallel reconciles per kind (default 10). */
  concurrency?: number | undefined;
  /** `host:port` of `/metrics`, `/healthz`, `/readyz` (port 0 = any free one); none when unset. */
  metricsAddr?: string | undefined;
  /** Run controllers only while holding the Lease `ferry-agent` (default off). */
  leaderElection?: boolean | undefined;
  /** Namespace of the Lease (default `flux-system`, or `namespace` when scoped). */
  leaderElectionNamespace?: string | undefined;
  /** Apply Ferry's CRDs before starting (default true). */
  installCRDs?: boolean | undefined;
  logLevel?: LogLevel | undefined;
  /** Where JSON-lines logs go (the CLI passes stderr); no logs without it. */
  logStream?: Writable | undefined;
  /** Trusted root for keyless verification when objects name none. */
  trustedRoot?: TrustedRoot | undefined;
  /** Reconcilers to run (default `DEFAULT_CONTROLLERS`: every kind Ferry serves). */
  controllers?: readonly ControllerSetup[] | undefined;
  /** This process's identity (events, leases); default `<hostname>-<pid>`. */
  identity?: string | undefined;
  /** How Kustomizations run kustomize (the CLI resolves it from PATH / FERRY_KUSTOMIZE); none found → BuildFailed. */
  kustomize?: KustomizeRunner | undefined;
  /** Multi-tenancy: refuse cross-namespace `sourceRef`s (Flux's `--no-cross-namespace-refs`). */
  noCrossNamespaceRefs?: boolean | undefined;
  /** Multi-tenancy: service account Kustomizations act as when they name none (`--default-service-account`). */
  defaultServiceAccount?: string | undefined;
  /** Multi-tenancy: refuse remote kustomize bases in Kustomization builds (Flux's `--no-remote-bases`). */
  noRemoteBases?: boolean | undefined;
  /**
   * Multi-tenancy: service account ResourceSets act as when they name none — flux-operator's own
   * `--default-service-account` (Helm value `multitenancy.defaultServiceAccount`), separate from the
   * Kustomizations' one and not changed by a FluxInstance.
   */
  operatorDefaultServiceAccount?: string | undefined;
}

export class Agent {
  readonly opts: AgentOptions;
  readonly kube: KubeClient;
  readonly store: ArtifactStore;
  readonly metrics = new RuntimeMetrics();
  readonly log: Logger;
  readonly manager: Manager;
  /** Settings shared by the reconcilers while running (the FluxInstance's multi-tenancy lockdown). */
  readonly settings: AgentSettings;
  private readonly probe: ProbeServer | undefined;
  private readonly identity: string;
  private readonly parts: Runnable[];
  private readonly informers: SharedInformers;

  constructor(opts: AgentOptions) {
    this.opts = opts;
    this.identity = opts.identity ?? `${hostname()}-${process.pid}`;
    this.log = opts.logStream ? jsonLogger(opts.logStream, opts.logLevel ?? "info") : silentLogger;
    this.kube = new KubeClient(
      loadKubeConfig({ path: opts.kubeconfig, text: opts.kubeconfigText, context: opts.context }),
      { onRequest: this.metrics.observeRequest, userAgent: "ferry-agent" },
    );
    this.store = new ArtifactStore({ root: opts.storeDir });
    this.settings = new AgentSettings({
      noCrossNamespaceRefs: opts.noCrossNamespaceRefs,
      defaultServiceAccount: opts.defaultServiceAccount,
      noRemoteBases: opts.noRemoteBases,
    });
    this.manager = new Manager({
      ...(opts.leaderElection
        ? {
            leaderElection: {
              client: this.kube,
              namespace: opts.leaderElectionNamespace ?? opts.namespace ?? "flux-system",
              name: "ferry-agent",
              identity: this.identity,
            },
          }
        : {}),
      onError: (name, err) => this.log.error("runnable failed", { runnable: name, error: describe(err) }),
    });
    this.informers = new SharedInformers({ kube: this.kube, namespace: this.opts.namespace, log: this.log });
    this.parts = this.controllers();
    if (opts.metricsAddr !== undefined) {
      const { host, port } = parseAddr(opts.metricsAddr);
      this.probe = new ProbeServer({
        host,
        port,
        registry: this.metrics.registry,
        healthChecks: { ping: () => true },
        // Ready once the caches are filled, leader or not: a standby replica must not block a rollout.
        readyChecks: {
          caches: () => this.informers.all().every((i) => i.hasSynced()) || "informer caches not synced",
        },
      });
    }
  }

  /** Sets up every controller on the shared parts; the shared informers run once, after the setups. */
  private controllers(): Runnable[] {
    const informers = this.informers;
    const ctx: AgentContext = {
      options: this.opts,
      kube: this.kube,
      store: this.store,
      metrics: this.metrics,
      log: this.log,
      namespace: this.opts.namespace,
      concurrency: this.opts.concurrency,
      trustedRoot: this.opts.trustedRoot,
      informer: informers.get,
      settings: this.settings,
      events: (reportingController) =>
        new EventRecorder({
          client: this.kube,
          reportingController,
          reportingInstance: this.identity,
          onError: (err) => this.log.debug("event not recorded", { error: describe(err) }),
        }),
    };
    const setups = (this.opts.controllers ?? DEFAULT_CONTROLLERS).map((setup) => setup(ctx));
    const gc: Runnable = {
      name: "store-gc",
      needLeaderElection: false,
      start: async (signal) => {
        // Once the caches are filled, drop what no object advertises any more (e.g. deleted while stopped).
        for (const inf of informers.all()) await inf.waitForSync(signal);
        const keep = setups.flatMap((c) => c.storeKeys?.() ?? []);
        const removed = await this.store.gc({ signal, keep });
        if (removed.length > 0) this.log.info("garbage collected artifacts", { removed });
      },
    };
    return [...informers.runnables(), ...setups.flatMap((c) => c.runnables), gc];
  }

  /** The probe server's port once listening (undefined without `metricsAddr`). */
  async metricsPort(): Promise<number | undefined> {
    return await this.probe?.port();
  }

  /** Runs until `signal` aborts (resolves) or a part fails (rejects). */
  async start(signal: AbortSignal): Promise<void> {
    if (this.opts.installCRDs !== false) {
      const crds = await installCRDs(this.kube, { signal, fieldManager: "ferry-agent" });
      this.log.info("CRDs installed", { crds: crds.map((c) => c.name) });
    }
    await this.store.init({ signal });
    const probe = this.probe;
    if (probe) {
      this.manager.add({ name: "probe", needLeaderElection: false, start: (s) => probe.start(s) });
      void probe.port().then((port) => this.log.info("serving metrics and probes", { port }));
    }
    for (const p of this.parts) this.manager.add(p);
    this.log.info("agent started", {
      namespace: this.opts.namespace ?? "(all)",
      store: this.store.root,
      leaderElection: !!this.opts.leaderElection,
    });
    try {
      await this.manager.start(signal);
    } finally {
      this.kube.close();
      this.log.info("agent stopped");
    }
  }
}

export function parseAddr(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(":");
  const host = i > 0 ? addr.slice(0, i) : "127.0.0.1";
  const port = Number(i >= 0 ? addr.slice(i + 1) : addr);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`metrics address ${addr} is invalid; use HOST:PORT such as 127.0.0.1:8080`);
  }
  return { host: host.replace(/^\[|\]$/g, ""), port };
}
