/**
 * Wiring of the OCIRepository reconciler on the runtime: an informer for OCIRepositories (reconciled on
 * create, on a new generation, on a `reconcile.fluxcd.io/requestedAt` change and on deletion — never on
 * their own status writes, as Flux's predicates), informers for Secrets and ServiceAccounts that re-enqueue
 * the OCIRepositories of the same namespace reading them (pull secret, verification keys, trusted root, the
 * service account and its imagePullSecrets), and the controller. The caller adds the returned runnables to a manager.
 */
import type { KubeObject } from "../../kube/index.ts";
import { Controller, cacheKey, Informer, type Runnable, type RuntimeMetrics } from "../../runtime/index.ts";
import { OCIRepositoryReconciler, type OCIRepositoryReconcilerOptions } from "./reconciler.ts";
import { REQUESTED_AT } from "./status.ts";

export interface OCIRepositoryControllerOptions extends OCIRepositoryReconcilerOptions {
  /** Watch this namespace only (default: all). */
  namespace?: string | undefined;
  /** Parallel reconciles (default 10; reconciles wait on the network more than they compute). */
  concurrency?: number | undefined;
  metrics?: RuntimeMetrics | undefined;
  /** Failed reconciles retry with exponential backoff between these (Flux's defaults: 750 ms, 15 min). */
  retryMinDelayMs?: number | undefined;
  retryMaxDelayMs?: number | undefined;
  /**
   * Shared informers (one per kind for the whole agent): when given, the OCIRepository and Secret
   * informers come from it and whoever owns it runs them; otherwise they are created and returned as runnables.
   */
  informerFor?: ((apiVersion: string, kind: string) => Informer) | undefined;
}

export interface OCIRepositoryController {
  reconciler: OCIRepositoryReconciler;
  controller: Controller;
  informers: { ocirepositories: Informer; secrets: Informer; serviceAccounts: Informer };
  /** The controller (leader only), plus its informers when they are not shared (no leadership needed). */
  runnables: Runnable[];
  /** Store keys the cached objects' statuses advertise (what a startup gc must keep). */
  storeKeys(): string[];
}

/** Secret names an OCIRepository reads. */
export function referencedSecrets(o: KubeObject): string[] {
  const spec = (o.spec ?? {}) as {
    secretRef?: { name?: string };
    verify?: { secretRef?: { name?: string }; trustedRootSecretRef?: { name?: string } };
  };
  return [spec.secretRef?.name, spec.verify?.secretRef?.name, spec.verify?.trustedRootSecretRef?.name].filter(
    (n): n is string => !!n,
  );
}

function changed(a: KubeObject, b: KubeObject): boolean {
  return (
    a.metadata.generation !== b.metadata.generation ||
    a.metadata.annotations?.[REQUESTED_AT] !== b.metadata.annotations?.[REQUESTED_AT] ||
    !!a.metadata.deletionTimestamp !== !!b.metadata.deletionTimestamp
  );
}

export function ociRepositoryController(opts: OCIRepositoryControllerOptions): OCIRepositoryController {
  const reconciler = new OCIRepositoryReconciler(opts);
  const onError = (err: unknown) => opts.log?.error("watch failed", { error: String(err) });
  const own = (apiVersion: string, kind: string) =>
    new Informer({ client: opts.kube, apiVersion, kind, namespace: opts.namespace, onError });
  const informer = opts.informerFor ?? own;
  const repos = informer("source.toolkit.fluxcd.io/v1", "OCIRepository");
  const secrets = informer("v1", "Secret");
  const controller = new Controller({
    name: "ocirepository",
    kind: "OCIRepository",
    reconcile: reconciler.reconcile,
    concurrency: opts.concurrency ?? 10,
    queue: { baseDelayMs: opts.retryMinDelayMs ?? 750, maxDelayMs: opts.retryMaxDelayMs ?? 15 * 60_000 },
    metrics: opts.metrics,
    onError: (key, err, retry) =>
      opts.log?.error(String((err as Error)?.message ?? err), { object: key, retry }),
  });
  repos.addHandler({
    onAdd: (o) => controller.queue.add(cacheKey(o)),
    onUpdate: (a, b) => {
      if (changed(a, b)) controller.queue.add(cacheKey(b));
    },
    onDelete: (o) => controller.queue.add(cacheKey(o)),
  });
  const accounts = informer("v1", "ServiceAccount");
  const pullSecretsOf = (namespace: string | undefined, sa: string | undefined): string[] =>
    sa
      ? ((accounts.get(`${namespace}/${sa}`)?.imagePullSecrets as Array<{ name?: string }> | undefined) ?? [])
          .map((r) => r.name ?? "")
          .filter((n) => n !== "")
      : [];
  const secretChanged = (s: KubeObject) => {
    const name = s.metadata.name ?? "";
    for (const r of repos.list()) {
      if (r.metadata.namespace !== s.metadata.namespace) continue;
      const sa = (r.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName;
      if (referencedSecrets(r).includes(name) || pullSecretsOf(r.metadata.namespace, sa).includes(name)) {
        controller.queue.add(cacheKey(r));
      }
    }
  };
  secrets.addHandler({
    onAdd: (s) => {
      if (secrets.hasSynced()) secretChanged(s);
    },
    onUpdate: (a, b) => {
      if (JSON.stringify(a.data) !== JSON.stringify(b.data)) secretChanged(b);
    },
    onDelete: secretChanged,
  });
  const accountChanged = (sa: KubeObject) => {
    for (const r of repos.list()) {
      const name = (r.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName;
      if (r.metadata.namespace === sa.metadata.namespace && name === sa.metadata.name) {
        controller.queue.add(cacheKey(r));
      }
    }
  };
  accounts.addHandler({
    onAdd: (sa) => {
      if (accounts.hasSynced()) accountChanged(sa);
    },
    onUpdate: (a, b) => {
      if (JSON.stringify(a.imagePullSecrets) !== JSON.stringify(b.imagePullSecrets)) accountChanged(b);
    },
    onDelete: accountChanged,
  });
  return {
    reconciler,
    controller,
    storeKeys: () =>
      repos
        .list()
        .map(
          (o) =>
            ((o.status as { artifact?: { path?: string } } | undefined)?.artifact?.path ?? "").split(
              "/",
            )[0] ?? "",
        )
        .filter((k) => k !== ""),
    informers: { ocirepositories: repos, secrets, serviceAccounts: accounts },
    runnables: [
      ...(opts.informerFor
        ? []
        : [
            {
              name: "informer/ocirepositories",
              needLeaderElection: false,
              start: (s: AbortSignal) => repos.start(s),
            },
            {
              name: "informer/secrets",
              needLeaderElection: false,
              start: (s: AbortSignal) => secrets.start(s),
            },
            {
              name: "informer/serviceaccounts",
              needLeaderElection: false,
              start: (s: AbortSignal) => accounts.start(s),
            },
          ]),
      {
        name: "controller/ocirepository",
        start: async (s) => {
          await repos.waitForSync(s);
          await controller.start(s);
        },
      },
    ],
  };
}
