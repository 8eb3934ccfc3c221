/**
 * `bootstrap`: what D2's Makefile/Terraform do for one cluster, idempotently: the instance's namespace, the
 * registry pull secret, the cosign public key Secret, Ferry's CRDs, the agent, then the FluxInstance
 * (server-side apply), and a wait until it is Ready. Each object is reported as created, configured or
 * unchanged (the server's resourceVersion tells).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { installCRDs } from "../agent/index.ts";
import { applyObject, getObject, KubeClient, type KubeObject, loadKubeConfig } from "../kube/index.ts";
import { type AgentProcessState, ensureAgent } from "./agent-process.ts";
import { BootstrapError, BootstrapTimeoutError } from "./errors.ts";

export const FIELD_MANAGER = "ferry-bootstrap";
/** Name of the Secret holding the cosign public key (key `cosign.pub`), as D2's verify patches expect. */
export const COSIGN_SECRET = "cosign-pub";

/** Service account of the fleet's own Kustomizations in D2 (flux-operator's), bound to cluster-admin. */
export const OPERATOR_SA = "flux-operator";

export type PullSecret =
  | { kind: "basic"; registry: string; username: string; password: string }
  | { kind: "dockerconfig"; json: string };

export interface BootstrapOptions {
  kubeconfig: string;
  /** The FluxInstance object (parsed from the instance file). */
  instance: KubeObject;
  /** Credentials for `spec.sync.pullSecret`; without them an existing Secret is kept, a missing one is an error. */
  pullSecret?: PullSecret;
  /** cosign public key PEM, stored as Secret `cosign-pub` (key `cosign.pub`) in the instance's namespace. */
  verifyKey?: string;
  /** `local`: run the agent as a background process recorded in `agentDir`; `none`: it runs elsewhere. */
  agent: { mode: "local"; dir: string; node?: string; entry?: string } | { mode: "none" };
  /** How long to wait for the FluxInstance to be Ready (default 5 min); 0 skips the wait. */
  timeoutMs?: number;
  signal: AbortSignal;
}

export type Action = "created" | "configured" | "unchanged";

export interface BootstrapStep {
  /** `Namespace/flux-system`, `Secret/flux-system/registry-auth`, `CustomResourceDefinitions`, `agent`… */
  object: string;
  action: Action;
  detail?: string;
}

export interface BootstrapResult {
  steps: BootstrapStep[];
  /** True when any step created or changed something. */
  changed: boolean;
  agent?: AgentProcessState;
  /** The FluxInstance's Ready message (when waited for). */
  ready?: string;
}

interface InstanceSpec {
  sync?: { pullSecret?: string; url?: string; name?: string };
}

function objectName(o: KubeObject): string {
  const ns = o.metadata.namespace ? `${o.metadata.namespace}/` : "";
  return `${o.kind}/${ns}${o.metadata.name ?? ""}`;
}

/** True when every field of `want` has the same value in `have` (arrays element by element, same length). */
export function subsetEqual(want: unknown, have: unknown): boolean {
  if (Array.isArray(want)) {
    return (
      Array.isArray(have) && want.length === have.length && want.every((w, i) => subsetEqual(w, have[i]))
    );
  }
  if (want !== null && typeof want === "object") {
    if (have === null || typeof have !== "object" || Array.isArray(have)) return false;
    const h = have as Record<string, unknown>;
    return Object.entries(want).every(([k, v]) => subsetEqual(v, h[k]));
  }
  return want === have;
}

/** Server-side applies `obj` and says whether the server changed it. */
async function applyReport(client: KubeClient, obj: KubeObject, signal: AbortSignal): Promise<BootstrapStep> {
  const before = await getObject(client, obj, { signal });
  try {
    await applyObject(client, obj, { signal, fieldManager: FIELD_MANAGER, force: true });
  } catch (cause) {
    throw new BootstrapError(
      "apply",
      `applying ${objectName(obj)} failed: ${(cause as Error).message}; check the object and the cluster's access rights`,
      { cause },
    );
  }
  // The server's resourceVersion also moves for others' changes (controllers, finalizers): compare what was sent.
  const action: Action = !before ? "created" : subsetEqual(obj, before) ? "unchanged" : "configured";
  return { object: objectName(obj), action };
}

/** The `.dockerconfigjson` text for basic credentials to one registry host. */
export function dockerConfigJson(registry: string, username: string, password: string): string {
  const auth = Buffer.from(`${username}:${password}`).toString("base64");
  return JSON.stringify({ auths: { [registry]: { username, password, auth } } });
}

/** The registry host of an `oci://host/repo` URL. */
export function registryHost(url: string): string {
  return url.replace(/^oci:\/\//, "").split("/")[0] ?? "";
}

export async function bootstrap(opts: BootstrapOptions): Promise<BootstrapResult> {
  const { signal, instance } = opts;
  if (instance.apiVersion !== "fluxcd.controlplane.io/v1" || instance.kind !== "FluxInstance") {
    throw new BootstrapError(
      "instance",
      `the instance file holds ${instance.kind} ${instance.apiVersion}, not a FluxInstance (fluxcd.controlplane.io/v1); pass the cluster's flux-instance.yaml`,
    );
  }
  const ns = instance.metadata.namespace ?? "flux-system";
  const name = instance.metadata.name ?? "flux";
  // A multitenant instance's sync runs as kustomize-controller: the agent's FluxInstance reconciler generates
  // that (flux-operator's multitenant profile) with the account and its cluster-admin binding.
  const inst: KubeObject = { ...instance, metadata: { ...instance.metadata, namespace: ns, name } };
  const spec = (instance.spec ?? {}) as InstanceSpec;
  const client = new KubeClient(loadKubeConfig({ path: opts.kubeconfig }), { userAgent: "ferry-bootstrap" });
  const steps: BootstrapStep[] = [];
  try {
    steps.push(
      await applyReport(client, { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, signal),
    );

    // The identity D2's fleet Kustomizations run as (`serviceAccountName: flux-operator`), with the
    // cluster-admin binding flux-operator's Helm chart gives it.
    steps.push(
      await applyReport(
        client,
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: OPERATOR_SA, namespace: ns } },
        signal,
      ),
    );
    steps.push(
      await applyReport(
        client,
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "ClusterRoleBinding",
          metadata: { name: `${OPERATOR_SA}-${ns}` },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
          subjects: [{ kind: "ServiceAccount", name: OPERATOR_SA, namespace: ns }],
        } as KubeObject,
        signal,
      ),
    );

    const pullSecret = spec.sync?.pullSecret;
    if (pullSecret) steps.push(await applyPullSecret(client, ns, name, pullSecret, opts));

    if (opts.verifyKey !== undefined) {
      steps.push(
        await applyReport(
          client,
          {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: COSIGN_SECRET, namespace: ns },
            type: "Opaque",
            data: { "cosign.pub": Buffer.from(opts.verifyKey).toString("base64") },
          } as KubeObject,
          signal,
        ),
      );
    }

    const crds = await installCRDs(client, { signal, fieldManager: FIELD_MANAGER });
    const changedCRDs = crds.filter((c) => c.changed).length;
    steps.push({
      object: "CustomResourceDefinitions",
      action: changedCRDs > 0 ? "configured" : "unchanged",
      detail: `${changedCRDs} of ${crds.length} changed`,
    });

    let agent: AgentProcessState | undefined;
    if (opts.agent.mode === "local") {
      const res = await ensureAgent({
        dir: opts.agent.dir,
        kubeconfig: opts.kubeconfig,
        ...(opts.agent.node ? { node: opts.agent.node } : {}),
        ...(opts.agent.entry ? { entry: opts.agent.entry } : {}),
      });
      agent = res.state;
      steps.push({
        object: "agent",
        action: res.started ? "created" : "unchanged",
        detail: `pid ${res.state.pid}, log ${res.state.logFile}`,
      });
    }

    steps.push(await applyReport(client, inst, signal));

    const result: BootstrapResult = {
      steps,
      changed: steps.some((s) => s.action !== "unchanged"),
      ...(agent ? { agent } : {}),
    };
    const timeoutMs = opts.timeoutMs ?? 300_000;
    if (timeoutMs > 0) result.ready = await waitInstanceReady(client, inst, timeoutMs, signal);
    return result;
  } finally {
    client.close();
  }
}

/** The `kubernetes.io/dockerconfigjson` Secret the instance's `spec.sync.pullSecret` names. */
async function applyPullSecret(
  client: KubeClient,
  ns: string,
  name: string,
  pullSecret: string,
  opts: BootstrapOptions,
): Promise<BootstrapStep> {
  const { signal } = opts;
  if (opts.pullSecret) {
    const json =
      opts.pullSecret.kind === "dockerconfig"
        ? opts.pullSecret.json
        : dockerConfigJson(opts.pullSecret.registry, opts.pullSecret.username, opts.pullSecret.password);
    return await applyReport(
      client,
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: pullSecret, namespace: ns },
        type: "kubernetes.io/dockerconfigjson",
        data: { ".dockerconfigjson": Buffer.from(json).toString("base64") },
      } as KubeObject,
      signal,
    );
  } else {
    const existing = await getObject(
      client,
      { apiVersion: "v1", kind: "Secret", metadata: { name: pullSecret, namespace: ns } },
      { signal },
    );
    if (!existing) {
      throw new BootstrapError(
        "pull-secret",
        `FluxInstance ${ns}/${name} names pull secret ${pullSecret} (spec.sync.pullSecret), which does not exist; pass --pull-secret user:password or --docker-config FILE`,
      );
    }
    return { object: `Secret/${ns}/${pullSecret}`, action: "unchanged", detail: "kept" };
  }
}

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

/** Polls until the FluxInstance is Ready=True at its current generation; returns the Ready message. */
export async function waitInstanceReady(
  client: KubeClient,
  inst: KubeObject,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = "not reconciled yet";
  for (;;) {
    signal.throwIfAborted();
    const live = await getObject(client, inst, { signal });
    const status = live?.status as { conditions?: Condition[]; observedGeneration?: number } | undefined;
    const ready = status?.conditions?.find((c) => c.type === "Ready");
    const observed = ready?.observedGeneration ?? status?.observedGeneration;
    const current = live?.metadata.generation === undefined || observed === live.metadata.generation;
    if (ready?.status === "True" && current) return ready.message ?? "";
    if (ready) last = `${ready.reason ?? ""}: ${ready.message ?? ""}`;
    if (Date.now() > deadline) {
      throw new BootstrapTimeoutError(
        `${inst.metadata.namespace}/${inst.metadata.name}`,
        Math.round(timeoutMs / 1000),
        last,
      );
    }
    await sleep(500, undefined, { signal });
  }
}
