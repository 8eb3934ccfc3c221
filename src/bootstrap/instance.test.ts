import assert from "node:assert/strict";
import { test } from "node:test";
import type { KubeObject } from "../kube/index.ts";
import { dockerConfigJson, registryHost, subsetEqual, withSyncAccount } from "./bootstrap.ts";

const instance = (spec: Record<string, unknown>): KubeObject =>
  ({
    apiVersion: "fluxcd.controlplane.io/v1",
    kind: "FluxInstance",
    metadata: { name: "flux", namespace: "flux-system" },
    spec,
  }) as KubeObject;

test("withSyncAccount: the sync Kustomization of a multitenant instance runs as the controller", () => {
  const cases: Array<{ name: string; spec: Record<string, unknown>; patched: boolean }> = [
    {
      name: "multitenant",
      spec: { cluster: { multitenant: true }, sync: { kind: "OCIRepository" } },
      patched: true,
    },
    {
      name: "single tenant",
      spec: { cluster: { multitenant: false }, sync: { kind: "OCIRepository" } },
      patched: false,
    },
    { name: "no sync", spec: { cluster: { multitenant: true } }, patched: false },
    {
      name: "already patched",
      spec: {
        cluster: { multitenant: true },
        sync: { kind: "OCIRepository" },
        kustomize: { patches: [{ target: { kind: "Kustomization", name: "flux-system" }, patch: "x" }] },
      },
      patched: false,
    },
  ];
  for (const c of cases) {
    const inst = instance(c.spec);
    const out = withSyncAccount(inst);
    const patches = (out.spec as { kustomize?: { patches?: Array<{ patch: string; target: unknown }> } })
      .kustomize?.patches;
    if (!c.patched) {
      assert.equal(out, inst, c.name);
      continue;
    }
    assert.deepEqual(patches?.[0]?.target, { kind: "Kustomization", name: "flux-system" }, c.name);
    assert.match(patches?.[0]?.patch ?? "", /value: kustomize-controller/, c.name);
    assert.equal((inst.spec as { kustomize?: unknown }).kustomize, undefined, "input not changed");
  }
});

test("subsetEqual compares only what was sent", () => {
  const cases: Array<[unknown, unknown, boolean]> = [
    [{ a: 1 }, { a: 1, b: 2 }, true],
    [{ a: { b: [1, 2] } }, { a: { b: [1, 2], c: 3 } }, true],
    [{ a: [1] }, { a: [1, 2] }, false],
    [{ a: "1" }, { a: 1 }, false],
    [{ a: { b: 1 } }, { a: null }, false],
    [{ a: 1 }, undefined, false],
  ];
  for (const [want, have, eq] of cases)
    assert.equal(subsetEqual(want, have), eq, JSON.stringify([want, have]));
});

test("dockerConfigJson and registryHost", () => {
  assert.equal(registryHost("oci://127.0.0.1:5000/ferry/fleet"), "127.0.0.1:5000");
  const cfg = JSON.parse(dockerConfigJson("ghcr.io", "u", "p:w")) as {
    auths: Record<string, { auth: string }>;
  };
  assert.equal(Buffer.from(cfg.auths["ghcr.io"]!.auth, "base64").toString(), "u:p:w");
});
