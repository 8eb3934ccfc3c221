/**
 * Rendered files into manifests as Helm's releaseutil sorts them: each file split on `---` lines, each
 * document's head (apiVersion, kind, metadata.name, annotations) read; documents annotated `helm.sh/hook`
 * become hooks (with weight and delete policies; unknown hook names dropped), the rest are manifests; both
 * ordered by kind in install order (stable, unknown kinds last by name), files in name order.
 */
import { ChartRenderError } from "./errors.ts";
import { parseYaml } from "./yaml.ts";

export interface Manifest {
  /** Source file, e.g. `mychart/templates/deployment.yaml`. */
  name: string;
  content: string;
  apiVersion: string;
  kind: string;
  metadataName: string;
}

export interface Hook {
  name: string;
  kind: string;
  path: string;
  manifest: string;
  events: string[];
  weight: number;
  deletePolicies: string[];
}

export const INSTALL_ORDER: readonly string[] = [
  "PriorityClass",
  "Namespace",
  "NetworkPolicy",
  "ResourceQuota",
  "LimitRange",
  "PodSecurityPolicy",
  "PodDisruptionBudget",
  "ServiceAccount",
  "Secret",
  "SecretList",
  "ConfigMap",
  "StorageClass",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "CustomResourceDefinition",
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

export const UNINSTALL_ORDER: readonly string[] = [
  "APIService",
  "Ingress",
  "IngressClass",
  "Service",
  "CronJob",
  "Job",
  "StatefulSet",
  "HorizontalPodAutoscaler",
  "Deployment",
  "ReplicaSet",
  "ReplicationController",
  "Pod",
  "DaemonSet",
  "RoleBindingList",
  "RoleBinding",
  "RoleList",
  "Role",
  "ClusterRoleBindingList",
  "ClusterRoleBinding",
  "ClusterRoleList",
  "ClusterRole",
  "CustomResourceDefinition",
  "PersistentVolumeClaim",
  "PersistentVolume",
  "StorageClass",
  "ConfigMap",
  "SecretList",
  "Secret",
  "ServiceAccount",
  "PodDisruptionBudget",
  "PodSecurityPolicy",
  "LimitRange",
  "ResourceQuota",
  "NetworkPolicy",
  "Namespace",
  "PriorityClass",
];

const HOOK_EVENTS: Record<string, string> = {
  "pre-install": "pre-install",
  "post-install": "post-install",
  "pre-delete": "pre-delete",
  "post-delete": "post-delete",
  "pre-upgrade": "pre-upgrade",
  "post-upgrade": "post-upgrade",
  "pre-rollback": "pre-rollback",
  "post-rollback": "post-rollback",
  test: "test",
  "test-success": "test",
};

const SEP = /(?:^|[\t\n\f\r ]*\n)---[\t\n\f\r ]*/;

/** Helm's SplitManifests: documents of a file, trimmed, empty ones dropped, in order. */
export function splitManifests(text: string): string[] {
  return text
    .replace(/^[\t\n\v\f\r \u0085\u00a0]+|[\t\n\v\f\r \u0085\u00a0]+$/g, "")
    .split(SEP)
    .filter((d) => d !== "")
    .map((d) => d.replace(/^[\t\n\v\f\r \u0085\u00a0]+|[\t\n\v\f\r \u0085\u00a0]+$/g, ""));
}

/** Splits and sorts rendered files into hooks and manifests (NOTES.txt and partials must be removed first). */
export function sortManifests(
  files: Map<string, string>,
  chartName: string,
  order: readonly string[] = INSTALL_ORDER,
): { hooks: Hook[]; manifests: Manifest[] } {
  const hooks: Hook[] = [];
  const manifests: Manifest[] = [];
  for (const path of [...files.keys()].sort()) {
    const content = files.get(path) as string;
    if (baseName(path).startsWith("_") || content.trim() === "") continue;
    for (const doc of splitManifests(content)) {
      const { manifest, annotations } = readHead(doc, path, chartName);
      const hookTypes = annotations["helm.sh/hook"];
      if (typeof hookTypes !== "string") manifests.push(manifest);
      else {
        const hook = toHook(manifest, hookTypes, annotations);
        if (hook) hooks.push(hook);
      }
    }
  }
  return {
    hooks: sortByKind(hooks, (h) => h.kind, order),
    manifests: sortByKind(manifests, (m) => m.kind, order),
  };
}

function readHead(
  doc: string,
  path: string,
  chartName: string,
): { manifest: Manifest; annotations: Record<string, unknown> } {
  let head: unknown;
  try {
    head = parseYaml(doc);
  } catch (e) {
    throw new ChartRenderError(chartName, path, `YAML parse error on ${path}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (head !== null && (typeof head !== "object" || Array.isArray(head))) {
    throw new ChartRenderError(
      chartName,
      path,
      `YAML parse error on ${path}: a document is not a map; every document a template renders must be a Kubernetes object`,
    );
  }
  const h = (head ?? {}) as Record<string, unknown>;
  const md = (h.metadata ?? {}) as Record<string, unknown>;
  return {
    manifest: {
      name: path,
      content: doc,
      apiVersion: String(h.apiVersion ?? ""),
      kind: String(h.kind ?? ""),
      metadataName: String(md.name ?? ""),
    },
    annotations: (md.annotations ?? {}) as Record<string, unknown>,
  };
}

/** A hook from an annotated document, or undefined when it names an event Helm does not know (skipped). */
function toHook(m: Manifest, hookTypes: string, annotations: Record<string, unknown>): Hook | undefined {
  const events: string[] = [];
  for (const raw of hookTypes.split(",")) {
    const e = HOOK_EVENTS[raw.trim().toLowerCase()];
    if (!e) return undefined;
    events.push(e);
  }
  const ws = String(annotations["helm.sh/hook-weight"] ?? "");
  const policies = annotations["helm.sh/hook-delete-policy"];
  return {
    name: m.metadataName,
    kind: m.kind,
    path: m.name,
    manifest: m.content,
    events,
    weight: /^[+-]?\d+$/.test(ws) ? Number.parseInt(ws, 10) : 0,
    deletePolicies:
      typeof policies === "string" ? policies.split(",").map((p) => p.trim().toLowerCase()) : [],
  };
}

/** Stable sort by position of the kind in `order`; kinds not in it go last, by name. */
export function sortByKind<T>(items: T[], kindOf: (x: T) => string, order: readonly string[]): T[] {
  const pos = new Map(order.map((k, i) => [k, i]));
  return [...items].sort((x, y) => {
    const a = kindOf(x);
    const b = kindOf(y);
    const pa = pos.get(a);
    const pb = pos.get(b);
    if (pa === undefined && pb === undefined) return a < b ? -1 : a > b ? 1 : 0;
    if (pa === undefined) return 1;
    if (pb === undefined) return -1;
    return pa - pb;
  });
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}
