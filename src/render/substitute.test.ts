// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} is Flux variable syntax, not a JS template
import assert from "node:assert/strict";
import { test } from "node:test";
import type { KubeObject } from "./object.ts";
import {
  loadVariables,
  SubstituteSourceNotFoundError,
  SubstitutionError,
  substituteObjects,
  VariableNameError,
} from "./substitute.ts";

const cm = (name: string, data: Record<string, string>, namespace = "flux-system"): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace },
  data,
});
const secret = (name: string, data: Record<string, string>): KubeObject => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name, namespace: "flux-system" },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")])),
});

test("loadVariables: substituteFrom in order, then substitute; newlines dropped; optional tolerated", () => {
  const vars = loadVariables(
    {
      substitute: { B: "inline", C: "multi\nline" },
      substituteFrom: [
        { kind: "ConfigMap", name: "first" },
        { kind: "Secret", name: "second" },
        { kind: "ConfigMap", name: "absent", optional: true },
      ],
    },
    {
      namespace: "flux-system",
      sources: [
        cm("first", { A: "cm", B: "cm", D: "cm" }),
        secret("second", { D: "secret\n" }),
        cm("absent", { X: "wrong namespace" }, "other"),
      ],
    },
  );
  assert.deepEqual(Object.fromEntries(vars), { A: "cm", B: "inline", C: "multiline", D: "secret" });
});

test("loadVariables: a missing required source is an error naming it", () => {
  assert.throws(
    () => loadVariables({ substituteFrom: [{ kind: "Secret", name: "creds" }] }, { sources: [] }),
    (err: unknown) => err instanceof SubstituteSourceNotFoundError && /Secret\/creds/.test(err.message),
  );
});

test("loadVariables: Secret stringData is read as plain text", () => {
  const s: KubeObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, stringData: { K: "v" } };
  assert.equal(
    loadVariables({ substituteFrom: [{ kind: "Secret", name: "s" }] }, { sources: [s] }).get("K"),
    "v",
  );
});

const deployment = (): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "app-${CLUSTER}", namespace: "apps", labels: { env: "${ENV:=dev}" } },
  spec: {
    replicas: "${REPLICAS}",
    paused: "${PAUSED}",
    template: { metadata: { annotations: { a: "$${KEEP}" } } },
  },
});

test("substituteObjects: values are re-typed by YAML like on a cluster, escapes are kept", () => {
  const [out] = substituteObjects(
    [deployment()],
    new Map([
      ["CLUSTER", "eu"],
      ["REPLICAS", "3"],
      ["PAUSED", "yes"],
    ]),
  );
  assert.deepEqual(out, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "app-eu", namespace: "apps", labels: { env: "dev" } },
    spec: { replicas: 3, paused: true, template: { metadata: { annotations: { a: "${KEEP}" } } } },
  });
});

test("substituteObjects: nothing happens without variables unless always", () => {
  const input = deployment();
  assert.equal(substituteObjects([input], new Map())[0], input);
  const [always] = substituteObjects([input], new Map(), { always: true });
  assert.equal(always?.metadata.labels?.env, "dev");
  assert.equal(always?.metadata.name, "app-");
});

test("substituteObjects: the opt-out label or annotation skips the object", () => {
  for (const where of ["labels", "annotations"] as const) {
    const obj = deployment();
    obj.metadata[where] = {
      ...(obj.metadata[where] as object),
      "kustomize.toolkit.fluxcd.io/substitute": "disabled",
    };
    const [out] = substituteObjects([obj], new Map([["CLUSTER", "eu"]]), { strict: true });
    assert.equal(out?.metadata.name, "app-${CLUSTER}");
  }
});

test("substituteObjects: strict mode names the object and the variable", () => {
  assert.throws(
    () => substituteObjects([deployment()], new Map([["CLUSTER", "eu"]]), { strict: true }),
    (err: unknown) =>
      err instanceof SubstitutionError &&
      err.variable === "REPLICAS" &&
      err.message.includes("Deployment/apps/app-${CLUSTER}"),
  );
});

test("substituteObjects: invalid variable names and unparsable results are errors", () => {
  assert.throws(() => substituteObjects([deployment()], new Map([["1BAD", "x"]])), VariableNameError);
  assert.throws(() => substituteObjects([deployment()], new Map([["my-var", "x"]])), VariableNameError);
  const obj: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "c" },
    data: { k: "${V}" },
  };
  assert.throws(
    () => substituteObjects([obj], new Map([["V", "a: b: c"]])),
    (err: unknown) => err instanceof SubstitutionError && /does not parse/.test(err.message),
  );
});

test("substituteObjects: a value lands in the quoting go-yaml would have used", () => {
  const obj: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "c" },
    data: { path: "${DIR}: logs", plain: "${DIR}", script: "cd ${DIR}\nls\n" },
  };
  const [out] = substituteObjects([obj], new Map([["DIR", 'C:\\tmp\\"x"']]));
  assert.deepEqual(out?.data, {
    path: 'C:\\tmp\\"x": logs',
    plain: 'C:\\tmp\\"x"',
    script: 'cd C:\\tmp\\"x"\nls\n',
  });
});
