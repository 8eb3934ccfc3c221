/**
 * A release manifest as Kubernetes objects: each document parsed, namespaced kinds without a namespace put
 * in the release namespace (as Helm's client does), Helm's ownership metadata added
 * (`app.kubernetes.io/managed-by: Helm`, `meta.helm.sh/release-name`/`-namespace`) so the `helm` CLI can
 * take the release over, and keys for pruning what a new revision dropped. Objects annotated
 * `helm.sh/resource-policy: keep` are never pruned or uninstalled, as in Helm.
 */
import { parseYamlAll, splitManifests } from "../../helm/index.ts";
import {
  getObject,
  type InventoryObject,
  type KubeClient,
  type KubeObject,
  UnknownKindError,
} from "../../kube/index.ts";

export const RESOURCE_POLICY = "helm.sh/resource-policy";

export interface ManifestObjectsOptions {
  /** spec.commonMetadata. */
  common?: { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined;
  /** Leave out objects of kinds the cluster no longer serves (uninstall after a CRD went away). */
  skipUnknownKinds?: boolean;
}

export async function manifestObjects(
  client: KubeClient,
  manifest: string,
  release: { name: string; namespace: string },
  signal: AbortSignal,
  opts: ManifestObjectsOptions = {},
): Promise<KubeObject[]> {
  const common = opts.common;
  const out: KubeObject[] = [];
  for (const doc of splitManifests(manifest)) {
    for (const raw of parseYamlAll(doc)) {
      const o = raw as KubeObject;
      if (!o || typeof o !== "object" || !o.kind || !o.apiVersion) continue;
      o.metadata ??= { name: "" };
      let m: Awaited<ReturnType<typeof client.mapper.resolve>>;
      try {
        m = await client.mapper.resolve(o.apiVersion, o.kind, signal);
      } catch (err) {
        if (opts.skipUnknownKinds && err instanceof UnknownKindError) continue;
        throw err;
      }
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

/** Objects Helm leaves in place on prune and uninstall (`helm.sh/resource-policy: keep`). */
export function isKept(o: KubeObject): boolean {
  return o.metadata.annotations?.[RESOURCE_POLICY] === "keep";
}

/** Waits until none of the objects exists any more, or the timeout passes (then it returns quietly). */
export async function waitUntilGone(
  ctx: { client: KubeClient; signal: AbortSignal },
  objects: readonly KubeObject[],
  timeoutMs: number,
): Promise<void> {
  const until = AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]);
  for (const o of objects) {
    while (await getObject(ctx.client, o, { signal: ctx.signal })) {
      if (until.aborted) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
