import assert from "node:assert/strict";
import { test } from "node:test";
import { goDuration, HISTORY_LIMIT, upsertHistory } from "./history.ts";

test("goDuration prints as Go's time.Duration.String", () => {
  const cases: Array<[number, string]> = [
    [0, "0s"],
    [0.000123, "123ns"],
    [0.0015, "1.5µs"],
    [350, "350ms"],
    [350.25, "350.25ms"],
    [2818.583, "2.818583s"],
    [62_500, "1m2.5s"],
    [3_600_000, "1h0m0s"],
  ];
  for (const [ms, want] of cases) assert.equal(goDuration(ms), want, String(ms));
});

test("upsertHistory: same digest and status update in place and move first; others are added first; at most 5", () => {
  const t = (s: number) => new Date(Date.UTC(2026, 10, 25, 0, 0, s));
  let h = upsertHistory(undefined, {
    digest: "a",
    at: t(1),
    durationMs: 10,
    status: "ReconciliationSucceeded",
    metadata: { inputs: "1" },
  });
  h = upsertHistory(h, { digest: "b", at: t(2), durationMs: 20, status: "ReconciliationFailed" });
  h = upsertHistory(h, {
    digest: "a",
    at: t(3),
    durationMs: 30,
    status: "ReconciliationSucceeded",
    metadata: { inputs: "2" },
  });
  assert.deepEqual(h, [
    {
      digest: "a",
      firstReconciled: "2026-11-25T00:00:01Z",
      lastReconciled: "2026-11-25T00:00:03Z",
      lastReconciledDuration: "30ms",
      lastReconciledStatus: "ReconciliationSucceeded",
      totalReconciliations: 2,
      metadata: { inputs: "2" },
    },
    {
      digest: "b",
      firstReconciled: "2026-11-25T00:00:02Z",
      lastReconciled: "2026-11-25T00:00:02Z",
      lastReconciledDuration: "20ms",
      lastReconciledStatus: "ReconciliationFailed",
      totalReconciliations: 1,
    },
  ]);
  // Same digest, other status: its own entry.
  h = upsertHistory(h, { digest: "a", at: t(4), durationMs: 1, status: "ReconciliationFailed" });
  assert.deepEqual(
    h.map((s) => `${s.digest}/${s.lastReconciledStatus}`),
    ["a/ReconciliationFailed", "a/ReconciliationSucceeded", "b/ReconciliationFailed"],
  );
  for (let i = 0; i < 10; i++)
    h = upsertHistory(h, {
      digest: `d${i}`,
      at: t(10 + i),
      durationMs: 1,
      status: "ReconciliationSucceeded",
    });
  assert.equal(h.length, HISTORY_LIMIT);
  assert.equal(h[0]?.digest, "d9");
});
