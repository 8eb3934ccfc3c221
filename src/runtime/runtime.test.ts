import assert from "node:assert/strict";
import { test } from "node:test";
import {
  finalizeConditions,
  getCondition,
  markAttemptFailed,
  markFailed,
  markReady,
  markReconciling,
  markStalled,
  setCondition,
} from "./conditions.ts";
import { Controller, generationOrRequestChanged, pollUntil } from "./controller.ts";
import { TerminalError } from "./errors.ts";
import { Manager } from "./manager.ts";
import { RuntimeMetrics } from "./metrics.ts";
import { ProbeServer } from "./server.ts";

test("lastTransitionTime moves only when the status changes", () => {
  const t1 = new Date("2026-01-01T00:00:00Z");
  const t2 = new Date("2026-01-01T01:00:00Z");
  let c = setCondition(
    [],
    { type: "Ready", status: "False", reason: "A", message: "a", observedGeneration: 1 },
    t1,
  );
  c = setCondition(
    c,
    { type: "Ready", status: "False", reason: "B", message: "b", observedGeneration: 2 },
    t2,
  );
  assert.equal(getCondition(c, "Ready")?.lastTransitionTime, "2026-01-01T00:00:00Z");
  assert.equal(getCondition(c, "Ready")?.reason, "B");
  assert.equal(getCondition(c, "Ready")?.observedGeneration, 2);
  c = setCondition(c, { type: "Ready", status: "True", reason: "C", message: "c" }, t2);
  assert.equal(getCondition(c, "Ready")?.lastTransitionTime, "2026-01-01T01:00:00Z");
});

test("Flux-style transitions: reconciling, ready, stalled", () => {
  let c = markReconciling(undefined, 3, "Progressing", "applying");
  assert.deepEqual(
    c.map((x) => [x.type, x.status]),
    [
      ["Ready", "Unknown"],
      ["Reconciling", "True"],
    ],
  );
  c = markReady(c, 3, "ReconciliationSucceeded", "applied");
  assert.deepEqual(
    c.map((x) => [x.type, x.status, x.observedGeneration]),
    [["Ready", "True", 3]],
  );
  c = markStalled(c, 4, "InvalidSpec", "bad path");
  assert.deepEqual(
    c.map((x) => [x.type, x.status]),
    [
      ["Ready", "False"],
      ["Stalled", "True"],
    ],
  );
});

test("finalizeConditions: a failed attempt retries, Ready or Stalled ends Reconciling, Ready ends Stalled", () => {
  const t = new Date("2026-01-01T00:00:00Z");
  let c = markReconciling([], 1, "Progressing", "working", t);
  c = setCondition(
    c,
    { type: "Ready", status: "False", reason: "BuildFailed", message: "bad", observedGeneration: 1 },
    t,
  );
  c = finalizeConditions(c, t);
  assert.equal(getCondition(c, "Reconciling")?.reason, "ProgressingWithRetry");
  assert.equal(getCondition(c, "Ready")?.reason, "BuildFailed");
  c = finalizeConditions(markStalled(c, 1, "InvalidSpec", "bad", t), t);
  assert.equal(getCondition(c, "Reconciling"), undefined);
  c = setCondition(
    c,
    { type: "Ready", status: "True", reason: "Succeeded", message: "ok", observedGeneration: 2 },
    t,
  );
  c = finalizeConditions(c, t);
  assert.equal(getCondition(c, "Stalled"), undefined);
  assert.equal(getCondition(c, "Reconciling"), undefined);
  assert.deepEqual(
    finalizeConditions(markFailed([], 1, "X", "y", t), t).map((x) => x.type),
    ["Ready"],
  );
});

test("markAttemptFailed: stalled sets Stalled and Ready=False; otherwise Ready=False and Reconciling stays", () => {
  const t = new Date("2026-01-01T00:00:00Z");
  const start = markReconciling([], 3, "Progressing", "working", t);
  const retry = markAttemptFailed(start, 3, "BuildFailed", "bad yaml", false, t);
  assert.equal(getCondition(retry, "Ready")?.status, "False");
  assert.equal(getCondition(retry, "Ready")?.observedGeneration, 3);
  assert.equal(getCondition(retry, "Reconciling")?.status, "True");
  assert.equal(getCondition(retry, "Stalled"), undefined);
  const stalled = markAttemptFailed(start, 3, "InvalidSpec", "bad path", true, t);
  assert.equal(getCondition(stalled, "Stalled")?.reason, "InvalidSpec");
  assert.equal(getCondition(stalled, "Ready")?.status, "False");
  assert.equal(getCondition(stalled, "Reconciling"), undefined);
});

test("controller: success, requeue, retry with backoff, terminal error; metrics per kind and result", async () => {
  const metrics = new RuntimeMetrics();
  const calls = new Map<string, number>();
  let concurrentSameKey = false;
  const active = new Set<string>();
  const ctl = new Controller({
    name: "test",
    kind: "Widget",
    concurrency: 3,
    metrics,
    queue: { baseDelayMs: 1 },
    reconcile: async (key) => {
      if (active.has(key)) concurrentSameKey = true;
      active.add(key);
      await new Promise((r) => setImmediate(r));
      active.delete(key);
      const n = (calls.get(key) ?? 0) + 1;
      calls.set(key, n);
      if (key === "flaky" && n < 3) throw new Error("try again");
      if (key === "bad") throw new TerminalError("invalid spec");
      if (key === "again" && n < 2) return { requeueAfterMs: 5 };
      return undefined;
    },
  });
  const ac = new AbortController();
  const running = ctl.start(ac.signal);
  for (const k of ["ok", "flaky", "bad", "again", "ok", "ok"]) ctl.queue.add(k);
  await pollUntil(
    () =>
      (calls.get("flaky") ?? 0) >= 3 && (calls.get("again") ?? 0) >= 2 && calls.has("bad") && calls.has("ok"),
    {
      signal: AbortSignal.timeout(10_000),
    },
  );
  ac.abort();
  await running;
  assert.equal(calls.get("bad"), 1, "terminal errors are not retried");
  assert.equal(calls.get("flaky"), 3);
  assert.equal(concurrentSameKey, false);
  assert.equal(metrics.reconcileTotal.get({ kind: "Widget", result: "error" }), 2);
  assert.equal(metrics.reconcileTotal.get({ kind: "Widget", result: "terminal" }), 1);
  assert.equal(metrics.reconcileTotal.get({ kind: "Widget", result: "requeue" }), 1);
  const text = metrics.registry.expose();
  assert.match(text, /# TYPE ferry_reconcile_duration_seconds histogram/);
  assert.match(
    text,
    /ferry_reconcile_duration_seconds_bucket\{kind="Widget",result="success",le="\+Inf"\} \d+/,
  );
  assert.match(text, /ferry_reconcile_total\{kind="Widget",result="terminal"\} 1/);
});

test("controller shutdown lets the in-flight reconcile finish within the grace period", async () => {
  let finished = false;
  let started = false;
  const ctl = new Controller({
    name: "graceful",
    kind: "Widget",
    shutdownGraceMs: 30_000,
    reconcile: async (_k, signal) => {
      started = true;
      await new Promise((r) => setTimeout(r, 50));
      finished = !signal.aborted;
      return undefined;
    },
  });
  const ac = new AbortController();
  const running = ctl.start(ac.signal);
  ctl.queue.add("a");
  await pollUntil(() => started, { signal: AbortSignal.timeout(5000) });
  ac.abort();
  await running;
  assert.equal(finished, true);
});

test("probe server serves /healthz, /readyz with named checks, and /metrics", async () => {
  const metrics = new RuntimeMetrics();
  metrics.observeReconcile("Widget", "success", 0.2);
  let synced = false;
  const srv = new ProbeServer({
    registry: metrics.registry,
    readyChecks: { informers: () => synced || "caches not synced" },
  });
  const ac = new AbortController();
  const running = srv.start(ac.signal);
  const port = await srv.port();
  const get = async (p: string) => {
    const r = await fetch(`http://127.0.0.1:${port}${p}`);
    return { status: r.status, text: await r.text() };
  };
  assert.equal((await get("/healthz")).status, 200);
  const notReady = await get("/readyz");
  assert.equal(notReady.status, 503);
  assert.match(notReady.text, /\[-\]informers failed: caches not synced/);
  synced = true;
  assert.equal((await get("/readyz")).status, 200);
  const m = await get("/metrics");
  assert.match(m.text, /ferry_reconcile_total\{kind="Widget",result="success"\} 1/);
  assert.equal((await get("/nope")).status, 404);
  ac.abort();
  await running;
});

test("manager: a failing runnable stops the others and the error surfaces; a clean shutdown resolves", async () => {
  const stopped: string[] = [];
  const m = new Manager();
  m.add({
    name: "steady",
    needLeaderElection: false,
    start: async (s) => {
      await new Promise((r) => s.addEventListener("abort", r, { once: true }));
      stopped.push("steady");
    },
  });
  m.add({
    name: "broken",
    start: async () => {
      throw new Error("boom");
    },
  });
  await assert.rejects(m.start(new AbortController().signal), /boom/);
  assert.deepEqual(stopped, ["steady"]);
  assert.throws(() => m.add({ name: "late", start: async () => {} }), /added after the manager started/);

  const ok = new Manager();
  ok.add({
    name: "idle",
    start: (s) => new Promise((r) => s.addEventListener("abort", () => r(), { once: true })),
  });
  const ac = new AbortController();
  const run = ok.start(ac.signal);
  await pollUntil(() => ok.isLeader(), { signal: AbortSignal.timeout(5000) });
  ac.abort();
  await run;
});

test("update filter: spec changes, deletion and reconcile requests pass; status-only updates do not", () => {
  const base = {
    apiVersion: "x/v1",
    kind: "K",
    metadata: { name: "a", generation: 1, resourceVersion: "1" },
  };
  const cases: Array<[string, Record<string, unknown>, boolean]> = [
    ["status only", { resourceVersion: "2" }, false],
    ["spec changed", { generation: 2 }, true],
    ["deleting", { deletionTimestamp: "2026-01-01T00:00:00Z" }, true],
    ["requested", { annotations: { "reconcile.fluxcd.io/requestedAt": "now" } }, true],
  ];
  for (const [name, meta, want] of cases) {
    assert.equal(
      generationOrRequestChanged(base, { ...base, metadata: { ...base.metadata, ...meta } }),
      want,
      name,
    );
  }
});
