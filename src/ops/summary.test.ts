import assert from "node:assert/strict";
import { test } from "node:test";
import type { KubeObject } from "../kube/index.ts";
import { KUSTOMIZATION, RESOURCE_SET } from "./kinds.ts";
import { matchesStatus, parseStatusSelector, summarize } from "./summary.ts";

const obj = (extra: Partial<KubeObject>): KubeObject => ({
  apiVersion: "x/v1",
  kind: "X",
  metadata: { name: "n", namespace: "ns", ...extra.metadata },
  ...extra,
});

test("status selectors compare type and status case-insensitively; no condition never matches", () => {
  const o = obj({
    status: {
      conditions: [
        { type: "Ready", status: "False" },
        { type: "Stalled", status: "True" },
      ],
    },
  });
  const cases: Array<[string, boolean]> = [
    ["ready=false", true],
    ["READY=False", true],
    ["ready=true", false],
    ["stalled=true", true],
    ["reconciling=true", false],
  ];
  for (const [s, want] of cases) assert.equal(matchesStatus(o, parseStatusSelector(s)), want, s);
  assert.equal(matchesStatus(obj({}), parseStatusSelector("ready=false")), false);
  assert.deepEqual(parseStatusSelector("ready=a=b"), { type: "ready", status: "a=b" });
  for (const bad of ["ready", "=true", ""]) assert.throws(() => parseStatusSelector(bad), /type=status/);
});

test("summaries: no Ready yet reads as flux does; suspension by spec or by annotation", () => {
  const fresh = summarize(KUSTOMIZATION, obj({ spec: { suspend: true } }));
  assert.deepEqual(
    [fresh.ready, fresh.message, fresh.suspended, fresh.revision],
    ["False", "waiting to be reconciled", true, ""],
  );
  const rs = summarize(
    RESOURCE_SET,
    obj({
      metadata: { name: "n", annotations: { "fluxcd.controlplane.io/reconcile": "Disabled" } },
      spec: { suspend: true },
      status: {
        lastAppliedRevision: "sha256:1",
        conditions: [{ type: "Ready", status: "True", message: "ok" }],
      },
    }),
  );
  assert.deepEqual([rs.ready, rs.message, rs.suspended, rs.revision], ["True", "ok", true, "sha256:1"]);
  assert.equal(summarize(RESOURCE_SET, obj({ spec: { suspend: true } })).suspended, false);
});
