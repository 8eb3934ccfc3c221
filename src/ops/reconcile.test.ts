import assert from "node:assert/strict";
import { test } from "node:test";
import { requestedAtValue } from "./reconcile.ts";

test("requestedAtValue is RFC 3339 in UTC with nanosecond digits, trailing zeros dropped", () => {
  const d = new Date("2026-11-25T00:30:05.120Z");
  const cases: Array<[bigint, string]> = [
    [0n, "2026-11-25T00:30:05.12Z"],
    [1_000_345_678n, "2026-11-25T00:30:05.120345678Z"],
    [5_000n, "2026-11-25T00:30:05.120005Z"],
  ];
  for (const [sub, want] of cases) assert.equal(requestedAtValue(d, sub), want);
  assert.equal(requestedAtValue(new Date("2026-11-25T00:30:05.000Z"), 0n), "2026-11-25T00:30:05Z");
  assert.notEqual(requestedAtValue(), requestedAtValue());
});
