/**
 * A release manifest as Kubernetes objects: each document parsed, namespaced kinds without a namespace put
 * in the release namespace (as Helm's client does), Helm's ownership metadata added
 * (`app.kubernetes.io/managed-by: Helm`, `meta.helm.sh/release-name`/`-namespace`) so the `helm` CLI can
 * take the release over, and keys for pruning what a new revision dropped.
 */
import { parseYamlAll, splitManifests } from "../../helm/index.ts";
import type { InventoryObject, KubeClient, KubeObject } from "../../kube/index.ts";

export async function manifestObjects(
  client: KubeClient,
  manifest: string,
  release: { name: string; namespace: string },
  signal: AbortSignal,
  common?: { labels?: Record<string, string>; annotations?: Record<string, string> },
): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const doc of splitManifests(manifest)) {
    for (const raw of parseYamlAll(doc)) {
      const o = raw as KubeObject;
      if (!o || typeof o !== "object" || !o.kind || !o.apiVersion) continue;
      o.metadata ??= { name: "" };
      const m = await client.mapper.resolve(o.apiVersion, o.kind, signal);
      if (m.namespaced && !o.metadata.namespace) o.metadata.namespace = release.namespace;
      if (!m.namespaced) delete o.metadata.namespace;
      o.metadata.labels = {
        ...(o.metadata.labels ?? {}),
        ...common?.labels,
        "app.kubernetes.io/managed-by": "Helm",
      };
      o.metadata.annotations = {
        ...(o.metadata.annotations ?? {}),
        ...common?.annotations,
        "meta.helm.sh/release-name": release.name,
        "meta.helm.sh/release-namespace": release.namespace,
      };
      out.push(o);
    }
  }
  return out;
}

export function inventoryOf(objects: readonly KubeObject[]): InventoryObject[] {
  return objects.map((o) => {
    const [group, version] = o.apiVersion.includes("/")
      ? (o.apiVersion.split("/") as [string, string])
      : ["", o.apiVersion];
    return {
      group,
      version,
      kind: o.kind,
      namespace: o.metadata.namespace ?? "",
      name: o.metadata.name ?? "",
    };
  });
}

/** Objects of `previous` that `next` no longer has (by group, kind, namespace, name). */
export function dropped(previous: InventoryObject[], next: InventoryObject[]): InventoryObject[] {
  const id = (o: InventoryObject) => `${o.group}/${o.kind}/${o.namespace}/${o.name}`;
  const keep = new Set(next.map(id));
  return previous.filter((o) => !keep.has(id(o)));
}
