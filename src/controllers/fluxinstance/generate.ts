/**
 * What a FluxInstance becomes in Ferry, as flux-operator's builder generates it: from `spec.sync` the
 * source (an OCIRepository named `spec.sync.name`, default the namespace) and the Kustomization of the
 * same name (`interval: 10m0s`, `prune: true`, `path`, `sourceRef`), with flux-operator's labels,
 * `spec.commonMetadata`, then `spec.kustomize.patches` applied by the real kustomize (patch.ts). With
 * `spec.cluster.multitenant`, the sync Kustomization runs as `kustomize-controller` (flux-operator's
 * multitenant profile) and that account is generated with its cluster-admin binding, as Flux's install has it.
 * Also: the multi-tenancy settings the instance asks for, and the spec fields that install or tune Flux's
 * own controllers and so have no effect in Ferry (reported, never silently dropped).
 */
import type { KubeObject } from "../../kube/index.ts";
import { durationMs } from "../ocirepository/index.ts";
import { FluxInstanceError } from "./errors.ts";
import { FERRY_VERSION, goDuration, Reasons } from "./status.ts";

export interface SyncSpec {
  kind?: string;
  url?: string;
  ref?: string;
  path?: string;
  name?: string;
  interval?: string;
  pullSecret?: string;
  provider?: string;
}

export interface PatchSpec {
  patch: string;
  target?: Record<string, string>;
}

export interface FluxInstanceSpec {
  distribution?: Record<string, unknown>;
  components?: string[];
  cluster?: {
    multitenant?: boolean;
    tenantDefaultServiceAccount?: string;
    [k: string]: unknown;
  };
  commonMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  kustomize?: { patches?: PatchSpec[] };
  migrateResources?: boolean;
  sharding?: unknown;
  storage?: unknown;
  sync?: SyncSpec;
  wait?: boolean;
}

/** Multi-tenancy lockdown as flux-operator's multitenant profile sets it on kustomize-controller. */
export interface TenancySettings {
  /** `--no-cross-namespace-refs=true`. */
  noCrossNamespaceRefs: boolean;
  /** `--default-service-account=…` (flux-operator uses `default` when the instance names none). */
  defaultServiceAccount: string | undefined;
  /** `--no-remote-bases=true`. */
  noRemoteBases: boolean;
}

export interface Generated {
  /** The sync objects before patches (empty without `spec.sync`). */
  objects: KubeObject[];
  patches: PatchSpec[];
  /** Set spec fields that have no effect in Ferry, as `spec.…` paths. */
  notApplicable: string[];
  tenancy: TenancySettings;
}

const CLUSTER_APPLIED = new Set(["multitenant", "tenantDefaultServiceAccount"]);

/** The spec fields that are set but do nothing in Ferry (Ferry's agent replaces Flux's controllers). */
export function notApplicableFields(spec: FluxInstanceSpec): string[] {
  const out: string[] = [];
  if (spec.distribution !== undefined) out.push("spec.distribution");
  if (spec.components !== undefined) out.push("spec.components");
  for (const k of Object.keys(spec.cluster ?? {}).sort()) {
    if (!CLUSTER_APPLIED.has(k)) out.push(`spec.cluster.${k}`);
  }
  if (spec.migrateResources !== undefined) out.push("spec.migrateResources");
  if (spec.sharding !== undefined) out.push("spec.sharding");
  if (spec.storage !== undefined) out.push("spec.storage");
  return out;
}

export function tenancyOf(spec: FluxInstanceSpec): TenancySettings {
  const multitenant = spec.cluster?.multitenant === true;
  return {
    noCrossNamespaceRefs: multitenant,
    defaultServiceAccount: multitenant ? spec.cluster?.tenantDefaultServiceAccount || "default" : undefined,
    noRemoteBases: multitenant,
  };
}

/** The message of the FerryCompatible condition for these fields. */
export function notApplicableMessage(fields: readonly string[]): string {
  if (fields.length === 0) return "Every field of the spec is applied by Ferry";
  return `${fields.join(", ")} install or tune Flux's own controllers and have no effect in Ferry, whose agent reconciles the Flux APIs itself`;
}

/** Go's Duration text of a CRD duration (`1m` → `1m0s`); the text itself when it is not one. */
function normalizeInterval(text: string | undefined): string {
  const ms = durationMs(text ?? "1m");
  return ms === undefined ? (text ?? "1m0s") : goDuration(ms);
}

export function generate(instance: KubeObject): Generated {
  const spec = (instance.spec ?? {}) as FluxInstanceSpec;
  const namespace = instance.metadata.namespace ?? "";
  const key = `${namespace}/${instance.metadata.name ?? ""}`;
  const base = {
    patches: spec.kustomize?.patches ?? [],
    notApplicable: notApplicableFields(spec),
    tenancy: tenancyOf(spec),
  };
  const sync = spec.sync;
  if (!sync) return { objects: [], ...base };
  if ((sync.kind ?? "OCIRepository") !== "OCIRepository") {
    throw new FluxInstanceError(
      key,
      Reasons.buildFailed,
      `build failed: spec.sync.kind ${sync.kind} is not served by Ferry; publish the fleet as an OCI artifact and use kind OCIRepository`,
      { stalled: true },
    );
  }
  for (const field of ["url", "ref", "path"] as const) {
    if (!sync[field]) {
      throw new FluxInstanceError(
        key,
        Reasons.buildFailed,
        `build failed: spec.sync.${field} is required; set it to the fleet's ${field === "url" ? "oci:// repository" : field === "ref" ? "tag" : "folder in the artifact"}`,
        { stalled: true },
      );
    }
  }
  const name = sync.name || namespace;
  const labels: Record<string, string> = {
    "app.kubernetes.io/managed-by": "flux-operator",
    "app.kubernetes.io/instance": namespace,
    "app.kubernetes.io/version": `v${FERRY_VERSION}`,
    "app.kubernetes.io/part-of": "flux",
    ...(spec.commonMetadata?.labels ?? {}),
  };
  // flux-operator also annotates its objects `kustomize.toolkit.fluxcd.io/ssa: Ignore` and `prune: Disabled`
  // so that a Kustomization applying flux-system leaves them alone. Ferry's apply engine honours those
  // annotations for every owner (as kustomize-controller does), so on objects the agent itself applies they
  // would freeze them after creation; they are left out.
  const annotations: Record<string, string> = { ...(spec.commonMetadata?.annotations ?? {}) };
  const meta = () => ({
    name,
    namespace,
    labels: { ...labels },
    ...(Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : {}),
  });
  const source: KubeObject = {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "OCIRepository",
    metadata: meta(),
    spec: {
      interval: normalizeInterval(sync.interval),
      ref: { tag: sync.ref },
      ...(sync.pullSecret ? { secretRef: { name: sync.pullSecret } } : {}),
      ...(sync.provider ? { provider: sync.provider } : {}),
      url: sync.url,
    },
  };
  const kustomization: KubeObject = {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: meta(),
    spec: {
      interval: "10m0s",
      path: sync.path,
      prune: true,
      sourceRef: { kind: "OCIRepository", name },
    },
  };
  if (!base.tenancy.noCrossNamespaceRefs) return { objects: [source, kustomization], ...base };
  // flux-operator's multitenant profile patches every generated Kustomization (ahead of the user's patches,
  // which may override it) to run as kustomize-controller, whose cluster-admin binding Flux's install holds.
  (kustomization.spec as Record<string, unknown>).serviceAccountName = CONTROLLER_ACCOUNT;
  return { objects: withControllerAccount([source, kustomization], namespace), ...base };
}

/**
 * `objects` plus the `kustomize-controller` account and its binding when a Kustomization in `namespace`
 * acts as that account and they are not there yet: after a multitenant instance's profile, or a user patch
 * naming it (Flux's install always has the account; Ferry generates it only when something uses it).
 */
export function withControllerAccount(objects: KubeObject[], namespace: string): KubeObject[] {
  const user = objects.find(
    (o) =>
      o.kind === "Kustomization" &&
      o.metadata.namespace === namespace &&
      (o.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName === CONTROLLER_ACCOUNT,
  );
  const present = objects.some(
    (o) =>
      o.kind === "ServiceAccount" &&
      o.metadata.name === CONTROLLER_ACCOUNT &&
      o.metadata.namespace === namespace,
  );
  if (!user || present) return objects;
  return [
    ...objects,
    ...controllerAccount(namespace, user.metadata.labels ?? {}, user.metadata.annotations ?? {}),
  ];
}

/** The service account a multitenant sync Kustomization runs as: Flux's kustomize-controller account. */
export const CONTROLLER_ACCOUNT = "kustomize-controller";

/**
 * What Flux's install holds and Ferry's agent, replacing the controllers, does not: the `kustomize-controller`
 * ServiceAccount in the instance's namespace, bound to `cluster-admin` by the ClusterRoleBinding
 * `cluster-reconciler-<namespace>` (flux-operator's name for it). Generated only for a multitenant instance,
 * whose sync Kustomization acts as it.
 */
function controllerAccount(
  namespace: string,
  labels: Record<string, string>,
  annotations: Record<string, string>,
): KubeObject[] {
  const meta = (name: string, ns?: string) => ({
    name,
    ...(ns ? { namespace: ns } : {}),
    labels: { ...labels, "app.kubernetes.io/component": CONTROLLER_ACCOUNT },
    ...(Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : {}),
  });
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(CONTROLLER_ACCOUNT, namespace) },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: meta(`cluster-reconciler-${namespace}`),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      subjects: [{ kind: "ServiceAccount", name: CONTROLLER_ACCOUNT, namespace }],
    } as KubeObject,
  ];
}
