/** fleetVersions against the real (shared) registry, with cluster answers given as data. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { pushFiles } from "../controllers/ocirepository/testing.ts";
import { OciClient, parseReference } from "../oci/index.ts";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../oci/testing.ts";
import { tagArtifact } from "../publish/index.ts";
import type { FleetCluster } from "./clusters.ts";
import type { ClusterResult } from "./query.ts";
import type { ClusterStatus, SourceVersion } from "./status.ts";
import { fleetVersions, resolveFollowed } from "./versions.ts";

const signal = AbortSignal.timeout(120_000);
const oci = new OciClient();
let regs: SharedRegistries;
let repo: string;
const digests: Record<string, string> = {};

before(async () => {
  regs = await sharedRegistries();
  repo = `${regs.open}/${uniqueRepo("fleet-versions")}`;
  for (const tag of ["v1.0.0", "v1.1.0", "v1.2.0-rc.1", "v2.0.0"]) {
    digests[tag] = await pushFiles(oci, `${repo}:${tag}`, { "v.txt": tag }, signal);
  }
  await tagArtifact(oci, parseReference(`${repo}:v1.1.0`), ["latest-stable"], { signal });
});

after(async () => {
  await regs?.stop();
});

const cluster = (name: string): FleetCluster => ({ name, kubeconfig: "/k", labels: {}, origin: "fleet" });

function source(
  name: string,
  ref: SourceVersion["ref"],
  revision: string,
  url = `oci://${repo}`,
): SourceVersion {
  const digest = /(sha256:[0-9a-f]{64})$/.exec(revision)?.[1];
  return { namespace: "apps", name, url, ref, revision, digest, ready: "True", suspended: false };
}

function result(name: string, sources: SourceVersion[]): ClusterResult<ClusterStatus> {
  return {
    cluster: cluster(name),
    value: { counts: {}, problems: [], suspended: 0, sources, missingKinds: [], ready: true },
  };
}

test("each source's ref is resolved in the registry once; laggards are behind", async () => {
  const v = await fleetVersions(
    [
      result("a", [
        source("current", { tag: "latest-stable" }, `latest-stable@${digests["v1.1.0"]}`),
        source("semver", { semver: ">=1.0.0 <2.0.0" }, `v1.0.0@${digests["v1.0.0"]}`),
        source(
          "filtered",
          { semver: ">=1.0.0-0", semverFilter: "-rc" },
          `v1.2.0-rc.1@${digests["v1.2.0-rc.1"]}`,
        ),
        source("pinned", { digest: digests["v1.0.0"] }, digests["v1.0.0"] ?? ""),
        source("pending", { tag: "latest-stable" }, ""),
      ]),
      result("b", [
        source("behind", { tag: "latest-stable" }, `latest-stable@${digests["v1.0.0"]}`),
        source(
          "ghost",
          { tag: "latest" },
          `latest@${digests["v1.0.0"]}`,
          `oci://${regs.open}/${uniqueRepo("ghost")}`,
        ),
      ]),
      { cluster: cluster("down"), error: "cannot reach" },
    ],
    { signal, oci },
  );
  assert.deepEqual(v.clusters, ["a", "b", "down"]);
  const cells = v.rows.flatMap((r) =>
    r.cells.map((c) => [r.url === repo ? "repo" : "ghost", c.cluster, c.name, c.follows, c.state, c.latest]),
  );
  assert.deepEqual(cells, [
    ["repo", "a", "current", "latest-stable", "current", `latest-stable@${digests["v1.1.0"]}`],
    ["repo", "a", "semver", "semver:>=1.0.0 <2.0.0", "behind", `v1.1.0@${digests["v1.1.0"]}`],
    ["repo", "a", "filtered", "semver:>=1.0.0-0 (-rc)", "current", `v1.2.0-rc.1@${digests["v1.2.0-rc.1"]}`],
    ["repo", "a", "pinned", "digest", "pinned", undefined],
    ["repo", "a", "pending", "latest-stable", "pending", `latest-stable@${digests["v1.1.0"]}`],
    ["repo", "b", "behind", "latest-stable", "behind", `latest-stable@${digests["v1.1.0"]}`],
    ["ghost", "b", "ghost", "latest", "unknown", undefined],
  ]);
  const ghost = v.rows[1]?.cells[0];
  assert.equal(ghost?.name, "ghost");
  assert.match(ghost?.error ?? "", /not found|NAME_UNKNOWN|MANIFEST_UNKNOWN/i);

  const offline = await fleetVersions(
    [result("a", [source("current", { tag: "latest-stable" }, `latest-stable@${digests["v1.0.0"]}`)])],
    {
      signal,
    },
  );
  assert.equal(offline.rows[0]?.cells[0]?.state, "current");
});

test("a semver ref no tag satisfies is a clear error", async () => {
  await assert.rejects(
    resolveFollowed(oci, `oci://${repo}`, { semver: ">=3.0.0" }, signal),
    /no tag of .*fleet-versions-[0-9a-f]+ matches semver >=3\.0\.0/,
  );
});
