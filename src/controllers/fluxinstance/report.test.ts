/** Unit tests of the FluxReport computation (pure: objects in, spec out). */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { KubeObject } from "../../kube/index.ts";
import { computeReport, formatSize } from "./report.ts";
import { FERRY_VERSION } from "./status.ts";

const KS = "kustomize.toolkit.fluxcd.io/v1";
const OCI = "source.toolkit.fluxcd.io/v1";

function obj(
  apiVersion: string,
  kind: string,
  name: string,
  o: {
    spec?: Record<string, unknown>;
    ready?: [string, string, string?];
    size?: number;
    namespace?: string;
  } = {},
): KubeObject {
  const [status, reason, message] = o.ready ?? [];
  return {
    apiVersion,
    kind,
    metadata: { name, namespace: o.namespace ?? "flux-system" },
    spec: o.spec ?? {},
    status: {
      ...(status ? { conditions: [{ type: "Ready", status, reason, message: message ?? "" }] } : {}),
      ...(o.size !== undefined ? { artifact: { size: o.size } } : {}),
    },
  };
}

test("formatSize prints flux-operator's units", () => {
  const table: Array<[number, string]> = [
    [0, ""],
    [512, "512 B"],
    [1536, "1.5 KiB"],
    [3 * 1024 * 1024, "3.0 MiB"],
    [5 * 1024 ** 3, "5.0 GiB"],
  ];
  for (const [n, text] of table) assert.equal(formatSize(n), text, String(n));
});

test("reconciler stats: suspended wins over failing, DependencyNotReady is not failing, sizes add up", () => {
  const spec = computeReport({
    namespace: "flux-system",
    instances: [],
    objects: new Map([
      [
        `${KS}/Kustomization`,
        [
          obj(KS, "Kustomization", "a", { ready: ["True", "ReconciliationSucceeded"] }),
          obj(KS, "Kustomization", "b", { ready: ["False", "BuildFailed"] }),
          obj(KS, "Kustomization", "c", { ready: ["False", "DependencyNotReady"] }),
          obj(KS, "Kustomization", "d", { ready: ["False", "BuildFailed"], spec: { suspend: true } }),
        ],
      ],
      [
        `${OCI}/OCIRepository`,
        [
          obj(OCI, "OCIRepository", "x", { ready: ["True", "Succeeded"], size: 1024 }),
          obj(OCI, "OCIRepository", "y", { ready: ["True", "Succeeded"], size: 512 }),
        ],
      ],
    ]),
  });
  const stats = Object.fromEntries(spec.reconcilers?.map((r) => [r.kind, r.stats]) ?? []);
  assert.deepEqual(stats.Kustomization, { running: 3, failing: 1, suspended: 1 });
  assert.deepEqual(stats.OCIRepository, { running: 2, failing: 0, suspended: 0, totalSize: "1.5 KiB" });
  assert.deepEqual(stats.ResourceSet, { running: 0, failing: 0, suspended: 0 });
  assert.equal(spec.distribution.status, "Not Installed");
  assert.equal(spec.distribution.version, `v${FERRY_VERSION}`);
  assert.equal(spec.sync, undefined, "no sync Kustomization, no sync status");
});

test("sync status: the Kustomization named after the instance's sync, its source URL and failure", () => {
  const instance: KubeObject = {
    apiVersion: "fluxcd.controlplane.io/v1",
    kind: "FluxInstance",
    metadata: { name: "flux", namespace: "flux-system" },
    spec: { sync: { name: "fleet" } },
  };
  const table: Array<{
    ks: KubeObject;
    src?: KubeObject;
    want: Record<string, unknown>;
  }> = [
    {
      ks: obj(KS, "Kustomization", "fleet", {
        spec: { path: "clusters/prod", sourceRef: { kind: "OCIRepository", name: "fleet" } },
        ready: ["True", "ReconciliationSucceeded", "Applied revision: latest@sha256:abc"],
      }),
      src: obj(OCI, "OCIRepository", "fleet", {
        spec: { url: "oci://r/fleet" },
        ready: ["True", "Succeeded"],
      }),
      want: {
        id: "kustomization/fleet",
        path: "clusters/prod",
        ready: true,
        status: "Applied revision: latest@sha256:abc",
        source: "oci://r/fleet",
      },
    },
    {
      ks: obj(KS, "Kustomization", "fleet", {
        spec: { path: "p", sourceRef: { kind: "OCIRepository", name: "fleet" }, suspend: true },
        ready: ["True", "ReconciliationSucceeded", "Applied"],
      }),
      src: obj(OCI, "OCIRepository", "fleet", {
        spec: { url: "oci://r/fleet" },
        ready: ["False", "VerificationError", "no matching signatures"],
      }),
      want: {
        id: "kustomization/fleet",
        path: "p",
        ready: false,
        status: "Suspended Applied\nno matching signatures",
        source: "oci://r/fleet",
      },
    },
    {
      ks: obj(KS, "Kustomization", "fleet", { spec: { path: "p" } }),
      want: { id: "kustomization/fleet", path: "p", ready: false, status: "not initialized" },
    },
  ];
  for (const { ks, src, want } of table) {
    const spec = computeReport({
      namespace: "flux-system",
      instances: [instance],
      objects: new Map([
        [`${KS}/Kustomization`, [ks]],
        [`${OCI}/OCIRepository`, src ? [src] : []],
      ]),
    });
    assert.deepEqual(spec.sync, want);
    assert.equal(spec.distribution.status, "Installed");
  }
});
