/**
 * Differential tests: 500 random templates from a seeded grammar-based generator, and 500 of them with
 * random character insertions or deletions (mostly parse and lexer errors), each rendered by Go
 * (tmploracle) and Ferry; outputs and error messages must match. The seed is fixed and printed on failure.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { mutatedTemplate, randomCase, randomData, randomDataCase, rng } from "./generate.ts";
import { type Case, runFerry, runOracle } from "./oracle.ts";

const SEED = 20261124;
const COUNT = 500;

test(`random differential (seed ${SEED}, ${COUNT} templates)`, () => {
  const next = rng(SEED);
  const cases: Case[] = [];
  for (let i = 0; i < COUNT; i++) cases.push(randomCase(next));
  const go = runOracle(cases);
  const failures: string[] = [];
  cases.forEach((c, i) => {
    const got = runFerry(c);
    const want = go[i];
    if (got.output !== want?.output || got.error !== want?.error) {
      failures.push(
        `#${i} ${JSON.stringify(c.template)}\n  go:    ${JSON.stringify(want)}\n  ferry: ${JSON.stringify(got)}`,
      );
    }
  });
  assert.deepEqual(failures, [], `seed ${SEED}: ${failures.length} of ${COUNT} differ`);
});

test(`mutated templates: parse and lexer errors as Go's (seed ${SEED}, 500 templates)`, () => {
  const next = rng(SEED + 1);
  const cases: Case[] = [];
  for (let i = 0; i < COUNT; i++) cases.push({ template: mutatedTemplate(next), data: randomData });
  const go = runOracle(cases);
  const failures: string[] = [];
  cases.forEach((c, i) => {
    const got = runFerry(c);
    const want = go[i];
    if (got.output !== want?.output || got.error !== want?.error) {
      failures.push(
        `#${i} ${JSON.stringify(c.template)}\n  go:    ${JSON.stringify(want)}\n  ferry: ${JSON.stringify(got)}`,
      );
    }
  });
  assert.deepEqual(failures, [], `seed ${SEED + 1}: ${failures.length} of ${COUNT} differ`);
});

test(`random data: generated templates over fields of random types (seed ${SEED}, 500 templates)`, () => {
  const next = rng(SEED + 2);
  const cases: Case[] = [];
  for (let i = 0; i < COUNT; i++) cases.push(randomDataCase(next));
  const go = runOracle(cases);
  const failures: string[] = [];
  cases.forEach((c, i) => {
    const got = runFerry(c);
    const want = go[i];
    if (got.output !== want?.output || got.error !== want?.error) {
      failures.push(
        `#${i} ${JSON.stringify(c.template)} data=${JSON.stringify(c.data)}\n  go:    ${JSON.stringify(want)}\n  ferry: ${JSON.stringify(got)}`,
      );
    }
  });
  assert.deepEqual(failures, [], `seed ${SEED + 2}: ${failures.length} of ${COUNT} differ`);
});
