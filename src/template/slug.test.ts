/**
 * slugify against Go (gosimple/slug with Flux Operator's settings): 300 random names from a seeded
 * generator plus the 63-character truncation rules.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { randomSlugInput, rng } from "./generate.ts";
import { type Case, runFerry, runOracle } from "./oracle.ts";

const SEED = 63;

test(`slugify matches gosimple/slug (seed ${SEED})`, () => {
  const next = rng(SEED);
  const inputs = Array.from({ length: 300 }, () => randomSlugInput(next));
  inputs.push(
    "x".repeat(70),
    `${"abc-".repeat(20)}end`,
    `${"a".repeat(62)}-b`,
    `${"a".repeat(63)}-b`,
    `-${"a".repeat(63)}`,
  );
  const cases: Case[] = inputs.map((s) => ({
    template: "<< slugify inputs.s >>",
    data: { s },
    delims: ["<<", ">>"],
    functions: "resourceset",
  }));
  const go = runOracle(cases);
  const failures = cases.flatMap((c, i) => {
    const got = runFerry(c);
    return got.output === go[i]?.output
      ? []
      : [`${JSON.stringify(inputs[i])}: go ${JSON.stringify(go[i])} ferry ${JSON.stringify(got)}`];
  });
  assert.deepEqual(failures, []);
});
