import assert from "node:assert/strict";
import { test } from "node:test";
import type { KubeObject } from "../object.ts";
import {
  combineInputs,
  expandResourceSet,
  type InputSet,
  InputsError,
  inputId,
  matchesSelector,
  normalizeKey,
  type RenderFn,
  ResourceSetBuildError,
  selectProviders,
} from "./index.ts";

/**
 * A stand-in for the template engine in these unit tests of the expansion rules: it replaces
 * `<< inputs.a.b >>` with the value and fails on a missing key, nothing more. The real engine is exercised
 * by the CLI tests.
 */
const fakeRender: RenderFn = (source, inputs) =>
  source.replace(/<<\s*inputs((?:\.\w+)+)\s*>>/g, (_m, path: string) => {
    let v: unknown = inputs;
    for (const k of path.slice(1).split(".")) {
      if (typeof v !== "object" || v === null || !(k in v))
        throw new Error(`map has no entry for key "${k}"`);
      v = (v as Record<string, unknown>)[k];
    }
    return String(v);
  });

const rset = (spec: Record<string, unknown>, name = "apps"): KubeObject => ({
  apiVersion: "fluxcd.controlplane.io/v1",
  kind: "ResourceSet",
  metadata: { name, namespace: "flux-system" },
  spec,
});
const provider = (
  name: string,
  values: Record<string, unknown>,
  labels: Record<string, string> = {},
): KubeObject => ({
  apiVersion: "fluxcd.controlplane.io/v1",
  kind: "ResourceSetInputProvider",
  metadata: { name, namespace: "flux-system", labels },
  spec: { type: "Static", defaultValues: values },
});
const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: "<< inputs.tenant >>" } };

test("inputId is Adler-32 in decimal; normalizeKey follows flux-operator", () => {
  assert.equal(inputId("hello"), "103547413");
  assert.equal(inputId(""), "1");
  const keys: Array<[string, string]> = [
    ["my-rset", "my_rset"],
    ["Git Tag", "git_tag"],
    ["--a..b__", "a_b"],
    ["ÜBER-café", "ber_caf"],
    ["oci.tag", "oci_tag"],
  ];
  for (const [k, want] of keys) assert.equal(normalizeKey(k), want, k);
});

test("Flatten: in-line inputs first, then providers sorted by name; each tagged with its provider", () => {
  const r = rset({ inputs: [{ tenant: "a" }], inputsFrom: [{ name: "zeta" }, { name: "alpha" }] });
  const inputs = combineInputs(r, [provider("zeta", { tenant: "z" }), provider("alpha", { tenant: "x" })]);
  assert.deepEqual(
    inputs.map((i) => [i.tenant, (i.provider as { kind: string; name: string }).name, i.id]),
    [
      ["a", "apps", undefined],
      ["x", "alpha", inputId("alpha")],
      ["z", "zeta", inputId("zeta")],
    ],
  );
  assert.deepEqual(inputs[0]?.provider, {
    apiVersion: "fluxcd.controlplane.io/v1",
    kind: "ResourceSet",
    name: "apps",
    namespace: "flux-system",
  });
});

test("Permute: the Cartesian product under normalized provider keys, with a permutation id", () => {
  const r = rset({
    inputStrategy: { name: "Permute" },
    inputs: [{ v: 1 }, { v: 2 }],
    inputsFrom: [{ selector: { matchLabels: { kind: "tag" } } }],
  });
  const all = [provider("git-tag", { sha: "abc" }, { kind: "tag" }), provider("other", {}, {})];
  const inputs = combineInputs(r, selectProviders(r, all));
  assert.equal(inputs.length, 2);
  assert.deepEqual(
    inputs.map((i) => [(i.apps as InputSet).v, (i.git_tag as InputSet).sha, i.id]),
    [
      [1, "abc", inputId("apps=0/git_tag=0")],
      [2, "abc", inputId("apps=1/git_tag=0")],
    ],
  );
});

test("Permute: empty providers are skipped unless includeEmptyProviders", () => {
  const spec = (include: boolean) => ({
    inputStrategy: { name: "Permute", includeEmptyProviders: include },
    inputs: [] as unknown[],
    inputsFrom: [{ name: "p" }],
  });
  assert.equal(combineInputs(rset(spec(false)), [provider("p", { a: 1 })]).length, 1);
  assert.equal(combineInputs(rset(spec(true)), [provider("p", { a: 1 })]).length, 0);
  assert.throws(() => combineInputs(rset({ inputStrategy: { name: "Zip" } }), []), InputsError);
});

test("label selectors: matchLabels and every operator", () => {
  const labels = { env: "dev", team: "a" };
  const cases: Array<[Record<string, unknown>, boolean]> = [
    [{ matchLabels: { env: "dev" } }, true],
    [{ matchLabels: { env: "prod" } }, false],
    [{ matchExpressions: [{ key: "env", operator: "In", values: ["dev", "staging"] }] }, true],
    [{ matchExpressions: [{ key: "env", operator: "NotIn", values: ["dev"] }] }, false],
    [{ matchExpressions: [{ key: "zone", operator: "Exists" }] }, false],
    [{ matchExpressions: [{ key: "zone", operator: "DoesNotExist" }] }, true],
  ];
  for (const [sel, want] of cases) assert.equal(matchesSelector(labels, sel), want, JSON.stringify(sel));
});

test("expansion: dedup keeps the first, resources win over the template, disabled objects are dropped", () => {
  const r = rset({
    inputs: [{ tenant: "a" }, { tenant: "b" }],
    commonMetadata: { labels: { team: "platform" }, annotations: { note: "x" } },
    resources: [
      ns,
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "shared", namespace: "default" },
        data: { from: "resources" },
      },
      {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: {
          name: "sa",
          namespace: "<< inputs.tenant >>",
          annotations: { "fluxcd.controlplane.io/reconcile": "<< inputs.tenant >>" },
        },
      },
    ],
    resourcesTemplate:
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n  namespace: default\ndata:\n  from: template\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-<< inputs.tenant >>\n  namespace: default\n",
  });
  const out = expandResourceSet(r, { render: fakeRender });
  assert.deepEqual(
    out.objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`),
    [
      "Namespace//a",
      "Namespace//b",
      "ConfigMap/default/shared",
      "ServiceAccount/a/sa",
      "ServiceAccount/b/sa",
      "ConfigMap/default/cm-a",
      "ConfigMap/default/cm-b",
    ],
  );
  assert.deepEqual((out.objects[2] as unknown as { data: unknown }).data, { from: "resources" });
  assert.deepEqual(out.objects[0]?.metadata.labels, {
    team: "platform",
    "resourceset.fluxcd.controlplane.io/name": "apps",
    "resourceset.fluxcd.controlplane.io/namespace": "flux-system",
  });
  const excluded = expandResourceSet(
    rset({
      inputs: [{ tenant: "disabled" }, { tenant: "b" }],
      resources: [r.spec && (r.spec as { resources: unknown[] }).resources[2]],
    }),
    { render: fakeRender },
  );
  assert.deepEqual(
    excluded.objects.map((o) => o.metadata.namespace),
    ["b"],
  );
});

test("expansion: without inputs each resource renders once, no dedup", () => {
  const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "d" } };
  const out = expandResourceSet(rset({ resources: [cm, cm] }), { render: fakeRender });
  assert.equal(out.objects.length, 2);
});

test("steps: built in order, an object in two steps is an error, steps exclude resources", () => {
  const job = { apiVersion: "batch/v1", kind: "Job", metadata: { name: "migrate", namespace: "apps" } };
  const ok = expandResourceSet(
    rset({
      inputs: [{ tenant: "a" }],
      steps: [
        { name: "db", resources: [job], timeout: "5m" },
        { name: "app", resources: [ns] },
      ],
    }),
    { render: fakeRender },
  );
  assert.deepEqual(
    ok.steps.map((s) => [s.name, s.timeout, s.objects.length]),
    [
      ["db", "5m", 1],
      ["app", undefined, 1],
    ],
  );
  assert.throws(
    () =>
      expandResourceSet(
        rset({
          steps: [
            { name: "one", resources: [job] },
            { name: "two", resources: [job] },
          ],
        }),
        { render: fakeRender },
      ),
    /duplicate resource Job\/apps\/migrate, already defined in step "one"/,
  );
  assert.throws(
    () =>
      expandResourceSet(rset({ resources: [job], steps: [{ name: "x", resources: [job] }] }), {
        render: fakeRender,
      }),
    /mutually exclusive/,
  );
  assert.throws(
    () => expandResourceSet(rset({ steps: [{ name: "x" }] }), { render: fakeRender }),
    /at least one of resources/,
  );
});

test("errors name the ResourceSet, the resource and the input", () => {
  const r = rset({ inputs: [{ tenant: "a", id: "one" }, { id: "two" }], resources: [ns] });
  assert.throws(
    () => expandResourceSet(r, { render: fakeRender }),
    (err: unknown) =>
      err instanceof ResourceSetBuildError &&
      err.resource === "spec.resources[0] (Namespace/<< inputs.tenant >>)" &&
      err.input === "id two" &&
      /ResourceSet\/flux-system\/apps/.test(err.message) &&
      /no entry for key "tenant"/.test(err.message),
  );
  assert.throws(
    () => expandResourceSet(rset({ resourcesTemplate: "just: data\n" }), { render: fakeRender }),
    /without apiVersion and kind/,
  );
});

test("apply-time annotations are reported, not resolved", () => {
  const r = rset({
    inputs: [{ tenant: "a" }],
    resources: [
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name: "info",
          namespace: "<< inputs.tenant >>",
          annotations: { "fluxcd.controlplane.io/copyFrom": "flux-system/runtime-info" },
        },
      },
    ],
  });
  const out = expandResourceSet(r, { render: fakeRender });
  assert.deepEqual(out.deferred, [
    {
      object: "ConfigMap/a/info",
      annotation: "fluxcd.controlplane.io/copyFrom",
      source: "flux-system/runtime-info",
    },
  ]);
  assert.equal(
    out.objects[0]?.metadata.annotations?.["fluxcd.controlplane.io/copyFrom"],
    "flux-system/runtime-info",
  );
});

test("offline providers: only Static, or a manifest with exported inputs", () => {
  const gh: KubeObject = {
    ...provider("gh", {}),
    spec: { type: "GitHubTag", url: "https://github.com/o/r" },
  };
  assert.throws(() => combineInputs(rset({ inputsFrom: [{ name: "gh" }] }), [gh]), /needs a cluster/);
  const exported = { ...gh, status: { exportedInputs: [{ id: "1", tag: "v1" }] } };
  assert.equal(combineInputs(rset({ inputsFrom: [{ name: "gh" }] }), [exported])[0]?.tag, "v1");
});
