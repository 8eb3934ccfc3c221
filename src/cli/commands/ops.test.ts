/**
 * `ferry get/tree/reconcile/suspend/resume` against a real API server with the Flux CRDs installed. No
 * reconciler runs: the tests write status themselves, and a small loop plays the reconciler (it copies
 * `reconcile.fluxcd.io/requestedAt` to `status.lastHandledReconcileAt` and sets Ready).
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { installCRDs } from "../../agent/index.ts";
import { createTestNamespace, type TestCluster, testCluster } from "../../dev/testing.ts";
import {
  createObject,
  getObject,
  KubeClient,
  type KubeObject,
  loadKubeConfig,
  mergePatchObject,
} from "../../kube/index.ts";
import { runCli } from "../testing.ts";
import { parseTimeout } from "./ops-flags.ts";

const signal = AbortSignal.timeout(300_000);
let cluster: TestCluster;
let client: KubeClient;
let env: Record<string, string>;
const disposers: Array<() => Promise<void>> = [];

before(async () => {
  cluster = await testCluster({ signal });
  client = new KubeClient(loadKubeConfig({ path: cluster.kubeconfig }));
  await installCRDs(client, { signal });
  env = { KUBECONFIG: cluster.kubeconfig };
});

after(async () => {
  for (const d of disposers) await d().catch(() => {});
  client?.close();
  await cluster?.release();
});

async function namespace(prefix: string): Promise<string> {
  const ns = await createTestNamespace(cluster, prefix, signal);
  disposers.push(ns.dispose);
  return ns.name;
}

const API = {
  OCIRepository: "source.toolkit.fluxcd.io/v1",
  Kustomization: "kustomize.toolkit.fluxcd.io/v1",
  ResourceSet: "fluxcd.controlplane.io/v1",
  ResourceSetInputProvider: "fluxcd.controlplane.io/v1",
  FluxInstance: "fluxcd.controlplane.io/v1",
  HelmRelease: "helm.toolkit.fluxcd.io/v2",
} as const;
type Kind = keyof typeof API;

const SPECS: Record<Kind, Record<string, unknown>> = {
  OCIRepository: { url: "oci://registry.example/app", interval: "10m" },
  Kustomization: {
    interval: "10m",
    prune: true,
    path: "./",
    sourceRef: { kind: "OCIRepository", name: "app" },
  },
  ResourceSet: { resources: [] },
  ResourceSetInputProvider: { type: "Static" },
  FluxInstance: { distribution: { version: "2.x", registry: "ghcr.io/fluxcd" } },
  HelmRelease: { interval: "10m", chartRef: { kind: "OCIRepository", name: "chart" } },
};

const header = (kind: Kind, ns: string, name: string) => ({
  apiVersion: API[kind],
  kind,
  metadata: { name, namespace: ns },
});

async function create(
  kind: Kind,
  ns: string,
  name: string,
  opts: {
    spec?: Record<string, unknown>;
    annotations?: Record<string, string>;
    status?: Record<string, unknown>;
  } = {},
): Promise<void> {
  const obj: KubeObject = {
    ...header(kind, ns, name),
    metadata: { name, namespace: ns, ...(opts.annotations ? { annotations: opts.annotations } : {}) },
    spec: { ...SPECS[kind], ...opts.spec },
  };
  await createObject(client, obj, { signal });
  if (opts.status) await setStatus(kind, ns, name, opts.status);
}

async function setStatus(
  kind: Kind,
  ns: string,
  name: string,
  status: Record<string, unknown>,
): Promise<void> {
  await mergePatchObject(client, header(kind, ns, name), { status }, { signal, subresource: "status" });
}

const ready = (
  status: "True" | "False",
  message: string,
  reason = status === "True" ? "Succeeded" : "Failed",
) => ({
  conditions: [{ type: "Ready", status, reason, message, lastTransitionTime: "2026-01-01T00:00:00Z" }],
});

/**
 * Plays the reconciler for one object until stopped: whenever requestedAt differs from
 * lastHandledReconcileAt (and the object is not suspended), writes the outcome.
 */
function simulate(
  kind: Kind,
  ns: string,
  name: string,
  outcome: { ready: "True" | "False"; message: string; revision?: string },
): () => void {
  const ac = new AbortController();
  const sig = AbortSignal.any([ac.signal, signal]);
  void (async () => {
    while (!sig.aborted) {
      const o = await getObject(client, header(kind, ns, name), { signal: sig }).catch(() => undefined);
      const at = o?.metadata.annotations?.["reconcile.fluxcd.io/requestedAt"];
      const st = (o?.status ?? {}) as { lastHandledReconcileAt?: string };
      const suspended =
        (o?.spec as { suspend?: boolean } | undefined)?.suspend === true ||
        o?.metadata.annotations?.["fluxcd.controlplane.io/reconcile"] === "disabled";
      if (o && at && at !== st.lastHandledReconcileAt && !suspended) {
        const revisionField =
          kind === "OCIRepository"
            ? { artifact: { revision: outcome.revision ?? "" } }
            : kind === "ResourceSetInputProvider"
              ? { lastExportedRevision: outcome.revision ?? "" }
              : { lastAppliedRevision: outcome.revision ?? "" };
        await setStatus(kind, ns, name, {
          ...ready(outcome.ready, outcome.message),
          ...(outcome.revision ? revisionField : {}),
          lastHandledReconcileAt: at,
        }).catch(() => {});
      }
      await sleep(50, undefined, { signal: sig }).catch(() => {});
    }
  })();
  return () => ac.abort();
}

describe("get", () => {
  let ns: string;
  before(async () => {
    ns = await namespace("ops-get");
    await create("OCIRepository", ns, "app", {
      status: {
        ...ready("True", "stored artifact for digest 'latest@sha256:abc'"),
        artifact: { revision: "latest@sha256:abc" },
      },
    });
    await create("Kustomization", ns, "apps", {
      spec: { suspend: true },
      status: { ...ready("False", "kustomize build failed"), lastAppliedRevision: "latest@sha256:old" },
    });
    await create("Kustomization", ns, "infra", {
      status: {
        ...ready("True", "Applied revision: latest@sha256:abc"),
        lastAppliedRevision: "latest@sha256:abc",
      },
    });
    await create("ResourceSet", ns, "tenants", {
      annotations: { "fluxcd.controlplane.io/reconcile": "disabled" },
      status: { ...ready("True", "Reconciliation finished in 1s"), lastAppliedRevision: "sha256:r1" },
    });
    await create("ResourceSetInputProvider", ns, "inputs", {
      status: { ...ready("True", "Reconciliation finished"), lastExportedRevision: "sha256:e1" },
    });
    await create("FluxInstance", ns, "flux"); // no status yet
    await create("HelmRelease", ns, "podinfo", {
      status: {
        ...ready(
          "True",
          "Helm install succeeded for release podinfo/podinfo.v1 with chart podinfo@6.7.0+0123456789ab",
        ),
        history: [
          { chartName: "podinfo", chartVersion: "6.7.0+0123456789ab", version: 1, status: "deployed" },
        ],
        lastAttemptedRevision: "6.7.0+0123456789ab",
      },
    });
    await create("HelmRelease", ns, "pending", {
      spec: { suspend: true },
      status: { ...ready("False", "install retries exhausted"), lastAttemptedRevision: "1.0.0" },
    });
  });

  test("the OCIRepository table is flux's, columns padded and tab-separated", async () => {
    const r = await runCli(["get", "sources", "oci", "-n", ns], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      "NAME\tREVISION         \tSUSPENDED\tREADY\tMESSAGE\n" +
        "app \tlatest@sha256:abc\tFalse    \tTrue \tstored artifact for digest 'latest@sha256:abc'\n",
    );
  });

  test("each kind prints its revision, suspension and readiness", async () => {
    const cases: Array<{ args: string[]; rows: string[][] }> = [
      {
        args: ["get", "ks"],
        rows: [
          ["apps", "latest@sha256:old", "True", "False", "kustomize build failed"],
          ["infra", "latest@sha256:abc", "False", "True", "Applied revision: latest@sha256:abc"],
        ],
      },
      {
        args: ["get", "rset"],
        rows: [["tenants", "sha256:r1", "True", "True", "Reconciliation finished in 1s"]],
      },
      { args: ["get", "rsip"], rows: [["inputs", "sha256:e1", "False", "True", "Reconciliation finished"]] },
      { args: ["get", "instance"], rows: [["flux", "", "False", "False", "waiting to be reconciled"]] },
      {
        args: ["get", "hr"],
        rows: [
          ["pending", "1.0.0", "True", "False", "install retries exhausted"],
          [
            "podinfo",
            "6.7.0+0123456789ab",
            "False",
            "True",
            "Helm install succeeded for release podinfo/podinfo.v1 with chart podinfo@6.7.0+0123456789ab",
          ],
        ],
      },
      {
        args: ["get", "ocirepositories", "app"],
        rows: [
          ["app", "latest@sha256:abc", "False", "True", "stored artifact for digest 'latest@sha256:abc'"],
        ],
      },
    ];
    for (const c of cases) {
      const args = c.args[1] === "ocirepositories" ? ["get", "sources", ...c.args.slice(1)] : c.args;
      const r = await runCli([...args, "-n", ns], { env });
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trimEnd().split("\n");
      assert.deepEqual(
        lines[0]?.split("\t").map((s) => s.trim()),
        ["NAME", "REVISION", "SUSPENDED", "READY", "MESSAGE"],
      );
      assert.deepEqual(
        lines.slice(1).map((l) => l.split("\t").map((s) => s.trim())),
        c.rows,
        args.join(" "),
      );
    }
  });

  test("-o json and -o yaml give the summaries; -A puts NAMESPACE first", async () => {
    const j = await runCli(["get", "ks", "-n", ns, "-o", "json"], { env });
    assert.equal(j.code, 0, j.stderr);
    assert.deepEqual(JSON.parse(j.stdout)[0], {
      kind: "Kustomization",
      namespace: ns,
      name: "apps",
      revision: "latest@sha256:old",
      suspended: true,
      ready: "False",
      message: "kustomize build failed",
    });
    const y = await runCli(["get", "rset", "-n", ns, "-o", "yaml"], { env });
    assert.match(y.stdout, /name: tenants\n/);
    const a = await runCli(["get", "ks", "-A"], { env });
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /^NAMESPACE\s*\tNAME/);
    assert.ok(a.stdout.split("\n").some((l) => l.startsWith(`${ns}\tapps`) || l.startsWith(`${ns} `)));
    const h = await runCli(["get", "ks", "-n", ns, "--no-header"], { env });
    assert.match(h.stdout, /^apps/);
  });

  test("--status-selector filters on a condition, case-insensitively", async () => {
    const r = await runCli(["get", "ks", "-n", ns, "--status-selector", "ready=false"], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.stdout
        .trimEnd()
        .split("\n")
        .slice(1)
        .map((l) => l.split("\t")[0]?.trim()),
      ["apps"],
    );
    const bad = await runCli(["get", "ks", "-n", ns, "--status-selector", "ready"], { env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /type=status/);
  });

  test("get all prints one table per kind with kind/name", async () => {
    const r = await runCli(["get", "all", "-n", ns], { env });
    assert.equal(r.code, 0, r.stderr);
    for (const n of [
      "ocirepository/app",
      "kustomization/apps",
      "kustomization/infra",
      "resourceset/tenants",
      "resourcesetinputprovider/inputs",
      "fluxinstance/flux",
      "helmrelease/podinfo",
    ]) {
      assert.ok(r.stdout.includes(`${n} `) || r.stdout.includes(`${n}\t`), `${n} in:\n${r.stdout}`);
    }
    assert.equal(r.stdout.match(/^NAME/gm)?.length, 6);
    const sources = await runCli(["get", "sources", "all", "-n", ns], { env });
    assert.equal(sources.code, 0, sources.stderr);
    assert.match(sources.stdout, /^NAME\s*\tREVISION.*\nocirepository\/app\s*\tlatest@sha256:abc\t/);
    assert.doesNotMatch(sources.stdout, /kustomization/);
    const failing = await runCli(["get", "all", "-n", ns, "--status-selector", "ready=false"], { env });
    assert.doesNotMatch(failing.stdout, /infra/);
    assert.match(failing.stdout, /kustomization\/apps/);
  });

  test("a missing name is an error that hints at -n; an empty namespace says so", async () => {
    const r = await runCli(["get", "ks", "nope", "-n", ns], { env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`Kustomization "nope" not found in namespace "${ns}".*-n NAMESPACE`));
    const any = await runCli(["get", "sources", "oci", "nope", "-A"], { env });
    assert.equal(any.code, 1);
    assert.match(
      any.stderr,
      /OCIRepository "nope" not found in any namespace; check the name \(ferry get source oci -A/,
    );
    const empty = await namespace("ops-empty");
    const e = await runCli(["get", "rset", "-n", empty], { env });
    assert.equal(e.code, 0);
    assert.equal(e.stdout, "");
    assert.match(e.stderr, new RegExp(`no ResourceSet objects found in "${empty}" namespace`));
  });

  test("an unreachable cluster and a bad output format are clear errors", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ferry-ops-"));
    try {
      const text = await readFile(cluster.kubeconfig, "utf8");
      const kc = join(dir, "kubeconfig");
      await writeFile(kc, text.replace(/server: .*/g, "server: https://127.0.0.1:1"));
      const r = await runCli(["get", "ks", "--kubeconfig", kc], { env: {} });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /cannot reach the Kubernetes API server at https:\/\/127\.0\.0\.1:1/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const o = await runCli(["get", "ks", "-n", ns, "-o", "wide"], { env });
    assert.equal(o.code, 2);
    assert.match(o.stderr, /--output wide is not supported/);
  });
});

describe("tree", () => {
  test("a nested inventory expands Kustomizations and ResourceSets; -o json has flux's shape", async () => {
    const ns = await namespace("ops-tree");
    const inv = (ids: string[]) => ({ inventory: { entries: ids.map((id) => ({ id, v: "v1" })) } });
    await create("Kustomization", ns, "root", {
      status: inv([
        `_${ns}__Namespace`,
        `${ns}_root_kustomize.toolkit.fluxcd.io_Kustomization`,
        `${ns}_child_kustomize.toolkit.fluxcd.io_Kustomization`,
        `${ns}_tenants_fluxcd.controlplane.io_ResourceSet`,
        `${ns}_gone_kustomize.toolkit.fluxcd.io_Kustomization`,
      ]),
    });
    await create("Kustomization", ns, "child", {
      status: inv([`${ns}_web_apps_Deployment`, `${ns}_web_core_Service`.replace("_core_", "__")]),
    });
    await create("ResourceSet", ns, "tenants", { status: inv([`${ns}_team-a__ConfigMap`]) });
    const r = await runCli(["tree", "ks", "root", "-n", ns], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      [
        `Kustomization/${ns}/root`,
        `├── Namespace/${ns}`,
        `├── Kustomization/${ns}/child`,
        `│   ├── Deployment/${ns}/web`,
        `│   └── Service/${ns}/web`,
        `├── ResourceSet/${ns}/tenants`,
        `│   └── ConfigMap/${ns}/team-a`,
        `└── Kustomization/${ns}/gone`,
        "",
      ].join("\n"),
    );
    const j = await runCli(["tree", "kustomization", "root", "-n", ns, "-o", "json"], { env });
    assert.equal(j.code, 0, j.stderr);
    const t = JSON.parse(j.stdout);
    assert.deepEqual(t.resource, {
      Namespace: ns,
      Name: "root",
      GroupKind: { Group: "kustomize.toolkit.fluxcd.io", Kind: "Kustomization" },
    });
    assert.equal(t.resources.length, 4);
    assert.deepEqual(t.resources[1].resources[0].resource.GroupKind, { Group: "apps", Kind: "Deployment" });
    assert.equal(t.resources[0].resources, undefined);
    const rs = await runCli(["tree", "rset", "tenants", "-n", ns], { env });
    assert.equal(rs.stdout, `ResourceSet/${ns}/tenants\n└── ConfigMap/${ns}/team-a\n`);
    const missing = await runCli(["tree", "ks", "nope", "-n", ns], { env });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Kustomization "nope" not found/);
  });
});

describe("reconcile", () => {
  test("--with-source reconciles the OCIRepository, then the Kustomization, printing flux's lines", async () => {
    const ns = await namespace("ops-rec");
    await create("OCIRepository", ns, "app");
    await create("Kustomization", ns, "apps");
    const stops = [
      simulate("OCIRepository", ns, "app", {
        ready: "True",
        message: "stored",
        revision: "latest@sha256:new",
      }),
      simulate("Kustomization", ns, "apps", {
        ready: "True",
        message: "applied",
        revision: "latest@sha256:new",
      }),
    ];
    try {
      const r = await runCli(["reconcile", "kustomization", "apps", "-n", ns, "--with-source"], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        r.stderr,
        [
          `► annotating OCIRepository app in ${ns} namespace`,
          "✔ OCIRepository annotated",
          "◎ waiting for OCIRepository reconciliation",
          "✔ OCIRepository reconciliation completed",
          "✔ fetched revision latest@sha256:new",
          `► annotating Kustomization apps in ${ns} namespace`,
          "✔ Kustomization annotated",
          "◎ waiting for Kustomization reconciliation",
          "✔ Kustomization reconciliation completed",
          "✔ applied revision latest@sha256:new",
          "",
        ].join("\n"),
      );
      const live = await getObject(client, header("Kustomization", ns, "apps"), { signal });
      const at = live?.metadata.annotations?.["reconcile.fluxcd.io/requestedAt"] ?? "";
      assert.match(at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
      assert.equal(((live?.status ?? {}) as { lastHandledReconcileAt?: string }).lastHandledReconcileAt, at);
      // A second request writes a new value and waits for it again.
      const again = await runCli(["reconcile", "source", "oci", "app", "-n", ns], { env });
      assert.equal(again.code, 0, again.stderr);
    } finally {
      for (const s of stops) s();
    }
  });

  test("flux-operator kinds: ResourceSet, ResourceSetInputProvider and FluxInstance", async () => {
    const ns = await namespace("ops-rec-op");
    const cases: Array<{ kind: Kind; cmd: string; line: RegExp }> = [
      { kind: "ResourceSet", cmd: "resourceset", line: /✔ applied revision sha256:1\n/ },
      { kind: "ResourceSetInputProvider", cmd: "rsip", line: /✔ exported revision sha256:1\n/ },
      { kind: "FluxInstance", cmd: "instance", line: /✔ applied revision sha256:1\n/ },
    ];
    for (const c of cases) {
      await create(c.kind, ns, "x");
      const stop = simulate(c.kind, ns, "x", { ready: "True", message: "ok", revision: "sha256:1" });
      try {
        const r = await runCli(["reconcile", c.cmd, "x", "-n", ns], { env });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, c.line);
      } finally {
        stop();
      }
    }
  });

  test("Ready=False after the request exits 1 with ✗ and the reason", async () => {
    const ns = await namespace("ops-rec-fail");
    await create("Kustomization", ns, "apps");
    const stop = simulate("Kustomization", ns, "apps", { ready: "False", message: "kustomize build failed" });
    try {
      const r = await runCli(["reconcile", "ks", "apps", "-n", ns], { env });
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        new RegExp(`✗ Kustomization/${ns}/apps reconciliation failed: Failed: kustomize build failed\\n$`),
      );
    } finally {
      stop();
    }
  });

  test("no reconciler: --timeout ends the wait with ✗ and exit 1; suspended and missing objects are errors", async () => {
    const ns = await namespace("ops-rec-to");
    await create("Kustomization", ns, "apps", { status: ready("True", "old") });
    await create("Kustomization", ns, "paused", { spec: { suspend: true } });
    await create("OCIRepository", ns, "paused-src", { spec: { suspend: true } });
    const src = await runCli(["reconcile", "source", "oci", "paused-src", "-n", ns], { env });
    assert.equal(src.code, 1);
    assert.match(src.stderr, /resume it first \(ferry resume source oci paused-src -n /);
    const r = await runCli(["reconcile", "ks", "apps", "-n", ns, "--timeout", "1s"], { env });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /✗ timed out after 1s waiting for Kustomization\/.*\/apps to be reconciled \(the reconciler has not handled/,
    );
    const s = await runCli(["reconcile", "ks", "paused", "-n", ns], { env });
    assert.equal(s.code, 1);
    assert.match(s.stderr, /is suspended; resume it first \(ferry resume kustomization paused -n /);
    const m = await runCli(["reconcile", "ks", "nope", "-n", ns], { env });
    assert.equal(m.code, 1);
    assert.match(m.stderr, /Kustomization "nope" not found in namespace/);
    const bad = await runCli(["reconcile", "ks", "apps", "-n", ns, "--timeout", "soon"], { env });
    assert.equal(bad.code, 2);
  });
});

describe("suspend and resume", () => {
  test("toolkit kinds use spec.suspend; resume waits for the reconcile", async () => {
    const ns = await namespace("ops-sus");
    await create("Kustomization", ns, "apps", { status: ready("True", "ok") });
    const s = await runCli(["suspend", "ks", "apps", "-n", ns], { env });
    assert.equal(s.code, 0, s.stderr);
    assert.equal(s.stderr, `► suspending Kustomization apps in ${ns} namespace\n✔ Kustomization suspended\n`);
    let live = await getObject(client, header("Kustomization", ns, "apps"), { signal });
    assert.equal(((live?.spec ?? {}) as { suspend?: boolean }).suspend, true);
    const g = await runCli(["get", "ks", "-n", ns, "-o", "json"], { env });
    assert.equal(JSON.parse(g.stdout)[0].suspended, true);
    const stop = simulate("Kustomization", ns, "apps", { ready: "True", message: "ok", revision: "v2" });
    try {
      const r = await runCli(["resume", "ks", "apps", "-n", ns], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stderr,
        /✔ Kustomization resumed\n◎ waiting for Kustomization reconciliation\n.*\n✔ applied revision v2\n$/,
      );
    } finally {
      stop();
    }
    live = await getObject(client, header("Kustomization", ns, "apps"), { signal });
    assert.equal(((live?.spec ?? {}) as { suspend?: boolean }).suspend, false);
  });

  test("flux-operator kinds use the reconcile annotation; --all covers the namespace", async () => {
    const ns = await namespace("ops-sus-op");
    await create("ResourceSet", ns, "a");
    await create("ResourceSet", ns, "b");
    const s = await runCli(["suspend", "rset", "--all", "-n", ns], { env });
    assert.equal(s.code, 0, s.stderr);
    for (const n of ["a", "b"]) {
      const live = await getObject(client, header("ResourceSet", ns, n), { signal });
      assert.equal(live?.metadata.annotations?.["fluxcd.controlplane.io/reconcile"], "disabled");
      assert.equal(((live?.spec ?? {}) as { suspend?: unknown }).suspend, undefined);
    }
    const g = await runCli(["get", "rset", "-n", ns, "-o", "json"], { env });
    assert.deepEqual(
      JSON.parse(g.stdout).map((x: { suspended: boolean }) => x.suspended),
      [true, true],
    );
    const stops = ["a", "b"].map((n) =>
      simulate("ResourceSet", ns, n, { ready: "True", message: "ok", revision: "r" }),
    );
    try {
      const r = await runCli(["resume", "resourceset", "--all", "-n", ns], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr.match(/✔ applied revision r\n/g)?.length, 2);
    } finally {
      for (const st of stops) st();
    }
    const live = await getObject(client, header("ResourceSet", ns, "a"), { signal });
    assert.equal(live?.metadata.annotations?.["fluxcd.controlplane.io/reconcile"], "enabled");
    const nw = await runCli(["resume", "rset", "a", "-n", ns, "--no-wait"], { env });
    assert.equal(nw.code, 0, nw.stderr);
    assert.doesNotMatch(nw.stderr, /waiting/);
  });

  test("a name and --all together, neither, or a missing object are errors", async () => {
    const ns = await namespace("ops-sus-err");
    const both = await runCli(["suspend", "ks", "x", "--all", "-n", ns], { env });
    assert.equal(both.code, 2);
    const none = await runCli(["suspend", "ks", "-n", ns], { env });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /needs a Kustomization name, or --all/);
    const missing = await runCli(["suspend", "source", "oci", "nope", "-n", ns], { env });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /OCIRepository "nope" not found in namespace/);
  });
});

test("parseTimeout reads Go-style durations", () => {
  const cases: Array<[string, number]> = [
    ["5m", 300_000],
    ["30s", 30_000],
    ["1m30s", 90_000],
    ["500ms", 500],
    ["1h", 3_600_000],
    ["1.5s", 1500],
  ];
  for (const [text, ms] of cases) assert.equal(parseTimeout(text), ms, text);
  for (const bad of ["", "5", "m", "5x", "0s", "-1s"])
    assert.throws(() => parseTimeout(bad), /not a duration/, bad);
});
