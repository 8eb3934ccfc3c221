import assert from "node:assert/strict";
import { test } from "node:test";
import { causeChain, FerryError, UsageError } from "./index.ts";

test("causeChain walks causes outermost first and stops on cycles", () => {
  const inner = new Error("inner");
  const outer = new FerryError("outer", { cause: inner });
  assert.deepEqual(causeChain(outer), [outer, inner]);
  const a = new Error("a");
  const b = new Error("b", { cause: a });
  (a as { cause?: unknown }).cause = b;
  assert.equal(causeChain(b).length, 2);
});

test("usage errors exit 2, other Ferry errors exit 1", () => {
  assert.equal(new UsageError("x").exitCode, 2);
  assert.equal(new FerryError("x").exitCode, 1);
  assert.equal(new UsageError("x").name, "UsageError");
});
