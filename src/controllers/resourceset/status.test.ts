import assert from "node:assert/strict";
import { test } from "node:test";
import { formatDuration, intervalMs, isDisabled, timeoutMs } from "./status.ts";

test("durations print as Go prints flux-operator's rounded durations", () => {
  const cases: Array<[number, string]> = [
    [0, "0s"],
    [0.4, "0s"],
    [123.4, "123ms"],
    [999.4, "999ms"],
    [1000, "1s"],
    [1499, "1s"],
    [1500, "2s"],
    [65_000, "1m5s"],
    [3_600_000, "1h0m0s"],
    [3_723_000, "1h2m3s"],
  ];
  for (const [ms, want] of cases) assert.equal(formatDuration(ms), want, String(ms));
});

test("annotations: reconcile disabled, reconcileEvery, reconcileTimeout", () => {
  const a = (x: Record<string, string>) => x;
  assert.equal(isDisabled(a({ "fluxcd.controlplane.io/reconcile": "Disabled" })), true);
  assert.equal(isDisabled(a({ "fluxcd.controlplane.io/reconcile": "enabled" })), false);
  assert.equal(isDisabled(undefined), false);
  assert.equal(intervalMs(a({ "fluxcd.controlplane.io/reconcileEvery": "5m" }), 1), 300_000);
  assert.equal(intervalMs(a({ "fluxcd.controlplane.io/reconcileEvery": "bogus" }), 42), 42);
  assert.equal(intervalMs(a({ "fluxcd.controlplane.io/reconcile": "disabled" }), 42), 0);
  assert.equal(timeoutMs(a({ "fluxcd.controlplane.io/reconcileTimeout": "1h30m" }), 1), 5_400_000);
  assert.equal(timeoutMs(undefined, 7), 7);
});
