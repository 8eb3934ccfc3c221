import assert from "node:assert/strict";
import { test } from "node:test";
import { formatTree, type InventoryTree, treeToFluxJson } from "./tree.ts";

const node = (
  kind: string,
  namespace: string,
  name: string,
  children: InventoryTree[] = [],
): InventoryTree => ({
  object: { kind, namespace, name, group: "" },
  children,
});

test("formatTree draws branches, continuations and cluster-scoped names as flux tree does", () => {
  const t = node("Kustomization", "flux-system", "root", [
    node("Kustomization", "flux-system", "a", [node("ConfigMap", "x", "one"), node("Secret", "x", "two")]),
    node("Namespace", "", "x"),
  ]);
  assert.equal(
    formatTree(t),
    [
      "Kustomization/flux-system/root",
      "├── Kustomization/flux-system/a",
      "│   ├── ConfigMap/x/one",
      "│   └── Secret/x/two",
      "└── Namespace/x",
      "",
    ].join("\n"),
  );
  assert.equal(formatTree(node("ResourceSet", "a", "b")), "ResourceSet/a/b\n");
  assert.deepEqual(treeToFluxJson(node("Namespace", "", "x")), {
    resource: { Namespace: "", Name: "x", GroupKind: { Group: "", Kind: "Namespace" } },
  });
});
