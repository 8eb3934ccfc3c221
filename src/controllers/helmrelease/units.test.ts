/** Unit tests of release naming (expected hashes computed with sha256sum), targetPath setting and durations. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { HelmRelease } from "../../api/index.ts";
import type { Chart } from "../../helm/index.ts";
import { releaseNameOf, shortenName } from "./names.ts";
import { withSourceDigest } from "./source.ts";
import { durationMs } from "./status.ts";
import { setPath } from "./values.ts";

const spec = (s: Partial<HelmRelease["spec"]>) => ({ interval: "5m", ...s }) as HelmRelease["spec"];

describe("release names", () => {
  const cases: [string, Partial<HelmRelease["spec"]>, string][] = [
    ["podinfo", {}, "podinfo"],
    ["podinfo", { targetNamespace: "apps" }, "apps-podinfo"],
    ["podinfo", { releaseName: "custom", targetNamespace: "apps" }, "custom"],
    [
      "a-helmrelease-name-long-enough-to-need-hashing",
      { targetNamespace: "some-target-namespace" },
      "some-target-namespace-a-helmrelease-name-2490707b755e",
    ],
  ];
  for (const [name, s, want] of cases) {
    it(`${name} ${JSON.stringify(s)} → ${want}`, () => assert.equal(releaseNameOf(name, spec(s)), want));
  }
  it("hashes names past 53 characters to exactly 53", () => {
    const n = shortenName("x".repeat(80));
    assert.equal(n.length, 53);
    assert.match(n, /^x{40}-[0-9a-f]{12}$/);
    assert.equal(shortenName("y".repeat(53)), "y".repeat(53));
  });
});

describe("setPath", () => {
  it("creates maps on the way and keeps the input", () => {
    const v = { a: { keep: 1 } };
    assert.deepEqual(setPath(v, "a.b.c", 2), { a: { keep: 1, b: { c: 2 } } });
    assert.deepEqual(v, { a: { keep: 1 } });
  });
  it("honours escaped dots", () => {
    assert.deepEqual(setPath({}, "annotations.example\\.com/x", "y"), {
      annotations: { "example.com/x": "y" },
    });
  });
});

describe("durations", () => {
  for (const [d, ms] of [
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["90s", 90_000],
    ["250ms", 250],
    [undefined, 42],
  ] as const) {
    it(`${d} → ${ms}`, () => assert.equal(durationMs(d, 42), ms));
  }
});

describe("chart version with the OCI digest", () => {
  const digest = `sha256:${"0123456789abcdef".repeat(4)}`;
  const chart = (version: string) =>
    ({
      metadata: { apiVersion: "v2", name: "c", version },
      values: {},
      templates: [],
      files: [],
      dependencies: [],
    }) as Chart;
  const cases: [string, string, string][] = [
    ["1.2.3", `1.2.3@${digest}`, "1.2.3+0123456789ab"],
    ["v1.2.3", `v1.2.3@${digest}`, "1.2.3+0123456789ab"],
    ["1.2.3-rc.1", `latest@${digest}`, "1.2.3-rc.1+0123456789ab"],
    ["1.2.3+old", digest, "1.2.3+0123456789ab"],
  ];
  for (const [version, revision, want] of cases) {
    it(`${version} from ${revision.slice(0, 20)}… → ${want}`, () => {
      const c = chart(version);
      assert.equal(withSourceDigest("ns/hr", c, revision), digest);
      assert.equal(c.metadata.version, want);
    });
  }
  it("refuses a semver tag that is not the chart's version", () => {
    assert.throws(
      () => withSourceDigest("ns/hr", chart("1.2.3"), `1.2.4@${digest}`),
      /artifact revision 1\.2\.4 does not match chart version 1\.2\.3/,
    );
  });
});
