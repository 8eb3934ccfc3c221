import assert from "node:assert/strict";
import { test } from "node:test";
import { ItemBackoff, jitter, TokenBucket } from "./backoff.ts";
import { QueueShutDownError } from "./errors.ts";
import { WorkQueue } from "./queue.ts";

test("a key is queued once however often it is added", async () => {
  const q = new WorkQueue<string>({ name: "dedupe" });
  q.add("a");
  q.add("b");
  q.add("a");
  assert.equal(q.length, 2);
  assert.equal(await q.get(), "a");
  assert.equal(await q.get(), "b");
  q.shutDown();
});

test("a key being processed is not handed out again until done, then it comes back once", async () => {
  const q = new WorkQueue<string>({ name: "exclusive" });
  q.add("a");
  const k = await q.get();
  q.add("a");
  q.add("a");
  assert.equal(q.length, 0, "re-added while processing: held back");
  const second = q.get();
  let handed = false;
  void second.then(() => {
    handed = true;
  });
  await new Promise((r) => setImmediate(r));
  assert.equal(handed, false);
  q.done(k);
  assert.equal(await second, "a");
  q.done("a");
  assert.equal(q.length, 0);
  q.shutDown();
});

test("addAfter delivers later; an earlier pending add wins", async () => {
  const q = new WorkQueue<string>({ name: "after" });
  q.addAfter("a", 50, { jitter: false });
  q.addAfter("a", 10_000, { jitter: false });
  assert.equal(q.waiting, 1);
  assert.equal(q.length, 0);
  assert.equal(await q.get(), "a");
  q.shutDown();
});

test("shutDown wakes idle workers with QueueShutDownError and drops delayed adds", async () => {
  const q = new WorkQueue<string>({ name: "stop" });
  q.addAfter("x", 60_000);
  const waiting = q.get();
  q.shutDown();
  await assert.rejects(waiting, QueueShutDownError);
  assert.equal(q.waiting, 0);
  q.add("y");
  await assert.rejects(q.get(), QueueShutDownError);
});

test("get honours an abort signal", async () => {
  const q = new WorkQueue<string>({ name: "abort" });
  const ac = new AbortController();
  const p = q.get(ac.signal);
  ac.abort(new Error("bye"));
  await assert.rejects(p, /bye/);
  q.add("a");
  assert.equal(await q.get(), "a", "the aborted waiter did not swallow the key");
  q.shutDown();
});

test("per-item backoff doubles up to the cap and resets on forget", () => {
  const b = new ItemBackoff<string>({ baseMs: 5, maxMs: 30 });
  assert.deepEqual([b.next("a"), b.next("a"), b.next("a"), b.next("a"), b.next("b")], [5, 10, 20, 30, 5]);
  assert.equal(b.retries("a"), 4);
  b.forget("a");
  assert.equal(b.next("a"), 5);
});

test("token bucket allows a burst then spaces tokens at the rate", () => {
  let now = 0;
  const t = new TokenBucket({ ratePerSecond: 10, burst: 2, now: () => now });
  assert.deepEqual([t.reserve(), t.reserve(), t.reserve(), t.reserve()], [0, 0, 100, 200]);
  now = 1000;
  assert.equal(t.reserve(), 0);
});

test("jitter adds at most the factor", () => {
  assert.equal(
    jitter(1000, 0.1, () => 0),
    1000,
  );
  assert.equal(
    jitter(1000, 0.1, () => 0.999),
    1099,
  );
});

test("rate-limited adds wait for the item's backoff", async () => {
  const q = new WorkQueue<string>({ name: "rl", baseDelayMs: 1 });
  assert.equal(q.addRateLimited("a"), 1);
  assert.equal(q.addRateLimited("a"), 2);
  assert.equal(await q.get(), "a");
  q.forget("a");
  assert.equal(q.retries("a"), 0);
  q.shutDown();
});
