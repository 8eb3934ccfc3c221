/**
 * Conformance: every case in testdata/*.yaml is rendered by Go's text/template (the tmploracle tool, real
 * Go + slim-sprig) and by Ferry; output must match byte for byte, and errors must match message for message.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { type Case, runFerry, runOracle } from "./oracle.ts";

interface FileCase extends Case {
  /** A documented difference from Go: only the outcome class (output vs error) is compared. */
  known?: string;
}

const dir = join(import.meta.dirname, "testdata");
const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));

for (const file of files) {
  test(`conformance: ${file}`, () => {
    const cases = parse(readFileSync(join(dir, file), "utf8")) as FileCase[];
    const go = runOracle(cases);
    const failures: string[] = [];
    cases.forEach((c, i) => {
      const want = go[i];
      const got = runFerry(c);
      if (c.known !== undefined) {
        if ((want?.error === undefined) !== (got.error === undefined))
          failures.push(describe(i, c, want, got));
        return;
      }
      if (got.output !== want?.output || got.error !== want?.error) failures.push(describe(i, c, want, got));
    });
    assert.deepEqual(failures, [], `${failures.length} of ${cases.length} cases differ from Go`);
  });
}

function describe(i: number, c: Case, want: unknown, got: unknown): string {
  return `#${i} ${JSON.stringify(c.template)} data=${JSON.stringify(c.data)}\n  go:    ${JSON.stringify(want)}\n  ferry: ${JSON.stringify(got)}`;
}
