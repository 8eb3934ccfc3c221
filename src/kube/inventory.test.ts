import assert from "node:assert/strict";
import { test } from "node:test";
import { cleanupPatch, fluxCleanupDefaults } from "./cleanup.ts";
import { changedPaths, hasDrifted, maskSecret, maskSecretPair } from "./drift.ts";
import { inventoryFromObjects, inventoryId, parseInventoryId, staleObjects } from "./inventory.ts";
import { isClusterDefinition, type KubeObject, refOf, sortForApply } from "./object.ts";

const o = (apiVersion: string, kind: string, name: string, namespace?: string): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, namespace },
});

test("inventory ids use Flux's <namespace>_<name>_<group>_<kind> format", () => {
  const inv = inventoryFromObjects([o("apps/v1", "Deployment", "web", "prod"), o("v1", "Namespace", "prod")]);
  assert.deepEqual(inv.entries, [
    { id: "_prod__Namespace", v: "v1" },
    { id: "prod_web_apps_Deployment", v: "v1" },
  ]);
  assert.deepEqual(parseInventoryId("prod_web_apps_Deployment"), {
    namespace: "prod",
    name: "web",
    group: "apps",
    kind: "Deployment",
  });
  assert.equal(
    inventoryId({ namespace: "", name: "x", group: "rbac.authorization.k8s.io", kind: "ClusterRole" }),
    "_x_rbac.authorization.k8s.io_ClusterRole",
  );
  assert.throws(() => parseInventoryId("bad"), /malformed/);
});

test("stale objects are those that left the set; a version change is not a removal", () => {
  const prev = inventoryFromObjects([
    o("v1", "ConfigMap", "a", "n"),
    o("v1", "ConfigMap", "b", "n"),
    o("autoscaling/v1", "HorizontalPodAutoscaler", "h", "n"),
  ]);
  const next = inventoryFromObjects([
    o("v1", "ConfigMap", "a", "n"),
    o("autoscaling/v2", "HorizontalPodAutoscaler", "h", "n"),
  ]);
  assert.deepEqual(staleObjects(prev, next), [
    { namespace: "n", name: "b", group: "", kind: "ConfigMap", version: "v1" },
  ]);
  assert.deepEqual(staleObjects(undefined, next), []);
});

test("drift ignores server-maintained fields and reports changed paths", () => {
  const live: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "a", resourceVersion: "1", managedFields: [{ manager: "x" }], uid: "u" },
    data: { k: "v" },
  };
  const same: KubeObject = {
    ...live,
    metadata: { ...live.metadata, resourceVersion: "2", managedFields: [] },
  };
  assert.equal(hasDrifted(live, same), false);
  const changed: KubeObject = { ...live, data: { k: "w", n: "1" } };
  assert.equal(hasDrifted(live, changed), true);
  assert.deepEqual(changedPaths(live.data, changed.data), [".k", ".n"]);
  assert.equal(hasDrifted(undefined, live), true);
  assert.deepEqual(changedPaths({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] }), [".a[1].b"]);
});

test("secrets are masked", () => {
  const s = maskSecret({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "s" },
    data: { p: "c2VjcmV0" },
  });
  assert.deepEqual(s.data, { p: "***" });
  const before: KubeObject = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "s" },
    data: { same: "YQ==", changed: "Yg==", gone: "Yw==" },
  };
  const after: KubeObject = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "s" },
    data: { same: "YQ==", changed: "ZA==", added: "ZQ==" },
  };
  const [b, a] = maskSecretPair(before, after);
  assert.deepEqual(b.data, { same: "***", changed: "*** (before)", gone: "*** (before)" });
  assert.deepEqual(a.data, { same: "***", changed: "*** (after)", added: "*** (after)" });
  assert.deepEqual(before.data, { same: "YQ==", changed: "Yg==", gone: "Yw==" }, "inputs untouched");
});

test("apply order puts cluster definitions and config before workloads", () => {
  const objs = [
    o("apps/v1", "Deployment", "d", "n"),
    o("example.com/v1", "Widget", "w", "n"),
    o("v1", "ConfigMap", "c", "n"),
    o("v1", "Namespace", "n"),
    o("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.com"),
  ];
  assert.deepEqual(sortForApply(objs).map(refOf), [
    "CustomResourceDefinition/widgets.example.com",
    "Namespace/n",
    "ConfigMap/n/c",
    "Deployment/n/d",
    "Widget/n/w",
  ]);
  assert.deepEqual(objs.filter(isClusterDefinition).map(refOf), [
    "CustomResourceDefinition/widgets.example.com",
    "Namespace/n",
  ]);
});

test("cleanup patch renames kubectl managers to the owner and drops last-applied; Merge opts out", () => {
  const live: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: "c",
      annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" },
      managedFields: [
        { manager: "kubectl-client-side-apply", operation: "Update", fieldsV1: {} },
        { manager: "kube-controller-manager", operation: "Update", fieldsV1: {} },
        { manager: "kubectl-edit", operation: "Update", subresource: "status" },
        { manager: "owner", operation: "Apply" },
      ],
    },
  };
  const ops = cleanupPatch(o("v1", "ConfigMap", "c"), live, fluxCleanupDefaults("owner"), "owner");
  assert.deepEqual(ops[0], {
    op: "remove",
    path: "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration",
  });
  const replace = ops[1] as { value: Array<{ manager: string; operation: string }> };
  assert.deepEqual(
    replace.value.map((e) => `${e.manager}/${e.operation}`),
    ["owner/Apply", "kube-controller-manager/Update", "kubectl-edit/Update", "owner/Apply"],
  );
  const merged = {
    ...live,
    metadata: { ...live.metadata, annotations: { "kustomize.toolkit.fluxcd.io/ssa": "Merge" } },
  };
  assert.deepEqual(
    cleanupPatch(o("v1", "ConfigMap", "c"), merged, fluxCleanupDefaults("owner"), "owner"),
    [],
  );
});
