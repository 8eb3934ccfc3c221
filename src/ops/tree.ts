/**
 * The inventory of a Kustomization or ResourceSet as a tree, like `flux tree kustomization`: each entry of
 * `status.inventory` is a child; a child that is itself a Kustomization or ResourceSet (and exists) is
 * expanded with its own inventory. A cycle (A lists B, B lists A) is cut at the repeated object.
 */
import { type KubeClient, type KubeObject, parseInventoryId } from "../kube/index.ts";
import { getOpsObject } from "./access.ts";
import { ObjectNotFoundError } from "./errors.ts";
import { KUSTOMIZATION, kindOf, type OpsKind, RESOURCE_SET } from "./kinds.ts";

export interface TreeObject {
  namespace: string;
  name: string;
  group: string;
  kind: string;
}

export interface InventoryTree {
  object: TreeObject;
  children: InventoryTree[];
}

function inventoryOf(o: KubeObject): TreeObject[] {
  const inv = (o.status as { inventory?: { entries?: Array<{ id?: string }> } } | undefined)?.inventory;
  return (inv?.entries ?? []).map((e) => parseInventoryId(e.id ?? ""));
}

const key = (t: TreeObject) => `${t.namespace}_${t.name}_${t.group}_${t.kind}`;

/** Builds the tree of the Kustomization or ResourceSet `namespace/name`. */
export async function inventoryTree(
  client: KubeClient,
  k: OpsKind,
  namespace: string,
  name: string,
  opts: { signal: AbortSignal },
): Promise<InventoryTree> {
  const root = await getOpsObject(client, k, namespace, name, opts);
  const node: InventoryTree = { object: { namespace, name, group: k.group, kind: k.kind }, children: [] };
  await expand(client, node, root, new Set([key(node.object)]), opts.signal);
  return node;
}

async function expand(
  client: KubeClient,
  node: InventoryTree,
  live: KubeObject,
  seen: Set<string>,
  signal: AbortSignal,
): Promise<void> {
  for (const entry of inventoryOf(live)) {
    const id = key(entry);
    // A Kustomization may list itself (it applies its own definition); flux leaves it out.
    if (id === key(node.object)) continue;
    const child: InventoryTree = { object: entry, children: [] };
    node.children.push(child);
    const k = kindOf(entry.group, entry.kind);
    if ((k !== KUSTOMIZATION && k !== RESOURCE_SET) || seen.has(id)) continue;
    // A remote Kustomization (spec.kubeConfig) applies elsewhere; its children are not on this cluster.
    if ((live.spec as { kubeConfig?: unknown } | undefined)?.kubeConfig) continue;
    let obj: KubeObject;
    try {
      obj = await getOpsObject(client, k, entry.namespace, entry.name, { signal });
    } catch (err) {
      if (err instanceof ObjectNotFoundError) continue;
      throw err;
    }
    await expand(client, child, obj, new Set([...seen, id]), signal);
  }
}

function label(t: TreeObject): string {
  return t.namespace ? `${t.kind}/${t.namespace}/${t.name}` : `${t.kind}/${t.name}`;
}

/** Draws the tree with box characters, one object per line, as `flux tree` does. */
export function formatTree(t: InventoryTree): string {
  const lines = [label(t.object)];
  const walk = (n: InventoryTree, prefix: string) => {
    n.children.forEach((c, i) => {
      const last = i === n.children.length - 1;
      lines.push(`${prefix}${last ? "└── " : "├── "}${label(c.object)}`);
      walk(c, prefix + (last ? "    " : "│   "));
    });
  };
  walk(t, "");
  return `${lines.join("\n")}\n`;
}

/** The JSON shape of `flux tree -o json`: `resource` (Name, Namespace, GroupKind) and nested `resources`. */
export function treeToFluxJson(t: InventoryTree): unknown {
  const out: Record<string, unknown> = {
    resource: {
      Namespace: t.object.namespace,
      Name: t.object.name,
      GroupKind: { Group: t.object.group, Kind: t.object.kind },
    },
  };
  if (t.children.length > 0) out.resources = t.children.map(treeToFluxJson);
  return out;
}
