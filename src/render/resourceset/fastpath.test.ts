import assert from "node:assert/strict";
import { test } from "node:test";
import { goYamlParseAll, goYamlTemplateText } from "../yaml.ts";
import { templateRenderer } from "./engine.ts";
import { compilePlan, renderPlan } from "./fastpath.ts";
import type { InputSet } from "./inputs.ts";

/** Unit-test stand-in for the engine: `<< inputs.v >>` only. */
const fake = (source: string, inputs: InputSet | undefined) =>
  source
    .replace(/<<\s*inputs\.v\s*>>/g, () => String(inputs?.v))
    .replace(/<<[^>]*>>/g, () => {
      throw new Error("unsupported");
    });

const values = [
  "3",
  "-1",
  "0755",
  "1:20",
  "1e3",
  "true",
  "yes",
  "on",
  "null",
  "~",
  "",
  "  ",
  "plain text",
  "a: b",
  "a:b",
  "#comment",
  "x # y",
  "x#y",
  "- item",
  "'single'",
  '"double"',
  "[a, b]",
  "{a: 1}",
  "multi\nline",
  "it's",
  "*alias",
  "&anchor x",
  "!tag x",
  "---",
  "trailing:",
  "tab\there",
];
const shapes: unknown[] = [
  { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "n" }, data: { k: "<< inputs.v >>" } },
  { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "n" }, data: { k: "pre-<< inputs.v >>-post" } },
  { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "n" }, data: { k: "key: << inputs.v >>" } },
  {
    apiVersion: "v1",
    kind: "List",
    metadata: { name: "n" },
    items: ["<< inputs.v >>", { a: "<< inputs.v >> x" }],
  },
];

test("fast path: wherever it answers, it answers what the full rendering gives", () => {
  let answered = 0;
  let total = 0;
  for (const shape of shapes) {
    const text = goYamlTemplateText(shape);
    const plan = compilePlan(text);
    assert.ok(plan, JSON.stringify(shape));
    for (const v of values) {
      total++;
      const fast = renderPlan(plan, { v }, fake);
      let full: unknown;
      try {
        full = goYamlParseAll(fake(text, { v }))[0];
      } catch {
        full = "error";
      }
      if (fast === undefined) continue;
      answered++;
      assert.deepEqual(fast, full, `${JSON.stringify(shape)} with ${JSON.stringify(v)}`);
    }
  }
  assert.ok(answered > total / 2, `fast path answered ${answered}/${total}`);
});

test("fast path: no plan for templated keys, edge trim markers or block scalars", () => {
  const cases: unknown[] = [
    { data: { "<< inputs.v >>": "x" } },
    { data: { k: "<<- inputs.v >>" } },
    { data: { k: "<< inputs.v ->>" } },
    { data: { k: "<< inputs.v >>\nsecond line" } },
    { data: { k: "static" } },
  ];
  for (const c of cases) assert.equal(compilePlan(goYamlTemplateText(c)), undefined, JSON.stringify(c));
});

test("fast path: same objects as the full rendering with the real engine", () => {
  const render = templateRenderer();
  const r = (s: string, i: InputSet | undefined) => render(s, i, "resourceset");
  const resources: unknown[] = [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "<< inputs.name | slugify >>", namespace: '<< get inputs "ns" | default "apps" >>' },
      data: {
        quoted: "<< inputs.version | quote >>",
        replicas: "<< inputs.replicas | int >>",
        flag: "<< inputs.enabled >>",
        mixed: "v<< inputs.version >>-<< inputs.name | lower >>",
        cond: '<< if eq inputs.name "Team One" >>enabled<< else >>disabled<< end >>',
        upper: '<< get inputs "name" | upper >>',
        list: '<< inputs.list | join "," >>',
      },
    },
    {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "OCIRepository",
      metadata: { name: "app", namespace: "x" },
      spec: {
        layerSelector: "<< inputs.layer | toYaml | nindent 4 >>",
        url: "oci://r/<< inputs.name | slugify >>",
      },
    },
  ];
  const inputs: InputSet[] = [
    {
      name: "Team One",
      version: "1.2",
      replicas: "3",
      enabled: true,
      list: ["a", "b"],
      layer: { mediaType: "m" },
    },
    { name: "yes", version: "0755", replicas: 0, enabled: "no", ns: "ops", list: [], layer: {} },
    { name: "a: b", version: "#x", replicas: "-1", enabled: null, list: ["x y"], layer: { op: "copy" } },
  ];
  let fastAnswers = 0;
  for (const resource of resources) {
    const text = goYamlTemplateText(resource);
    const plan = compilePlan(text);
    assert.ok(plan);
    for (const input of inputs) {
      let full: unknown;
      try {
        full = goYamlParseAll(r(text, input))[0];
      } catch {
        full = "error";
      }
      const fast = renderPlan(plan, input, r);
      if (fast === undefined) continue;
      fastAnswers++;
      assert.deepEqual(fast, full, `${JSON.stringify(input)}`);
    }
  }
  assert.ok(fastAnswers >= 2, `fast path answered ${fastAnswers} times`);
});
