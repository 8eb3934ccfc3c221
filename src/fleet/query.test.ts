import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { FleetCluster } from "./clusters.ts";
import { eachLimited, Limiter, queryFleet } from "./query.ts";

let dir: string;
let kubeconfig: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferry-fleet-query-"));
  kubeconfig = join(dir, "kubeconfig");
  await writeFile(
    kubeconfig,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters: [{ name: c, cluster: { server: 'https://127.0.0.1:1' } }]",
      "users: [{ name: u, user: { token: t } }]",
      "contexts: [{ name: c, context: { cluster: c, user: u } }]",
      "current-context: c",
      "",
    ].join("\n"),
  );
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const cluster = (name: string, extra: Partial<FleetCluster> = {}): FleetCluster => ({
  name,
  kubeconfig,
  labels: {},
  origin: "kubeconfig",
  ...extra,
});

test("a query that ignores its signal still ends at the deadline, as that cluster's error", async () => {
  const results = await queryFleet(
    [cluster("stuck"), cluster("fine"), cluster("listed", { problem: "kubeconfig x cannot be read: boom" })],
    async (_client, c) => {
      if (c.name === "stuck") await new Promise(() => {});
      return c.name.toUpperCase();
    },
    { signal: AbortSignal.timeout(60_000), timeoutMs: 200 },
  );
  assert.deepEqual(
    results.map((r) => [r.cluster.name, r.value, r.errorName]),
    [
      ["stuck", undefined, "ClusterTimeoutError"],
      ["fine", "FINE", undefined],
      ["listed", undefined, "KubeConfigError"],
    ],
  );
  assert.match(
    results[0]?.error ?? "",
    /^cluster stuck did not answer within 0\.2s; check that it is reachable, or raise --timeout$/,
  );
  assert.equal(results[2]?.error, "kubeconfig x cannot be read: boom");
});

test("an unknown context and a thrown error are rows; the caller's abort is not", async () => {
  const results = await queryFleet(
    [cluster("ctx", { context: "nope" }), cluster("boom")],
    async () => {
      throw new Error("exploded");
    },
    { signal: AbortSignal.timeout(60_000) },
  );
  assert.match(results[0]?.error ?? "", /context "nope" not found/);
  assert.equal(results[1]?.error, "exploded");
  const ac = new AbortController();
  ac.abort(new Error("interrupted"));
  await assert.rejects(
    queryFleet([cluster("a")], async () => "x", { signal: ac.signal }),
    /interrupted/,
  );
});

test("eachLimited keeps order and the limit; Limiter bounds tasks across callers", async () => {
  let running = 0;
  let peak = 0;
  const task = async (v: number) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setImmediate(r));
    running--;
    return v * 2;
  };
  assert.deepEqual(await eachLimited([1, 2, 3, 4, 5], 2, task), [2, 4, 6, 8, 10]);
  assert.equal(peak, 2);

  peak = 0;
  const limiter = new Limiter(3);
  const all = await Promise.all(
    Array.from({ length: 4 }, (_, i) => eachLimited([1, 2, 3], 3, (v) => limiter.run(() => task(v + i)))),
  );
  assert.deepEqual(all[3], [8, 10, 12]);
  assert.equal(peak, 3);
  await assert.rejects(
    limiter.run(async () => Promise.reject(new Error("no"))),
    /no/,
  );
  assert.equal(await limiter.run(async () => "slot given back"), "slot given back");
});
