/** The unstructured object shape the kube module works on, and helpers to name and order objects. */

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  uid?: string;
  generation?: number;
  finalizers?: string[];
  deletionTimestamp?: string;
  creationTimestamp?: string;
  managedFields?: Array<{ manager?: string; operation?: string; subresource?: string; [k: string]: unknown }>;
  ownerReferences?: unknown[];
  [k: string]: unknown;
}

/** Any Kubernetes object as plain JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [k: string]: unknown;
}

/** What identifies an object: group/kind + namespace/name (the version is not part of identity). */
export interface ObjectKey {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

export function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf("/");
  return i < 0 ? "" : apiVersion.slice(0, i);
}

export function versionOf(apiVersion: string): string {
  const i = apiVersion.indexOf("/");
  return i < 0 ? apiVersion : apiVersion.slice(i + 1);
}

export function keyOf(obj: KubeObject): ObjectKey {
  return {
    group: groupOf(obj.apiVersion),
    kind: obj.kind,
    namespace: obj.metadata.namespace ?? "",
    name: obj.metadata.name ?? "",
  };
}

/** `Kind/ns/name` (or `Kind/name` for cluster-scoped objects), the way errors and change sets name objects. */
export function refOf(obj: KubeObject | ObjectKey): string {
  const k = "metadata" in obj ? keyOf(obj) : obj;
  return k.namespace ? `${k.kind}/${k.namespace}/${k.name}` : `${k.kind}/${k.name}`;
}

export function deepCopy<T>(v: T): T {
  return structuredClone(v);
}

/** Kinds that define the cluster's shape and must exist before the rest is applied (Flux's IsClusterDefinition). */
const clusterDefinitions = new Set([
  "apiextensions.k8s.io/CustomResourceDefinition",
  "/Namespace",
  "rbac.authorization.k8s.io/ClusterRole",
  "rbac.authorization.k8s.io/ClusterRoleBinding",
  "storage.k8s.io/StorageClass",
  "scheduling.k8s.io/PriorityClass",
  "node.k8s.io/RuntimeClass",
]);

export function isClusterDefinition(obj: KubeObject): boolean {
  return clusterDefinitions.has(`${groupOf(obj.apiVersion)}/${obj.kind}`);
}

export function isCRD(obj: KubeObject): boolean {
  return obj.kind === "CustomResourceDefinition" && groupOf(obj.apiVersion) === "apiextensions.k8s.io";
}

export function isNamespace(obj: KubeObject): boolean {
  return obj.kind === "Namespace" && groupOf(obj.apiVersion) === "";
}

/** Apply order, as kubectl/Flux sort: cluster definitions, then RBAC and config, then workloads, then the rest. */
const kindOrder = [
  "CustomResourceDefinition",
  "Namespace",
  "ResourceQuota",
  "StorageClass",
  "LimitRange",
  "PodSecurityPolicy",
  "PodDisruptionBudget",
  "ServiceAccount",
  "Secret",
  "SecretList",
  "ConfigMap",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "ClusterRole",
  "ClusterRoleList",
  "ClusterRoleBinding",
  "ClusterRoleBindingList",
  "Role",
  "RoleList",
  "RoleBinding",
  "RoleBindingList",
  "Service",
  "DaemonSet",
  "Pod",
  "ReplicationController",
  "ReplicaSet",
  "Deployment",
  "HorizontalPodAutoscaler",
  "StatefulSet",
  "Job",
  "CronJob",
  "IngressClass",
  "Ingress",
  "APIService",
];
const rank = new Map(kindOrder.map((k, i) => [k, i]));

/** Sorts in place (stable): by kind order, unknown kinds last, then namespace, then name. */
export function sortForApply<T extends KubeObject>(objects: T[]): T[] {
  return objects.sort((a, b) => {
    const ra = rank.get(a.kind) ?? kindOrder.length;
    const rb = rank.get(b.kind) ?? kindOrder.length;
    if (ra !== rb) return ra - rb;
    if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
    const na = a.metadata.namespace ?? "";
    const nb = b.metadata.namespace ?? "";
    if (na !== nb) return na < nb ? -1 : 1;
    const ma = a.metadata.name ?? "";
    const mb = b.metadata.name ?? "";
    return ma < mb ? -1 : ma > mb ? 1 : 0;
  });
}

export function annotation(obj: KubeObject, key: string): string | undefined {
  return obj.metadata.annotations?.[key];
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
