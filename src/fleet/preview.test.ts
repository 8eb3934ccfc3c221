import assert from "node:assert/strict";
import { test } from "node:test";
import type { KubeObject } from "../kube/index.ts";
import { followsCandidate } from "./preview.ts";
import { digestOfRevision, repoKey, tagOfRevision } from "./revision.ts";

const D = `sha256:${"a".repeat(64)}`;
const OLD = `sha256:${"b".repeat(64)}`;
const candidate = { registry: "reg.example", repository: "fleet/apps", tag: "v1.2.0" };

function source(url: string, ref: Record<string, string>, revision?: string): KubeObject {
  return {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "OCIRepository",
    metadata: { name: "apps", namespace: "flux-system" },
    spec: { url, ref },
    ...(revision ? { status: { artifact: { revision } } } : {}),
  };
}

test("which OCIRepositories follow a promotion to the candidate", async (t) => {
  const cases: Array<{ name: string; src: KubeObject; channel?: string; next?: string }> = [
    {
      name: "the channel tag",
      src: source("oci://reg.example/fleet/apps", { tag: "latest-stable" }, `latest-stable@${OLD}`),
      channel: "latest-stable",
      next: `latest-stable@${D}`,
    },
    {
      name: "another tag",
      src: source("oci://reg.example/fleet/apps", { tag: "latest" }),
      channel: "latest-stable",
    },
    {
      name: "no ref follows latest",
      src: source("oci://reg.example/fleet/apps", {}),
      channel: "latest",
      next: `latest@${D}`,
    },
    {
      name: "another repository",
      src: source("oci://reg.example/fleet/other", { tag: "latest-stable" }),
      channel: "latest-stable",
    },
    {
      name: "another registry",
      src: source("oci://reg2.example/fleet/apps", { tag: "latest-stable" }),
      channel: "latest-stable",
    },
    {
      name: "a pinned digest",
      src: source("oci://reg.example/fleet/apps", { digest: OLD }),
      channel: "latest-stable",
    },
    {
      name: "a semver range the candidate satisfies, above what runs",
      src: source("oci://reg.example/fleet/apps", { semver: ">=1.0.0 <2.0.0" }, `v1.1.0@${OLD}`),
      next: `v1.2.0@${D}`,
    },
    {
      name: "a semver range, nothing fetched yet",
      src: source("oci://reg.example/fleet/apps", { semver: "1.x" }),
      next: `v1.2.0@${D}`,
    },
    {
      name: "a semver range whose current version is higher",
      src: source("oci://reg.example/fleet/apps", { semver: ">=1.0.0" }, `v1.3.0@${OLD}`),
    },
    {
      name: "a semver range the candidate misses",
      src: source("oci://reg.example/fleet/apps", { semver: "~2.0" }),
    },
    {
      name: "a semver filter the candidate misses",
      src: source("oci://reg.example/fleet/apps", { semver: ">=1.0.0", semverFilter: "-rc" }),
    },
    { name: "a broken constraint", src: source("oci://reg.example/fleet/apps", { semver: ">>1" }) },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const f = followsCandidate(c.src, candidate, D, c.channel);
      assert.equal(f?.next, c.next);
    });
  }
});

test("revision helpers", () => {
  assert.equal(digestOfRevision(`latest@${D}`), D);
  assert.equal(digestOfRevision(D), D);
  assert.equal(digestOfRevision("latest"), undefined);
  assert.equal(tagOfRevision(`v1.0.0@${D}`), "v1.0.0");
  assert.equal(tagOfRevision(D), undefined);
  assert.equal(repoKey("oci://reg.example/fleet/"), "reg.example/fleet");
});
