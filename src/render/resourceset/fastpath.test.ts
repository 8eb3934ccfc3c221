import assert from "node:assert/strict";
import { test } from "node:test";
import { goYamlParseAll, goYamlTemplateText } from "../yaml.ts";
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
