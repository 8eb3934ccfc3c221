/** Staged apply and health waits against a real API server: CRDs and Namespaces first, kstatus on kwok workloads, CEL expressions. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { createTestNamespace, type TestCluster, testCluster } from "../dev/testing.ts";
import { KubeClient, type RequestInfo } from "./client.ts";
import { loadKubeConfig } from "./config.ts";
import { ResourceManager } from "./manager.ts";
import type { KubeObject } from "./object.ts";
import { deleteObject, mergePatchObject } from "./rest.ts";
import { cm, deployment } from "./testing.ts";

let cluster: TestCluster;
let client: KubeClient;
const requests: RequestInfo[] = [];
const signal = AbortSignal.timeout(300_000);

before(async () => {
  cluster = await testCluster({ signal });
  client = new KubeClient(loadKubeConfig({ path: cluster.kubeconfig }), {
    onRequest: (r) => requests.push(r),
  });
});

after(async () => {
  client?.close();
  await cluster?.release();
});

test("staged apply: a CRD, a new Namespace and resources of both in one set; CEL health over the custom resource", async () => {
  const id = randomBytes(3).toString("hex");
  const group = `t${id}.ferry.test`;
  const nsName = `staged-${id}`;
  const crd: KubeObject = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `widgets.${group}` },
    spec: {
      group,
      scope: "Namespaced",
      names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
        },
      ],
    },
  };
  const widget: KubeObject = {
    apiVersion: `${group}/v1`,
    kind: "Widget",
    metadata: { name: "w", namespace: nsName },
    spec: { size: 3 },
  };
  const nsObj: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: nsName } };
  const m = new ResourceManager({
    client,
    fieldManager: "ferry-test",
    healthCheckExprs: [
      {
        apiVersion: `${group}/v1`,
        kind: "Widget",
        current: "status.phase == 'Ready'",
        failed: "status.phase == 'Broken'",
      },
    ],
  });
  try {
    const cs = await m.apply([widget, cm(nsName, "c", { k: "1" }), nsObj, crd], { signal });
    assert.deepEqual(
      cs.map((e) => [e.ref, e.action]),
      [
        [`CustomResourceDefinition/widgets.${group}`, "created"],
        [`Namespace/${nsName}`, "created"],
        [`ConfigMap/${nsName}/c`, "created"],
        [`Widget/${nsName}/w`, "created"],
      ],
    );
    assert.ok(
      (await m.apply([widget, cm(nsName, "c", { k: "1" }), nsObj, crd], { signal })).every(
        (e) => e.action === "unchanged",
      ),
    );
    await assert.rejects(
      m.wait([widget], { signal, timeoutMs: 1500, intervalMs: 200 }),
      /Widget\/.*\/w \(InProgress: cannot evaluate/,
    );
    await mergePatchObject(client, widget, { status: { phase: "Ready" } }, { signal, subresource: "status" });
    await m.wait([widget], { signal, timeoutMs: 10_000, intervalMs: 200 });
    await mergePatchObject(
      client,
      widget,
      { status: { phase: "Broken" } },
      { signal, subresource: "status" },
    );
    await assert.rejects(
      m.wait([widget], { signal, timeoutMs: 10_000, intervalMs: 200 }),
      /health check failed for Widget/,
    );
  } finally {
    await deleteObject(client, nsObj, { signal });
    await deleteObject(client, crd, { signal });
  }
});

test("health wait: succeeds when kwok makes a Deployment available, times out with the reason otherwise", async () => {
  const ns = await createTestNamespace(cluster, "health", signal);
  const m = new ResourceManager({ client, fieldManager: "ferry-test" });
  try {
    const ok = deployment(ns.name, "ok");
    const stuck = deployment(ns.name, "stuck", { nodeSelector: { "ferry.test/none": "true" } });
    await m.apply([ok, stuck], { signal });
    await m.wait([ok], { signal, timeoutMs: 90_000, intervalMs: 500 });
    await assert.rejects(
      m.wait([ok, stuck], { signal, timeoutMs: 3000, intervalMs: 500 }),
      (err: unknown) => {
        assert.match(
          String(err),
          new RegExp(
            `1 object\\(s\\) to become ready: Deployment/${ns.name}/stuck \\(InProgress: (Available|Ready|Updated): 0/1\\)`,
          ),
        );
        return true;
      },
    );
  } finally {
    await ns.dispose();
  }
});
