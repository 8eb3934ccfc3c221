/** Unit tests of the pure parts: provider selection, checksums of the set's own objects, reference errors. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import type { KubeClient, KubeObject } from "../../kube/index.ts";
import { Informer } from "../../runtime/index.ts";
import { resourceSetInputProviderController } from "../resourcesetinputprovider/index.ts";
import { mergeInventory } from "./apply.ts";
import { CHECKSUM, ChecksumResolver } from "./checksum.ts";
import { resourceSetController, selectsProvider } from "./controller.ts";
import { resolveCopyFrom } from "./copyfrom.ts";
import { compileDependencies, dependencyRef } from "./dependencies.ts";
import { kubeConfigFields, parseKubeConfigRef } from "./kubeconfig.ts";

// Never called: every reference below is resolved without the cluster or fails before reading.
const noClient = {} as KubeClient;
const signal = AbortSignal.timeout(10_000);

test("selectsProvider: by name or label selector, same namespace only", () => {
  const p: KubeObject = {
    apiVersion: "fluxcd.controlplane.io/v1",
    kind: "ResourceSetInputProvider",
    metadata: { name: "apps", namespace: "a", labels: { team: "x" } },
  };
  const rset = (namespace: string, inputsFrom: unknown[]): KubeObject => ({
    apiVersion: "fluxcd.controlplane.io/v1",
    kind: "ResourceSet",
    metadata: { name: "r", namespace },
    spec: { inputsFrom },
  });
  const cases: Array<[string, KubeObject, boolean]> = [
    ["by name", rset("a", [{ name: "apps" }]), true],
    ["other name", rset("a", [{ name: "other" }]), false],
    ["other namespace", rset("b", [{ name: "apps" }]), false],
    ["by labels", rset("a", [{ selector: { matchLabels: { team: "x" } } }]), true],
    ["labels differ", rset("a", [{ selector: { matchLabels: { team: "y" } } }]), false],
    [
      "expression",
      rset("a", [{ selector: { matchExpressions: [{ key: "team", operator: "In", values: ["x"] }] } }]),
      true,
    ],
    [
      "invalid operator selects nothing",
      rset("a", [{ selector: { matchExpressions: [{ key: "team", operator: "Bad" }] } }]),
      false,
    ],
    ["no inputsFrom", rset("a", []), false],
  ];
  for (const [name, r, want] of cases) assert.equal(selectsProvider(r, p), want, name);
});

test("checksumFrom over the set's own objects: flux-operator's bytes, nested annotations, no cluster read", async () => {
  const objects: KubeObject[] = [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c", namespace: "n" },
      data: { b: "2" },
      binaryData: { a: Buffer.from("1").toString("base64") },
    },
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s", namespace: "n" },
      data: { k: Buffer.from("x").toString("base64") },
      stringData: { k: "y" },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d", namespace: "n" },
      spec: {
        template: {
          metadata: { annotations: { "fluxcd.controlplane.io/checksumFrom": " ConfigMap/n/c ,Secret/n/s," } },
        },
      },
    },
  ];
  const r = new ChecksumResolver(noClient, "ResourceSet/n/r", objects);
  await r.resolveAll(objects, signal);
  const want = `sha256:${createHash("sha256").update("ConfigMap/n/c\0a\x001\0b\x002\0Secret/n/s\0k\0y\0").digest("hex")}`;
  const ann = (
    (objects[2] as KubeObject).spec as { template: { metadata: { annotations: Record<string, string> } } }
  ).template.metadata.annotations;
  assert.equal(ann[CHECKSUM], want);
  assert.deepEqual(r.externalRefs(), []);
});

test("invalid checksumFrom and copyFrom references name the annotation and the fix", async () => {
  const withAnn = (kind: string, annotations: Record<string, string>): KubeObject[] => [
    { apiVersion: "v1", kind, metadata: { name: "o", namespace: "n", annotations } },
  ];
  for (const [value, re] of [
    ["ConfigMap/n", /must be in the format 'Kind\/namespace\/name'/],
    ["Deployment/n/x", /unsupported kind 'Deployment'/],
  ] as const) {
    const objs = withAnn("ConfigMap", { "fluxcd.controlplane.io/checksumFrom": value });
    await assert.rejects(new ChecksumResolver(noClient, "r", objs).resolveAll(objs, signal), re);
  }
  await assert.rejects(
    resolveCopyFrom(
      noClient,
      "r",
      withAnn("Secret", { "fluxcd.controlplane.io/copyFrom": "just-a-name" }),
      signal,
    ),
    /invalid fluxcd.controlplane.io\/copyFrom annotation value 'just-a-name' on Secret\/o: it must be in the format 'namespace\/name'/,
  );
});

test("dependencies: names as flux-operator prints them; an invalid expression is a stalled configuration error", () => {
  assert.equal(
    dependencyRef({ apiVersion: "v1", kind: "ConfigMap", name: "x", namespace: "n" }),
    "v1/ConfigMap/n/x",
  );
  assert.equal(dependencyRef({ apiVersion: "v1", kind: "Namespace", name: "x" }), "v1/Namespace/x");
  assert.throws(
    () =>
      compileDependencies("ResourceSet/n/r", [
        { apiVersion: "v1", kind: "ConfigMap", name: "x", ready: true, readyExpr: "a.(" },
      ]),
    (err: unknown) =>
      (err as { stalled?: boolean; reason?: string }).stalled === true &&
      (err as { reason: string }).reason === "InvalidCELExpression",
  );
  // readyExpr without ready: true is not evaluated (as upstream), so it is not compiled either.
  assert.deepEqual(
    compileDependencies("r", [{ apiVersion: "v1", kind: "ConfigMap", name: "x", readyExpr: "a.(" }]).map(
      (d) => d.expr,
    ),
    [undefined],
  );
});

test("mergeInventory: previous entries plus the applied ones, sorted, no duplicates", () => {
  const entry = (name: string) => ({
    ref: `ConfigMap/n/${name}`,
    key: { group: "", kind: "ConfigMap", namespace: "n", name },
    version: "v1",
    action: "created" as const,
  });
  const merged = mergeInventory(
    {
      entries: [
        { id: "n_b__ConfigMap", v: "v1" },
        { id: "n_z__ConfigMap", v: "v1" },
      ],
    },
    [entry("a"), entry("b")],
  );
  assert.deepEqual(
    merged.entries.map((e) => e.id),
    ["n_a__ConfigMap", "n_b__ConfigMap", "n_z__ConfigMap"],
  );
});

test("with shared informers the controllers return only their controller runnables", () => {
  const made: string[] = [];
  const kube = { kubeConfig: {} } as unknown as KubeClient;
  const informerFor = (apiVersion: string, kind: string) => {
    made.push(`${apiVersion}/${kind}`);
    return new Informer({ client: kube, apiVersion, kind });
  };
  const rs = resourceSetController({ kube, informerFor });
  const rsip = resourceSetInputProviderController({ kube, informerFor });
  assert.deepEqual(
    [...rs.runnables, ...rsip.runnables].map((r) => r.name),
    ["controller/resourceset", "controller/resourcesetinputprovider"],
  );
  assert.deepEqual(made.sort(), [
    "fluxcd.controlplane.io/v1/ResourceSet",
    "fluxcd.controlplane.io/v1/ResourceSetInputProvider",
    "fluxcd.controlplane.io/v1/ResourceSetInputProvider",
    "v1/ConfigMap",
    "v1/Secret",
  ]);
});

test("convertKubeConfigFrom: reference parsing and the first cluster's server and CA", () => {
  assert.deepEqual(parseKubeConfigRef("ns/name"), { ref: "ns/name" });
  assert.deepEqual(parseKubeConfigRef("ns/name:my-key"), { ref: "ns/name", key: "my-key" });
  assert.deepEqual(parseKubeConfigRef("ns:x/name"), { ref: "ns:x/name" });
  const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  const kc = (server: string, ca: string) =>
    `apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  cluster:\n    server: ${server}\n    certificate-authority-data: ${ca}\n- name: b\n  cluster:\n    server: https://b\n    certificate-authority-data: eA==\n`;
  assert.deepEqual(kubeConfigFields(kc("https://a:6443", Buffer.from(pem).toString("base64"))), {
    server: "https://a:6443",
    caCert: pem,
  });
  assert.throws(() => kubeConfigFields("clusters: []\n"), /no clusters found in kubeconfig/);
  assert.throws(() => kubeConfigFields(kc('""', "eA==")), /server field is empty in kubeconfig cluster "a"/);
  assert.throws(() => kubeConfigFields(kc("https://a", '""')), /certificate-authority-data field is empty/);
});
