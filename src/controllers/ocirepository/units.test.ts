import assert from "node:assert/strict";
import { test } from "node:test";
import { markReconciling } from "../../runtime/index.ts";
import { referencedSecrets } from "./controller.ts";
import { OCIRepositoryError } from "./errors.ts";
import { storeKey } from "./fetch.ts";
import { durationMs, failureConditions, sameLayerSelector } from "./status.ts";

test("durationMs reads the Go durations the CRD accepts", () => {
  const table: Array<[string | undefined, number | undefined]> = [
    ["10m", 600_000],
    ["1h30m", 5_400_000],
    ["500ms", 500],
    ["1.5s", 1500],
    ["60s", 60_000],
    ["", undefined],
    [undefined, undefined],
    ["10", undefined],
    ["5m junk", undefined],
    ["1d", undefined],
  ];
  for (const [text, ms] of table) assert.equal(durationMs(text), ms, String(text));
});

test("storeKey: the digest alone, or with a variant when ignore or layerSelector change the content", () => {
  const d = `sha256:${"a".repeat(64)}`;
  assert.equal(storeKey(d, undefined, undefined), `sha256-${"a".repeat(64)}`);
  const withIgnore = storeKey(d, "*.md", undefined);
  assert.match(withIgnore, /^sha256-a{64}-[0-9a-f]{12}$/);
  assert.notEqual(withIgnore, storeKey(d, "*.txt", undefined));
  assert.notEqual(withIgnore, storeKey(d, undefined, { operation: "copy" }));
  assert.equal(storeKey(d, "*.md", undefined), withIgnore);
});

test("sameLayerSelector compares presence and fields as source-controller does", () => {
  assert.ok(sameLayerSelector(undefined, undefined));
  assert.ok(!sameLayerSelector({}, undefined));
  assert.ok(sameLayerSelector({ mediaType: "x", operation: "copy" }, { mediaType: "x", operation: "copy" }));
  assert.ok(!sameLayerSelector({ mediaType: "x" }, { mediaType: "x", operation: "copy" }));
});

test("referencedSecrets lists the pull secret, verification keys and trusted root", () => {
  assert.deepEqual(
    referencedSecrets({
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "OCIRepository",
      metadata: { name: "a" },
      spec: {
        secretRef: { name: "pull" },
        verify: { secretRef: { name: "keys" }, trustedRootSecretRef: { name: "root" } },
      },
    }),
    ["pull", "keys", "root"],
  );
});

test("failureConditions: the failing condition, Ready=False with its reason, Reconciling kept as ProgressingWithRetry", () => {
  const start = markReconciling(undefined, 2, "Progressing", "processing object: new generation 1 -> 2");
  const fetch = failureConditions(
    start,
    2,
    new OCIRepositoryError(
      "ns/a",
      "FetchFailed",
      "OCIArtifactPullFailed",
      "failed to determine artifact digest: x",
    ),
  );
  assert.deepEqual(
    fetch.map((c) => [c.type, c.status, c.reason]),
    [
      ["Ready", "False", "OCIArtifactPullFailed"],
      ["Reconciling", "True", "ProgressingWithRetry"],
      ["FetchFailed", "True", "OCIArtifactPullFailed"],
    ],
  );
  const verify = failureConditions(
    undefined,
    3,
    new OCIRepositoryError("ns/a", "SourceVerified", "VerificationError", "no signature", { stalled: true }),
  );
  assert.deepEqual(
    verify.map((c) => [c.type, c.status, c.reason]),
    [
      ["Ready", "False", "VerificationError"],
      ["Stalled", "True", "VerificationError"],
      ["SourceVerified", "False", "VerificationError"],
    ],
  );
});
