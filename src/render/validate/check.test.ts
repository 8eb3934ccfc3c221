import assert from "node:assert/strict";
import { test } from "node:test";
import { fluxSchemas, type JsonSchema } from "../../api/index.ts";
import { checkValue } from "./check.ts";

const defs: Record<string, JsonSchema> = {
  Port: {
    type: "object",
    required: ["port"],
    properties: { port: { type: "integer" }, target: { "x-kubernetes-int-or-string": true } },
  },
};
const schema: JsonSchema = {
  type: "object",
  properties: {
    name: { type: "string", pattern: "^[a-z]+$" },
    mode: { type: "string", enum: ["a", "b"] },
    ports: { type: "array", items: { $ref: "Port" } },
    labels: { type: "object", additionalProperties: { type: "string" } },
    free: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
    nested: { allOf: [{ $ref: "Port" }] },
    maybe: { type: "string", nullable: true },
  },
};
const resolve = (r: string) => defs[r];

test("checkValue: every keyword, with field paths", () => {
  const problems = checkValue(
    {
      name: "Bad1",
      mode: "c",
      ports: [{ port: "80", target: "http" }, { target: 1.5 }],
      labels: { a: 1 },
      free: { anything: [1, { x: 2 }] },
      nested: {},
      maybe: null,
      extra: true,
    },
    schema,
    { resolve },
  );
  assert.deepEqual(
    problems.map((p) => `${p.field}: ${p.message}`),
    [
      'name: must match ^[a-z]+$, got "Bad1"',
      'mode: must be one of "a", "b", got "c"',
      'ports[0].port: must be an integer, got string "80"',
      "ports[1].port: is required",
      "ports[1].target: must be an integer or a string, got number 1.5",
      "labels.a: must be a string, got number 1",
      "nested.port: is required",
    ],
  );
  const strict = checkValue({ extra: true, free: { x: 1 } }, schema, { resolve, strict: true });
  assert.deepEqual(strict, [{ field: "extra", message: "is not a known field" }]);
});

test("checkValue: the Flux schemas catch missing and mistyped fields", () => {
  const ks = fluxSchemas().get("kustomize.toolkit.fluxcd.io/v1/Kustomization") as JsonSchema;
  const problems = checkValue(
    {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "x" },
      spec: {
        interval: "ten minutes",
        prune: "yes",
        postBuild: { substituteFrom: [{ kind: "Map", name: "v" }] },
      },
    },
    ks,
    { strict: true },
  );
  assert.deepEqual(
    problems.map((p) => p.field),
    ["spec.sourceRef", "spec.interval", "spec.prune", "spec.postBuild.substituteFrom[0].kind"],
  );
  assert.equal(fluxSchemas().size, 6);
});
