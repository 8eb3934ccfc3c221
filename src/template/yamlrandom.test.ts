/**
 * Differential test of the encoders: 400 random JSON-shaped values (tricky strings, nesting, numbers)
 * through toYaml, toJson, toPrettyJson and toRawJson, rendered by Go (tmploracle: sigs.k8s.io/yaml,
 * encoding/json) and by Ferry; outputs must match byte for byte. Fixed seed, printed on failure.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { randomJsonValue, rng } from "./generate.ts";
import { type Case, runFerry, runOracle } from "./oracle.ts";

const SEED = 4242;
const COUNT = 400;
const encoders = ["toYaml", "toYaml", "toJson", "toPrettyJson", "toRawJson"];

test(`random encoder differential (seed ${SEED}, ${COUNT} values)`, () => {
  const next = rng(SEED);
  const cases: Case[] = [];
  for (let i = 0; i < COUNT; i++) {
    const f = encoders[Math.floor(next() * encoders.length)];
    cases.push({
      template: `<< ${f} inputs.v >>`,
      data: { v: randomJsonValue(next) },
      delims: ["<<", ">>"],
      functions: "resourceset",
    });
  }
  const go = runOracle(cases);
  const failures: string[] = [];
  cases.forEach((c, i) => {
    const got = runFerry(c);
    const want = go[i];
    if (got.output !== want?.output || got.error !== want?.error) {
      failures.push(
        `#${i} ${c.template} ${JSON.stringify(c.data)}\n  go:    ${JSON.stringify(want)}\n  ferry: ${JSON.stringify(got)}`,
      );
    }
  });
  assert.deepEqual(failures, [], `seed ${SEED}: ${failures.length} of ${COUNT} differ`);
});
