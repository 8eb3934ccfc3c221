import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { impersonate, loadKubeConfig, serviceAccountUser } from "./config.ts";
import { KubeApiError, KubeConfigError } from "./errors.ts";
import { resourcePath } from "./mapper.ts";
import { mapLimit } from "./parallel.ts";
import { immutableField, isImmutableError } from "./preflight.ts";

const kubeconfig = `
apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: { server: "https://127.0.0.1:6443" }
users:
- name: u
  user: { token: "t0ken" }
contexts:
- name: ctx
  context: { cluster: c, user: u }
- name: other
  context: { cluster: c, user: u, namespace: x }
current-context: ctx
`;

test("loadKubeConfig reads text, selects contexts and names the problem", () => {
  const kc = loadKubeConfig({ text: kubeconfig, context: "other" });
  assert.equal(kc.getCurrentContext(), "other");
  assert.throws(
    () => loadKubeConfig({ text: kubeconfig, context: "nope" }),
    (e: unknown) => e instanceof KubeConfigError && /context "nope" not found/.test(e.message),
  );
  assert.throws(() => loadKubeConfig({ path: "/nonexistent/kubeconfig" }), KubeConfigError);
  assert.throws(() => loadKubeConfig({}), KubeConfigError);
});

test("impersonating a service account adds the Impersonate-User header and keeps the original untouched", async () => {
  const kc = loadKubeConfig({ text: kubeconfig });
  const as = impersonate(kc, serviceAccountUser("team-a", "flux"));
  const o: { headers?: Record<string, string> } = {};
  await as.applyToHTTPSOptions(o);
  assert.equal(o.headers?.["Impersonate-User"], "system:serviceaccount:team-a:flux");
  assert.equal(o.headers?.Authorization, "Bearer t0ken");
  const plain: { headers?: Record<string, string> } = {};
  await kc.applyToHTTPSOptions(plain);
  assert.equal(plain.headers?.["Impersonate-User"], undefined);
});

test("resource paths for core, grouped, namespaced, cluster-scoped and subresources", () => {
  const deploy = {
    group: "apps",
    version: "v1",
    kind: "Deployment",
    resource: "deployments",
    namespaced: true,
    verbs: [],
    subresources: [],
  };
  const ns = {
    group: "",
    version: "v1",
    kind: "Namespace",
    resource: "namespaces",
    namespaced: false,
    verbs: [],
    subresources: [],
  };
  assert.equal(resourcePath(deploy, "prod", "web"), "/apis/apps/v1/namespaces/prod/deployments/web");
  assert.equal(resourcePath(deploy, undefined), "/apis/apps/v1/deployments");
  assert.equal(
    resourcePath(deploy, "prod", "web", "status"),
    "/apis/apps/v1/namespaces/prod/deployments/web/status",
  );
  assert.equal(resourcePath(ns, "ignored", "prod"), "/api/v1/namespaces/prod");
});

test("immutable-field errors are recognised and the field is named", () => {
  const cases: Array<[string, string[], boolean, string]> = [
    [
      'Job.batch "m" is invalid: spec.template: Invalid value: ...: field is immutable',
      ["spec.template"],
      true,
      "spec.template",
    ],
    [
      'Service "s" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.0.0.9"}: may not change once set',
      [],
      true,
      "spec.clusterIPs[0]",
    ],
    [
      'Deployment.apps "d" is invalid: spec.replicas: Invalid value: -3: must be greater than or equal to 0',
      [],
      false,
      "spec.replicas",
    ],
  ];
  for (const [msg, fields, immutable, field] of cases) {
    const err = new KubeApiError("PATCH", "/x", 422, "Invalid", msg, { fields });
    assert.equal(isImmutableError(err), immutable, msg);
    assert.equal(immutableField(err), field);
  }
  assert.equal(
    isImmutableError(new KubeApiError("PATCH", "/x", 409, "Conflict", "field is immutable")),
    false,
  );
});

test("mapLimit keeps order, bounds concurrency and surfaces the first failure", async () => {
  let active = 0;
  let peak = 0;
  const out = await mapLimit([1, 2, 3, 4, 5, 6], 2, async (n) => {
    active++;
    peak = Math.max(peak, active);
    await new Promise((r) => setImmediate(r));
    active--;
    return n * 10;
  });
  assert.deepEqual(out, [10, 20, 30, 40, 50, 60]);
  assert.equal(peak, 2);
  await assert.rejects(
    mapLimit([1, 2, 3], 2, async (n) => {
      if (n === 2) throw new Error("two");
      return n;
    }),
    /two/,
  );
  assert.deepEqual(await mapLimit([], 4, async (n: number) => n), []);
});

test("in-cluster config reads the service account's token and CA files", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ferry-sa-"));
  try {
    await writeFile(join(dir, "token"), "sa-token");
    await writeFile(join(dir, "ca.crt"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    const kc = loadKubeConfig({ inCluster: { server: "https://10.0.0.1:443", serviceAccountDir: dir } });
    assert.equal(kc.getCurrentCluster()?.server, "https://10.0.0.1:443");
    const o: { headers?: Record<string, string>; ca?: Buffer } = {};
    await kc.applyToHTTPSOptions(o);
    assert.equal(o.headers?.Authorization, "Bearer sa-token");
    assert.match(String(o.ca), /BEGIN CERTIFICATE/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
