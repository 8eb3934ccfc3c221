import assert from "node:assert/strict";
import { test } from "node:test";
import type { ClusterDrift } from "./drift.ts";
import { formatDrift, formatPreview } from "./format-changes.ts";
import { clusterReady, formatFailing, formatStatus, formatVersions } from "./format-status.ts";
import type { FleetPreview } from "./preview.ts";
import type { ClusterResult } from "./query.ts";
import { shortRevision } from "./revision.ts";
import type { ClusterStatus } from "./status.ts";
import { oneLine, table } from "./table.ts";
import type { FleetVersions } from "./versions.ts";

const D1 = `sha256:${"1a2b3c4d5e6f".padEnd(64, "0")}`;
const D2 = `sha256:${"9f8e7d6c5b4a".padEnd(64, "1")}`;
const cluster = (name: string) => ({
  name,
  kubeconfig: `/k/${name}`,
  labels: {},
  origin: "kubeconfig" as const,
});

const healthy: ClusterStatus = {
  instance: {
    namespace: "flux-system",
    name: "flux",
    source: "oci://reg.example/fleet",
    ref: "latest",
    revision: `latest@${D1}`,
    distribution: `v2.7.0@${D2}`,
    ready: "True",
    message: "",
  },
  counts: {
    Kustomization: { ready: 3, total: 3 },
    ResourceSet: { ready: 1, total: 1 },
    OCIRepository: { ready: 3, total: 3 },
  },
  problems: [],
  suspended: 0,
  lastApplied: "2026-11-25T02:00:00Z",
  sources: [],
  missingKinds: [],
  ready: true,
};

const failing: ClusterStatus = {
  ...healthy,
  instance: { ...healthy.instance!, ref: "latest-stable", revision: `latest-stable@${D2}` },
  counts: { ...healthy.counts, Kustomization: { ready: 2, total: 3 } },
  problems: [
    {
      kind: "Kustomization",
      namespace: "podinfo",
      name: "podinfo",
      ready: "False",
      reason: "HealthCheckFailed",
      message: "health check failed after 5m0s: Deployment/podinfo/podinfo is not Ready",
    },
  ],
  suspended: 1,
  ready: false,
};

const results: ClusterResult<ClusterStatus>[] = [
  { cluster: cluster("staging"), value: healthy },
  { cluster: cluster("production"), value: failing },
  {
    cluster: cluster("dead"),
    error:
      "cannot reach the Kubernetes API server at https://127.0.0.1:1 (connect ECONNREFUSED 127.0.0.1:1); check the kubeconfig and that the cluster is running",
    errorName: "KubeConnectionError",
  },
];

test("revisions are shortened to 12 hex digits", () => {
  assert.equal(shortRevision(`latest@${D1}`), "latest@sha256:1a2b3c4d5e6f");
  assert.equal(shortRevision(D2), "sha256:9f8e7d6c5b4a");
  assert.equal(shortRevision("main@sha1:0123456789abcdef0123456789abcdef01234567"), "main@sha1:0123456789ab");
  assert.equal(shortRevision("v1.0.0"), "v1.0.0");
});

test("tables align columns, paint without moving them, fold messages", () => {
  const plain = table(
    ["a", "bb"],
    [
      ["xxx", "y"],
      ["z", { text: "w", color: "red" }],
    ],
  );
  assert.equal(plain, "A     BB\nxxx   y\nz     w\n");
  const colored = table(["a", "bb"], [[{ text: "x", color: "red" }, "y"]], { color: true });
  assert.equal(colored, "A   BB\n\u001b[31mx\u001b[39m   y\n");
  assert.equal(oneLine("a\n  b", 120), "a b");
  assert.equal(oneLine("abcdef", 4), "abc…");
});

test("status: a row per cluster, then what is not Ready", () => {
  assert.equal(
    formatStatus(results),
    [
      "CLUSTER      READY   SOURCE                            REVISION                            KUSTOMIZATIONS   RESOURCESETS   SOURCES   SUSPENDED   LAST APPLIED           MESSAGE",
      "staging      True    reg.example/fleet:latest          latest@sha256:1a2b3c4d5e6f          3/3              1/1            3/3       0           2026-11-25T02:00:00Z",
      "production   False   reg.example/fleet:latest-stable   latest-stable@sha256:9f8e7d6c5b4a   2/3              1/1            3/3       1           2026-11-25T02:00:00Z   1 failing",
      "dead         False   -                                 -                                   -                -              -         -           -                      cannot reach the Kubernetes API server at https://127.0.0.1:1 (connect ECONNREFUSED 127.0.0.1:1); check the kubeconfig …",
      "",
      "CLUSTER      KIND            NAMESPACE   NAME      READY   REASON              MESSAGE",
      "production   Kustomization   podinfo     podinfo   False   HealthCheckFailed   health check failed after 5m0s: Deployment/podinfo/podinfo is not Ready",
      "",
    ].join("\n"),
  );
  assert.deepEqual(results.map(clusterReady), [true, false, false]);
});

test("status --failing: objects and unreachable clusters, or one line when all is well", () => {
  const out = formatFailing(results);
  assert.match(out, /^CLUSTER {6}KIND {12}NAMESPACE/);
  assert.match(out, /\nproduction {3}Kustomization {3}podinfo {5}podinfo {3}False {3}HealthCheckFailed/);
  assert.match(out, /\ndead {9}Cluster {9}- {11}dead {6}False {3}KubeConnectionError {3}cannot reach/);
  assert.equal(formatFailing([results[0]!]), "no failing objects on 1 cluster\n");
});

test("versions: matrix of source × cluster, laggards marked and explained", () => {
  const v: FleetVersions = {
    clusters: ["staging", "production", "dead"],
    rows: [
      {
        url: "reg.example/fleet",
        cells: [
          {
            cluster: "staging",
            namespace: "flux-system",
            name: "flux-system",
            follows: "latest",
            revision: `latest@${D2}`,
            digest: D2,
            latest: `latest@${D2}`,
            state: "current",
          },
          {
            cluster: "production",
            namespace: "flux-system",
            name: "flux-system",
            follows: "latest-stable",
            revision: `latest-stable@${D1}`,
            digest: D1,
            latest: `latest-stable@${D2}`,
            state: "behind",
          },
        ],
      },
      {
        url: "reg.example/fleet/podinfo",
        cells: [
          {
            cluster: "staging",
            namespace: "podinfo",
            name: "podinfo",
            follows: "semver:>=1.0.0",
            revision: "",
            state: "pending",
          },
        ],
      },
    ],
  };
  assert.equal(
    formatVersions(v, results),
    [
      "SOURCE                      staging                         production                                   dead",
      "reg.example/fleet           latest@sha256:9f8e7d6c5b4a      latest-stable@sha256:1a2b3c4d5e6f (behind)   ?",
      "reg.example/fleet/podinfo   (semver:>=1.0.0: not fetched)   -                                            ?",
      "",
      "production: OCIRepository flux-system/flux-system (reg.example/fleet, follows latest-stable) runs latest-stable@sha256:1a2b3c4d5e6f, the registry has latest-stable@sha256:9f8e7d6c5b4a",
      "dead: cannot reach the Kubernetes API server at https://127.0.0.1:1 (connect ECONNREFUSED 127.0.0.1:1); check the kubeconfig and that the cluster is running",
      "",
    ].join("\n"),
  );
});

test("drift: a row per drifted object, diffs on request, one line when clean", () => {
  const drift: ClusterResult<ClusterDrift>[] = [
    {
      cluster: cluster("staging"),
      value: {
        kustomizations: [
          {
            namespace: "podinfo",
            name: "podinfo",
            revision: `latest@${D1}`,
            drifted: [
              {
                ref: "ConfigMap/podinfo/settings",
                action: "changed",
                paths: [".data.value"],
                diff: "--- live\n+++ desired\n@@ -1 +1 @@\n-a\n+b\n",
              },
              { ref: "Service/podinfo/podinfo", action: "added" },
            ],
          },
          { namespace: "redis", name: "redis", revision: "", drifted: [], error: "kustomize build failed" },
        ],
      },
    },
  ];
  const out = formatDrift(drift, { diff: true });
  assert.equal(
    out,
    [
      "CLUSTER   KUSTOMIZATION     OBJECT                       DRIFT     PATHS",
      "staging   podinfo/podinfo   ConfigMap/podinfo/settings   changed   .data.value",
      "staging   podinfo/podinfo   Service/podinfo/podinfo      missing",
      "staging   redis/redis       -                            error     kustomize build failed",
      "",
      "staging Kustomization podinfo/podinfo (latest@sha256:1a2b3c4d5e6f):",
      "  ~ ConfigMap/podinfo/settings changed (.data.value)",
      "      --- live",
      "      +++ desired",
      "      @@ -1 +1 @@",
      "      -a",
      "      +b",
      "",
    ].join("\n"),
  );
  const clean: ClusterResult<ClusterDrift>[] = [
    {
      cluster: cluster("a"),
      value: { kustomizations: [{ namespace: "x", name: "y", revision: "", drifted: [] }] },
    },
    {
      cluster: cluster("b"),
      value: {
        kustomizations: [{ namespace: "x", name: "z", revision: "", drifted: [], skipped: "suspended" }],
      },
    },
  ];
  assert.equal(formatDrift(clean), "no drift in 1 Kustomization on 2 clusters\n");
});

test("preview: summary table per cluster and Kustomization, then each change", () => {
  const p: FleetPreview = {
    candidate: "reg.example/fleet:v1.1.0",
    digest: D2,
    tag: "latest-stable",
    clusters: [
      {
        cluster: cluster("production"),
        value: {
          followers: [
            {
              namespace: "flux-system",
              name: "flux-system",
              follows: "latest-stable",
              revision: `latest-stable@${D1}`,
              next: `latest-stable@${D2}`,
            },
          ],
          kustomizations: [
            {
              namespace: "flux-system",
              name: "flux-system",
              source: "flux-system/flux-system",
              from: `latest-stable@${D1}`,
              to: `latest-stable@${D2}`,
              suspended: false,
              changes: [
                { ref: "ConfigMap/apps/new", action: "added" },
                {
                  ref: "Deployment/apps/web",
                  action: "changed",
                  paths: [".spec.replicas"],
                  diff: "--- live\n+++ desired\n@@ -1 +1 @@\n-  replicas: 1\n+  replicas: 2\n",
                },
                { ref: "ConfigMap/apps/old", action: "removed" },
              ],
            },
            {
              namespace: "apps",
              name: "broken",
              source: "flux-system/flux-system",
              from: "",
              to: `latest-stable@${D2}`,
              suspended: false,
              changes: [],
              error: "kustomize build of /x failed: missing resource",
            },
          ],
        },
      },
      { cluster: cluster("staging"), value: { followers: [], kustomizations: [] } },
      {
        cluster: cluster("dead"),
        error: "cluster dead did not answer within 2s; check that it is reachable, or raise --timeout",
      },
    ],
  };
  assert.equal(
    formatPreview(p),
    [
      "candidate reg.example/fleet:v1.1.0 (sha256:9f8e7d6c5b4a) as latest-stable",
      "",
      "CLUSTER      KUSTOMIZATION             FROM                                TO                                  ADDED   CHANGED   REMOVED   MESSAGE",
      "production   flux-system/flux-system   latest-stable@sha256:1a2b3c4d5e6f   latest-stable@sha256:9f8e7d6c5b4a   1       1         1",
      "production   apps/broken               -                                   latest-stable@sha256:9f8e7d6c5b4a   -       -         -         kustomize build of /x failed: missing resource",
      "staging      -                         -                                   -                                   -       -         -         does not follow latest-stable",
      "dead         -                         -                                   -                                   -       -         -         cluster dead did not answer within 2s; check that it is reachable, or raise --timeout",
      "",
      "production Kustomization flux-system/flux-system:",
      "  + ConfigMap/apps/new added",
      "  ~ Deployment/apps/web changed (.spec.replicas)",
      "      --- live",
      "      +++ desired",
      "      @@ -1 +1 @@",
      "      -  replicas: 1",
      "      +  replicas: 2",
      "  - ConfigMap/apps/old removed",
      "",
      "3 changes, 1 render error, 1 cluster not checked",
      "",
    ].join("\n"),
  );
});
