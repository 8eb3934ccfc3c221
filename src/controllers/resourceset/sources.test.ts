/**
 * Data the ResourceSet controller reads at apply time, against the real local cluster: copyFrom,
 * convertKubeConfigFrom, checksumFrom; only sources labelled `reconcile.fluxcd.io/watch: Enabled` trigger a
 * reconcile when they change.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, test } from "node:test";
import { installCRDs } from "../../agent/index.ts";
import { type TestCluster, testCluster } from "../../dev/testing.ts";
import { getObject, KubeClient, type KubeObject, loadKubeConfig } from "../../kube/index.ts";
import {
  apply,
  readyOf,
  requestReconcile,
  resourceSet,
  startControllers,
  waitFor,
  waitForObject,
} from "./testing.ts";

let cluster: TestCluster;
let admin: KubeClient;
const signal = AbortSignal.timeout(300_000);

before(async () => {
  cluster = await testCluster({ signal });
  admin = new KubeClient(loadKubeConfig({ path: cluster.kubeconfig }));
  await installCRDs(admin, { signal });
});

after(async () => {
  admin?.close();
  await cluster?.release();
});

const configMap = (namespace: string, name: string, data: Record<string, string>): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace },
  data,
});
const b64 = (s: string) => Buffer.from(s).toString("base64");
/** Sources labelled so that their changes re-enqueue the sets reading them (flux-operator's default). */
const watched = { "reconcile.fluxcd.io/watch": "Enabled" };

test("copyFrom copies a Secret's data at apply time and follows a change of the watched source", async () => {
  const h = await startControllers(cluster, "rset-copy", signal);
  const ns = h.namespace;
  try {
    await apply(
      admin,
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "source", namespace: ns, labels: watched },
        type: "Opaque",
        data: { token: b64("one") },
      },
      signal,
    );
    await apply(admin, configMap(ns, "settings", { mode: "blue" }), signal);
    const spec = {
      inputs: [{ tenant: "a" }],
      resources: [
        {
          apiVersion: "v1",
          kind: "Secret",
          metadata: {
            name: "copy-<< inputs.tenant >>",
            namespace: ns,
            annotations: { "fluxcd.controlplane.io/copyFrom": `${ns}/source` },
          },
        },
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: {
            name: "settings-<< inputs.tenant >>",
            namespace: ns,
            annotations: { "fluxcd.controlplane.io/copyFrom": `${ns}/settings` },
          },
        },
      ],
    };
    await apply(admin, resourceSet(ns, "copy", spec), signal);
    await waitFor(admin, "ResourceSet", ns, "copy", (s) => readyOf(s).status === "True", signal);
    const secret = await getObject(
      admin,
      { apiVersion: "v1", kind: "Secret", metadata: { name: "copy-a", namespace: ns } },
      { signal },
    );
    assert.equal((secret?.data as Record<string, string> | undefined)?.token, b64("one"));
    assert.equal(secret?.type, "Opaque");
    const cm = await getObject(admin, configMap(ns, "settings-a", {}), { signal });
    assert.deepEqual(cm?.data, { mode: "blue" });

    await apply(
      admin,
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "source", namespace: ns, labels: watched },
        type: "Opaque",
        data: { token: b64("two") },
      },
      signal,
    );
    await waitForObject(
      admin,
      { apiVersion: "v1", kind: "Secret", name: "copy-a", namespace: ns },
      (o) => (o?.data as Record<string, string> | undefined)?.token === b64("two"),
      signal,
    );
  } finally {
    await h.stop();
  }
});

test("convertKubeConfigFrom: a kubeconfig Secret's server and CA fill a ConfigMap and follow the watched Secret", async () => {
  const h = await startControllers(cluster, "rset-kc", signal);
  const ns = h.namespace;
  const pem = (n: string) => `-----BEGIN CERTIFICATE-----\n${n}\n-----END CERTIFICATE-----\n`;
  const kubeconfig = (server: string, ca: string) => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "staging-kubeconfig", namespace: ns, labels: watched },
    data: {
      value: b64(
        `apiVersion: v1\nkind: Config\nclusters:\n- name: staging\n  cluster:\n    server: ${server}\n    certificate-authority-data: ${b64(ca)}\n`,
      ),
    },
  });
  try {
    await apply(admin, kubeconfig("https://staging:6443", pem("ONE")), signal);
    const spec = {
      inputs: [{ cluster: "staging" }],
      resources: [
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: {
            name: "<< inputs.cluster >>-cluster-info",
            namespace: ns,
            annotations: {
              "fluxcd.controlplane.io/convertKubeConfigFrom": `${ns}/<< inputs.cluster >>-kubeconfig`,
            },
          },
          data: { cluster: "<< inputs.cluster >>" },
        },
      ],
    };
    await apply(admin, resourceSet(ns, "kc", spec), signal);
    await waitFor(admin, "ResourceSet", ns, "kc", (s) => readyOf(s).status === "True", signal);
    const cm = await getObject(admin, configMap(ns, "staging-cluster-info", {}), { signal });
    assert.deepEqual(cm?.data, { cluster: "staging", address: "https://staging:6443", "ca.crt": pem("ONE") });

    await apply(admin, kubeconfig("https://staging2:6443", pem("TWO")), signal);
    await waitForObject(
      admin,
      { apiVersion: "v1", kind: "ConfigMap", name: "staging-cluster-info", namespace: ns },
      (o) => (o?.data as Record<string, string> | undefined)?.address === "https://staging2:6443",
      signal,
    );
  } finally {
    await h.stop();
  }
});

test("checksumFrom: a checksum of the set's own ConfigMap and an external Secret, refreshed when the watched Secret changes", async () => {
  const h = await startControllers(cluster, "rset-sum", signal);
  const ns = h.namespace;
  const secret = (token: string): KubeObject => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "creds", namespace: ns, labels: watched },
    type: "Opaque",
    data: { token: b64(token) },
  });
  // The bytes flux-operator hashes: per reference its name, then key and value in key order, NUL-separated.
  const expected = (token: string) =>
    `sha256:${createHash("sha256")
      .update(`ConfigMap/${ns}/conf\0a\x001\0b\x002\0Secret/${ns}/creds\0token\0${token}\0`)
      .digest("hex")}`;
  try {
    await apply(admin, secret("one"), signal);
    const spec = {
      resources: [
        configMap(ns, "conf", { b: "2", a: "1" }),
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: {
            name: "app",
            namespace: ns,
            annotations: {
              "fluxcd.controlplane.io/checksumFrom": `ConfigMap/${ns}/conf,\n Secret/${ns}/creds\n`,
            },
          },
        },
      ],
    };
    await apply(admin, resourceSet(ns, "sum", spec), signal);
    const s = await waitFor(admin, "ResourceSet", ns, "sum", (x) => readyOf(x).status === "True", signal);
    assert.deepEqual((s as { externalChecksumRefs?: string[] }).externalChecksumRefs, [`Secret/${ns}/creds`]);
    const app = await getObject(admin, configMap(ns, "app", {}), { signal });
    assert.equal(app?.metadata.annotations?.["fluxcd.controlplane.io/checksum"], expected("one"));

    await apply(admin, secret("two"), signal);
    await waitForObject(
      admin,
      { apiVersion: "v1", kind: "ConfigMap", name: "app", namespace: ns },
      (o) => o?.metadata.annotations?.["fluxcd.controlplane.io/checksum"] === expected("two"),
      signal,
    );
  } finally {
    await h.stop();
  }
});

test("watch label: a labelled copyFrom source re-renders its set at once; an unlabelled one waits for the next reconcile", async () => {
  // One worker: the queue is first in, first out, so once the labelled source's set has re-rendered, a
  // reconcile the unlabelled change would have queued before it has run too.
  const h = await startControllers(cluster, "rset-watch", signal, { concurrency: 1 });
  const ns = h.namespace;
  const source = (name: string, v: string, labels?: Record<string, string>): KubeObject => ({
    ...configMap(ns, name, { v }),
    metadata: { name, namespace: ns, ...(labels ? { labels } : {}) },
  });
  const copying = (name: string, from: string) =>
    resourceSet(ns, name, {
      resources: [
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: {
            name: `${name}-copy`,
            namespace: ns,
            annotations: { "fluxcd.controlplane.io/copyFrom": `${ns}/${from}` },
          },
        },
      ],
    });
  const copied = (name: string, v: string) =>
    waitForObject(
      admin,
      { apiVersion: "v1", kind: "ConfigMap", name: `${name}-copy`, namespace: ns },
      (o) => (o?.data as Record<string, string> | undefined)?.v === v,
      signal,
    );
  try {
    await apply(admin, source("plain", "1"), signal);
    await apply(admin, source("labelled", "1", watched), signal);
    await apply(admin, copying("quiet", "plain"), signal);
    await apply(admin, copying("eager", "labelled"), signal);
    await copied("quiet", "1");
    await copied("eager", "1");

    await apply(admin, source("plain", "2"), signal);
    await apply(admin, source("labelled", "2", watched), signal);
    await copied("eager", "2");
    const quiet = await getObject(admin, configMap(ns, "quiet-copy", {}), { signal });
    assert.deepEqual(quiet?.data, { v: "1" }, "an unlabelled source does not trigger its set");

    // The next reconcile (here a requested one) reads the unlabelled source again.
    await requestReconcile(admin, "ResourceSet", ns, "quiet", signal);
    await copied("quiet", "2");
  } finally {
    await h.stop();
  }
});
