/** Pure helpers of the Kustomization controller: durations, deletion policy, change-set text, targets. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChangeSetEntry, KubeObject } from "../../kube/index.ts";
import { changeLog, healthTargets, refuseEncryptedSecrets } from "./apply.ts";
import { artifactPath } from "./build.ts";
import { dependencyKeys, evalReadyExpr } from "./dependencies.ts";
import { KustomizationError } from "./errors.ts";
import { shouldDeleteResources } from "./finalize.ts";
import { upsertHistory } from "./history.ts";
import { afterFailure, checkSpec } from "./reconciler.ts";
import { sourceRefOf } from "./source.ts";
import { goDuration, intervalMs, type KustomizationSpec, retryIntervalMs, timeoutMs } from "./status.ts";
import { withStale } from "./sync.ts";

const ks = (spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "kustomize.toolkit.fluxcd.io/v1",
  kind: "Kustomization",
  metadata: { name: "app", namespace: "team" },
  spec: { interval: "10m", prune: true, sourceRef: { kind: "OCIRepository", name: "src" }, ...spec },
  status,
});

test("goDuration prints Go's time.Duration style", () => {
  for (const [ms, want] of [
    [250, "250ms"],
    [1000, "1s"],
    [1500, "1.5s"],
    [30_000, "30s"],
    [60_000, "1m0s"],
    [600_000, "10m0s"],
    [3_723_000, "1h2m3s"],
  ] as const) {
    assert.equal(goDuration(ms), want, String(ms));
  }
});

test("timeout and retryInterval default to the interval", () => {
  const spec = ks({ interval: "5m" }).spec as KustomizationSpec;
  assert.equal(intervalMs(spec), 300_000);
  assert.equal(timeoutMs(spec), 300_000);
  assert.equal(retryIntervalMs(spec), 300_000);
  const set = ks({ interval: "5m", timeout: "30s", retryInterval: "1m" }).spec as KustomizationSpec;
  assert.equal(timeoutMs(set), 30_000);
  assert.equal(retryIntervalMs(set), 60_000);
});

test("deletion policy decides whether the inventory is deleted", () => {
  const inv = { inventory: { entries: [{ id: "team_a__ConfigMap", v: "v1" }] } };
  for (const [spec, status, want] of [
    [{}, inv, true],
    [{ prune: false }, inv, false],
    [{ prune: false, deletionPolicy: "Delete" }, inv, true],
    [{ prune: false, deletionPolicy: "WaitForTermination" }, inv, true],
    [{ deletionPolicy: "Orphan" }, inv, false],
    [{ suspend: true }, inv, false],
    [{}, {}, false],
    [{ deletionPolicy: "Delete" }, { inventory: { entries: [] } }, false],
  ] as const) {
    assert.equal(shouldDeleteResources(ks(spec, status)), want, JSON.stringify([spec, status]));
  }
});

test("changeLog lists changed objects as Flux does (pruned reads deleted; unchanged and skipped left out)", () => {
  const e = (ref: string, action: ChangeSetEntry["action"]): ChangeSetEntry => ({
    ref,
    key: { group: "", kind: "ConfigMap", namespace: "team", name: ref },
    version: "v1",
    action,
  });
  assert.equal(
    changeLog([
      e("ConfigMap/team/a", "created"),
      e("ConfigMap/team/b", "unchanged"),
      e("ConfigMap/team/c", "configured"),
      e("ConfigMap/team/d", "pruned"),
      e("ConfigMap/team/e", "skipped"),
    ]),
    "ConfigMap/team/a created\nConfigMap/team/c configured\nConfigMap/team/d deleted",
  );
  assert.equal(changeLog([e("ConfigMap/team/b", "unchanged")]), "");
});

test("healthTargets: every applied object with wait, else healthChecks (namespace defaulted)", () => {
  const entries: ChangeSetEntry[] = [
    {
      ref: "Deployment/team/web",
      key: { group: "apps", kind: "Deployment", namespace: "team", name: "web" },
      version: "v1",
      action: "created",
    },
    {
      ref: "Namespace/x",
      key: { group: "", kind: "Namespace", namespace: "", name: "x" },
      version: "v1",
      action: "unchanged",
    },
  ];
  assert.deepEqual(healthTargets(ks({ wait: true }), entries), [
    { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "team" } },
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "x", namespace: undefined } },
  ]);
  assert.deepEqual(
    healthTargets(
      ks({
        healthChecks: [
          { apiVersion: "apps/v1", kind: "Deployment", name: "db" },
          { kind: "Service", name: "s", namespace: "o" },
        ],
      }),
      entries,
    ),
    [
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "db", namespace: "team" } },
      { apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "o" } },
    ],
  );
  assert.deepEqual(healthTargets(ks({}), entries), []);
  const self: ChangeSetEntry = {
    ref: "Kustomization/team/app",
    key: { group: "kustomize.toolkit.fluxcd.io", kind: "Kustomization", namespace: "team", name: "app" },
    version: "v1",
    action: "unchanged",
  };
  assert.equal(healthTargets(ks({ wait: true }), [self]).length, 0, "never waits on itself");
  assert.equal(healthTargets(ks({ healthChecks: [{ kind: "Kustomization", name: "app" }] }), []).length, 0);
});

test("source and dependency references default to the Kustomization's namespace", () => {
  assert.deepEqual(sourceRefOf(ks({})), { kind: "OCIRepository", namespace: "team", name: "src" });
  assert.deepEqual(
    sourceRefOf(ks({ sourceRef: { kind: "OCIRepository", name: "src", namespace: "flux-system" } })),
    { kind: "OCIRepository", namespace: "flux-system", name: "src" },
  );
  assert.deepEqual(
    dependencyKeys(ks({ dependsOn: [{ name: "infra" }, { name: "crds", namespace: "flux-system" }] })),
    ["team/infra", "flux-system/crds"],
  );
});

test("readyExpr: self and dep are the two Kustomizations; a parse error or a non-boolean stalls, a runtime error retries", () => {
  const self = ks({ dependsOn: [{ name: "infra" }] });
  const dep: KubeObject = {
    ...ks({}, { conditions: [{ type: "Ready", status: "True" }], observedGeneration: 3 }),
    metadata: { name: "infra", namespace: "team", generation: 3, labels: { tier: "base" } },
  };
  for (const [expr, want] of [
    ["dep.status.conditions.filter(c, c.type == 'Ready').all(c, c.status == 'True')", true],
    ["dep.metadata.generation == dep.status.observedGeneration", true],
    ["dep.metadata.labels.tier == 'apps'", false],
    ["self.metadata.namespace == dep.metadata.namespace && self.spec.prune", true],
  ] as const) {
    assert.equal(evalReadyExpr("team/app", expr, self, dep), want, expr);
  }
  assert.throws(
    () => evalReadyExpr("team/app", "dep.missing.field == 1", self, dep),
    (err: unknown) =>
      err instanceof KustomizationError && !err.stalled && err.reason === "DependencyNotReady",
    "a runtime error is retried",
  );
  for (const expr of ["dep.metadata.name ==", "dep.metadata.name"]) {
    assert.throws(
      () => evalReadyExpr("team/app", expr, self, dep),
      (err: unknown) =>
        err instanceof KustomizationError &&
        err.stalled &&
        err.reason === "InvalidCELExpression" &&
        /failed to evaluate dependency infra/.test(err.message),
      expr,
    );
  }
});

test("spec.path is relative to the artifact root; climbing out of it is refused", () => {
  for (const [path, want] of [
    [undefined, "."],
    ["", "."],
    ["./apps/prod", "apps/prod"],
    ["/apps/prod", "apps/prod"],
    ["//apps", "apps"],
    ["/", "."],
    ["apps/../infra", "infra"],
    ["..", undefined],
    ["../other", undefined],
    ["/../etc", undefined],
    ["apps/../../x", undefined],
  ] as const) {
    assert.equal(artifactPath(path), want, String(path));
  }
});

test("withStale keeps the previous inventory's entries the next one lacks (after a failed prune)", () => {
  const e = (id: string) => ({ id, v: "v1" });
  assert.deepEqual(
    withStale({ entries: [e("ns_b__ConfigMap")] }, { entries: [e("ns_a__ConfigMap"), e("ns_b__ConfigMap")] }),
    {
      entries: [e("ns_a__ConfigMap"), e("ns_b__ConfigMap")],
    },
  );
  assert.deepEqual(withStale({ entries: [e("ns_b__ConfigMap")] }, undefined), {
    entries: [e("ns_b__ConfigMap")],
  });
});

test("upsertHistory: same digest and outcome updates and moves first; new ones go first; at most five", () => {
  const t = (s: number) => new Date(Date.UTC(2026, 10, 25, 0, 0, s));
  let h = upsertHistory(undefined, "sha256:a", t(1), 1500, "ReconciliationSucceeded", { revision: "v1" });
  assert.deepEqual(h, [
    {
      digest: "sha256:a",
      firstReconciled: "2026-11-25T00:00:01Z",
      lastReconciled: "2026-11-25T00:00:01Z",
      lastReconciledDuration: "1.5s",
      lastReconciledStatus: "ReconciliationSucceeded",
      totalReconciliations: 1,
      metadata: { revision: "v1" },
    },
  ]);
  h = upsertHistory(h, "sha256:b", t(2), 200, "HealthCheckFailed", { revision: "v2" });
  h = upsertHistory(h, "sha256:a", t(3), 300, "ReconciliationSucceeded", { revision: "v1" });
  assert.deepEqual(
    h.map((s) => [
      s.digest,
      s.lastReconciledStatus,
      s.totalReconciliations,
      s.firstReconciled,
      s.lastReconciled,
    ]),
    [
      ["sha256:a", "ReconciliationSucceeded", 2, "2026-11-25T00:00:01Z", "2026-11-25T00:00:03Z"],
      ["sha256:b", "HealthCheckFailed", 1, "2026-11-25T00:00:02Z", "2026-11-25T00:00:02Z"],
    ],
  );
  // The same digest with another outcome is its own snapshot.
  h = upsertHistory(h, "sha256:a", t(4), 300, "PruneFailed", { revision: "v1" });
  assert.equal(h.length, 3);
  for (let i = 0; i < 10; i++)
    h = upsertHistory(h, `sha256:n${i}`, t(10 + i), 1, "ReconciliationSucceeded", {});
  assert.equal(h.length, 5);
  assert.equal(h[0]?.digest, "sha256:n9");
});

test("SOPS-encrypted Secrets are refused unless marked decrypt: disabled", () => {
  const secret = (extra: Record<string, unknown>, annotations?: Record<string, string>): KubeObject => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "s", namespace: "team", ...(annotations ? { annotations } : {}) },
    data: { k: "ENC[AES256_GCM,data:...]" },
    ...extra,
  });
  assert.doesNotThrow(() => refuseEncryptedSecrets("team/app", [secret({})]));
  assert.throws(
    () => refuseEncryptedSecrets("team/app", [secret({ sops: { version: "3.9" } })]),
    /Secret\/team\/s is SOPS encrypted, configuring decryption is required/,
  );
  assert.doesNotThrow(() =>
    refuseEncryptedSecrets("team/app", [
      secret({ sops: {} }, { "kustomize.toolkit.fluxcd.io/decrypt": "Disabled" }),
    ]),
  );
});

test("checkSpec: fields Ferry cannot honour stall with a message naming the field, never ignored", () => {
  const base = { interval: "10m", prune: true, sourceRef: { kind: "OCIRepository", name: "src" } };
  const table: Array<[string, Record<string, unknown>, RegExp | undefined]> = [
    ["plain", {}, undefined],
    ["kubeConfig", { kubeConfig: { secretRef: { name: "remote" } } }, /^spec\.kubeConfig is not supported/],
    [
      "ignore",
      { ignore: [{ paths: ["/spec/replicas"] }] },
      /^spec\.ignore is not supported.*ssa: IfNotPresent/,
    ],
    ["empty ignore", { ignore: [] }, undefined],
    ["decryption", { decryption: { provider: "sops" } }, /^spec\.decryption is not supported/],
    [
      "bad CEL",
      { healthCheckExprs: [{ apiVersion: "v1", kind: "ConfigMap", current: "x ==" }] },
      /configuration error/,
    ],
  ];
  for (const [name, extra, re] of table) {
    const spec = { ...base, ...extra } as unknown as KustomizationSpec;
    if (!re) {
      assert.doesNotThrow(() => checkSpec("ns/app", spec), name);
      continue;
    }
    assert.throws(
      () => checkSpec("ns/app", spec),
      (e: unknown) => e instanceof KustomizationError && e.stalled && re.test(e.message),
      name,
    );
  }
});

test("afterFailure: retry after the interval, none when stalled; a failed status write is thrown for a backoff retry", () => {
  assert.deepEqual(afterFailure(false, 60_000, undefined), { requeueAfterMs: 60_000 });
  assert.equal(afterFailure(true, 60_000, undefined), undefined);
  const down = new Error("cannot reach the Kubernetes API server");
  for (const stalled of [false, true]) {
    assert.throws(
      () => afterFailure(stalled, 60_000, down),
      (err) => err === down,
    );
  }
});
