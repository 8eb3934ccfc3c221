/**
 * `ferry fleet` against real parts (see fleet-testing.ts): the shared cluster with an in-process agent, one
 * extra cluster of this file's own, the shared registry, and two clusters that cannot answer (a refused
 * port, a socket that never replies). Covers status (incl. missing CRDs), versions with a cluster behind its
 * tag, drift after a hand edit, and the promotion preview (added/changed/removed with a diff, render error,
 * unknown repository, no follower, signature check).
 */
import assert from "node:assert/strict";
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { parse } from "yaml";
import { reconcileSource } from "../../controllers/kustomization/testing.ts";
import { apply } from "../../controllers/ocirepository/testing.ts";
import type { TestCluster } from "../../dev/testing.ts";
import { getObject, type KubeClient, type KubeObject, mergePatchObject } from "../../kube/index.ts";
import { type SharedRegistries, uniqueRepo } from "../../oci/testing.ts";
import { generateKeyPair } from "../../sign/index.ts";
import { runCli } from "../testing.ts";
import { type FleetFixture, seedTenant, startFleetFixture } from "./fleet-testing.ts";

const signal = AbortSignal.timeout(600_000);
let fixture: FleetFixture | undefined;
let shared: TestCluster;
let regs: SharedRegistries;
let kube: KubeClient;
let extraKube: KubeClient;
let dir: string;
let ns: string;
let repo: string;
let v1: string;
let v11: string;
let env: Record<string, string>;
let fleetFile: string;
let beforeCRDs: { code: number; stdout: string };

before(async () => {
  fixture = await startFleetFixture(signal);
  ({ shared, regs, kube, extraKube, dir, ns, repo, v1, v11, env, fleetFile, beforeCRDs } = fixture);
});

after(async () => {
  await fixture?.stop();
});

/**
 * `fleet status` once the shared cluster's Kustomization is Ready: the agent re-reconciles now and then
 * (a retry scheduled before the source was ready, an informer re-list), showing Ready=Unknown meanwhile.
 */
async function settled(args: string[]): Promise<Awaited<ReturnType<typeof runCli>>> {
  let r = await runCli(args, { env });
  for (let i = 0; i < 120 && !/\nshared +True /.test(r.stdout); i++) {
    await sleep(500);
    r = await runCli(args, { env });
  }
  return r;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const short = (d: string) => d.slice(0, "sha256:".length + 12);
const both = () => ["--fleet", fleetFile, "--context", "shared", "--context", "extra", "-n", ns];

async function liveValue(name: string): Promise<string | undefined> {
  const o = await getObject(
    kube,
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns } },
    { signal },
  );
  return (o?.data as Record<string, string> | undefined)?.value;
}

test("status: a cluster without the CRDs is a row with its error", () => {
  assert.equal(beforeCRDs.code, 1);
  assert.match(beforeCRDs.stdout, /^CLUSTER +READY/);
  assert.match(beforeCRDs.stdout, /\nfleet-extra +False .*serves none of the Flux kinds/);
});

test("status: one row per cluster, the failing objects, exit 1 for an unreachable or unready cluster", async () => {
  const r = await settled(["fleet", "status", "--fleet", fleetFile, "-n", ns]);
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stdout.split("\n");
  assert.match(
    lines[0] ?? "",
    /^CLUSTER +READY +SOURCE +REVISION +KUSTOMIZATIONS +RESOURCESETS +SOURCES +SUSPENDED +LAST APPLIED +MESSAGE$/,
  );
  assert.match(lines[1] ?? "", /^shared +True +- +- +1\/1 +0\/0 +1\/1 +0 +\d{4}-\d\d-\d\dT/);
  assert.match(
    lines[2] ?? "",
    new RegExp(
      `^extra +False +${esc(repo)}:latest-stable +latest-stable@${short(v1)} +1/2 +0/0 +1/1 +0 +2026-11-25T02:00:00Z +1 failing$`,
    ),
  );
  assert.match(
    lines[3] ?? "",
    /^dead +False .*cannot reach the Kubernetes API server at https:\/\/127\.0\.0\.1:\d+/,
  );
  assert.match(
    r.stdout,
    new RegExp(
      `\\nextra +Kustomization +${ns} +broken +False +ArtifactFailed +Source 'OCIRepository/x/gone' not found\\n`,
    ),
  );

  const ok = await settled(["fleet", "status", "--fleet", fleetFile, "--context", "shared", "-n", ns]);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);

  const failing = await runCli(
    ["fleet", "status", "--fleet", fleetFile, "-n", ns, "--failing", "-o", "json"],
    {
      env,
    },
  );
  assert.equal(failing.code, 1);
  const doc = JSON.parse(failing.stdout) as {
    clusters: Array<{ name: string; reachable: boolean; error?: string; status?: { problems: unknown[] } }>;
  };
  assert.deepEqual(
    doc.clusters.map((c) => [c.name, c.reachable]),
    [
      ["extra", true],
      ["dead", false],
    ],
  );
  assert.deepEqual(doc.clusters[0]?.status?.problems, [
    {
      kind: "Kustomization",
      namespace: ns,
      name: "broken",
      ready: "False",
      reason: "ArtifactFailed",
      message: "Source 'OCIRepository/x/gone' not found",
    },
  ]);

  const prod = await runCli(
    ["fleet", "status", "--fleet", fleetFile, "-l", "env=production", "-n", ns, "--failing"],
    {
      env,
    },
  );
  assert.doesNotMatch(prod.stdout, /\nshared /);
});

test("status: a cluster that never answers times out as a row", async () => {
  const r = await runCli(["fleet", "status", "--kubeconfig", join(dir, "hung.yaml"), "--timeout", "1s"], {
    env,
  });
  assert.equal(r.code, 1);
  assert.match(
    r.stdout,
    /\nc +False .*cluster c did not answer within 1s; check that it is reachable, or raise --timeout/,
  );
});

test("versions: what runs where, then a tag move leaves both clusters behind", async () => {
  const r = await runCli(["fleet", "versions", ...both()], { env });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(
    r.stdout.split("\n")[1]?.replace(/ +/g, " "),
    `${repo} latest-stable@${short(v1)} latest-stable@${short(v1)}`,
  );

  const withDead = await runCli(["fleet", "versions", "--fleet", fleetFile, "-n", ns], { env });
  assert.equal(withDead.code, 1);
  assert.match(withDead.stdout, /\ndead: cannot reach/);

  const moved = await runCli(["tag", "artifact", `oci://${repo}:v1.1.0`, "--tag", "latest-stable"], { env });
  assert.equal(moved.code, 0, moved.stderr);
  try {
    const behind = await runCli(["fleet", "versions", ...both(), "-o", "json"], { env });
    assert.equal(behind.code, 1);
    const doc = JSON.parse(behind.stdout) as {
      sources: Array<{ url: string; cells: Array<Record<string, string>> }>;
    };
    assert.equal(doc.sources[0]?.url, repo);
    assert.deepEqual(
      doc.sources[0]?.cells.map((c) => [c.cluster, c.state, c.revision, c.latest]),
      [
        ["shared", "behind", `latest-stable@${v1}`, `latest-stable@${v11}`],
        ["extra", "behind", `latest-stable@${v1}`, `latest-stable@${v11}`],
      ],
    );
    const text = await runCli(["fleet", "versions", ...both()], { env });
    assert.match(text.stdout, new RegExp(`latest-stable@${short(v1)} \\(behind\\)`));
    assert.match(
      text.stdout,
      new RegExp(
        `\\nshared: OCIRepository ${ns}/app \\(${repo}, follows latest-stable\\) runs latest-stable@${short(v1)}, the registry has latest-stable@${short(v11)}`,
      ),
    );
  } finally {
    const back = await runCli(["tag", "artifact", `oci://${repo}:v1.0.0`, "--tag", "latest-stable"], { env });
    assert.equal(back.code, 0, back.stderr);
  }
});

test("preview: added, changed with a diff, removed per cluster; nothing is written", async () => {
  const r = await runCli(["fleet", "preview", `oci://${repo}:v1.1.0`, "--tag", "latest-stable", ...both()], {
    env,
  });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`^candidate ${repo}:v1\\.1\\.0 \\(${short(v11)}\\) as latest-stable\\n`));
  assert.match(
    r.stdout,
    new RegExp(`\\nshared +${ns}/app +latest-stable@${short(v1)} +latest-stable@${short(v11)} +1 +1 +1\\n`),
  );
  assert.match(
    r.stdout,
    new RegExp(`\\nextra +${ns}/app +latest-stable@${short(v1)} +latest-stable@${short(v11)} +2 +0 +0\\n`),
  );
  const sharedPart = r.stdout.slice(r.stdout.indexOf(`\nshared Kustomization ${ns}/app:`));
  assert.match(sharedPart, new RegExp(`\\+ ConfigMap/${ns}/new added`));
  assert.match(sharedPart, new RegExp(`~ ConfigMap/${ns}/settings changed \\(\\.data\\.value\\)`));
  assert.match(sharedPart, /\n {6}- {2}value: one\n {6}\+ {2}value: two\n/);
  assert.match(sharedPart, new RegExp(`- ConfigMap/${ns}/old removed`));
  assert.match(r.stdout, /\n5 changes\n$/);
  assert.equal(await liveValue("settings"), "one");
  assert.equal(await liveValue("new"), undefined);

  const json = await runCli(
    ["fleet", "preview", `oci://${repo}:v1.1.0`, "--tag", "latest-stable", ...both(), "-o", "json"],
    { env },
  );
  const doc = JSON.parse(json.stdout) as {
    digest: string;
    clusters: Array<{
      name: string;
      followers: unknown[];
      kustomizations: Array<{ changes: Array<{ ref: string; action: string }> }>;
    }>;
  };
  assert.equal(doc.digest, v11);
  assert.deepEqual(
    doc.clusters[1]?.kustomizations[0]?.changes.map((c) => [c.action, c.ref]),
    [
      ["added", `ConfigMap/${ns}/new`],
      ["added", `ConfigMap/${ns}/settings`],
    ],
  );
});

test("preview: an unreachable cluster or a render error exits 3", async () => {
  const withDead = await runCli(
    ["fleet", "preview", `oci://${repo}:v1.1.0`, "--tag", "latest-stable", "--fleet", fleetFile, "-n", ns],
    { env },
  );
  assert.equal(withDead.code, 3);
  assert.match(withDead.stdout, /\n5 changes, 1 cluster not checked\n$/);

  const broken = await runCli(
    ["fleet", "preview", `oci://${repo}:v1.2.0`, "--tag", "latest-stable", ...both()],
    {
      env,
    },
  );
  assert.equal(broken.code, 3, broken.stdout + broken.stderr);
  assert.match(
    broken.stdout,
    new RegExp(
      `\\nshared +${ns}/app +.* - +- +- +kustomize build of ${esc(repo)}@sha256:[0-9a-f]{12}:deploy failed: `,
    ),
  );
  assert.match(
    broken.stdout,
    new RegExp(
      `\\nshared Kustomization ${ns}/app: error: kustomize build of .*deploy failed: .*missing\\.yaml`,
    ),
  );
  assert.match(broken.stdout, /\n0 changes, 2 render errors\n$/);
});

test("preview: an unknown repository is an error; a tag nobody follows changes nothing", async () => {
  const unknown = await runCli(
    [
      "fleet",
      "preview",
      `oci://${regs.open}/${uniqueRepo("nope")}:v1.0.0`,
      "--tag",
      "latest-stable",
      ...both(),
    ],
    { env },
  );
  assert.equal(unknown.code, 1);
  assert.match(
    unknown.stderr,
    /^error: candidate .*nope-[0-9a-f]+:v1\.0\.0 was not found in the registry; push it first/,
  );

  const nobody = await runCli(["fleet", "preview", `oci://${repo}:v1.1.0`, "--tag", "latest", ...both()], {
    env,
  });
  assert.equal(nobody.code, 0, nobody.stdout + nobody.stderr);
  assert.match(nobody.stdout, /\nshared +- .* does not follow latest\n/);

  const bad = await runCli(["fleet", "preview", `oci://${repo}`, ...both()], { env });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /preview needs the candidate as oci:\/\/host\/repo:vX\.Y\.Z/);
});

test("drift: a hand edit shows as changed with its diff, until it is put back", async () => {
  const clean = await runCli(["fleet", "drift", "--fleet", fleetFile, "--context", "shared", "-n", ns], {
    env,
  });
  assert.equal(clean.code, 0, clean.stdout + clean.stderr);
  assert.equal(clean.stdout, "no drift in 1 Kustomization on 1 cluster\n");

  const cm = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "settings", namespace: ns },
  } as KubeObject;
  const args = ["fleet", "drift", "--fleet", fleetFile, "--context", "shared", "-n", ns, "--diff"];
  try {
    // An agent reconcile between the edit and the check would revert it: edit again then.
    let r: Awaited<ReturnType<typeof runCli>> | undefined;
    for (let i = 0; i < 5 && r?.code !== 1; i++) {
      await mergePatchObject(kube, cm, { data: { value: "hand" } }, { signal });
      r = await runCli(args, { env });
    }
    assert.ok(r);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`\\nshared +${ns}/app +ConfigMap/${ns}/settings +changed +\\.data\\.value\\n`),
    );
    assert.match(r.stdout, /\n {6}- {2}value: hand\n {6}\+ {2}value: one\n/);
    // The extra cluster never applied anything: its objects are missing.
    const extraDrift = await runCli(
      ["fleet", "drift", "--fleet", fleetFile, "--context", "extra", "-n", ns],
      {
        env,
      },
    );
    assert.equal(extraDrift.code, 1);
    assert.match(extraDrift.stdout, new RegExp(`\\nextra +${ns}/app +ConfigMap/${ns}/old +missing`));
  } finally {
    await mergePatchObject(kube, cm, { data: { value: "one" } }, { signal });
  }
});

test("preview: --verify-key refuses an unsigned candidate and names a verified one", async () => {
  const pair = await generateKeyPair("fleet-pw", { signal });
  await writeFile(join(dir, "cosign.key"), pair.privateKey);
  await writeFile(join(dir, "cosign.pub"), pair.publicKey);
  const args = ["fleet", "preview", `oci://${repo}:v1.1.0`, "--tag", "latest-stable", ...both()];
  const unsigned = await runCli([...args, "--verify-key", join(dir, "cosign.pub")], { env });
  assert.equal(unsigned.code, 1);
  assert.match(unsigned.stderr, /^error: .*signature/);
  assert.equal(unsigned.stdout, "");

  const signed = await runCli(["sign", "--key", join(dir, "cosign.key"), `oci://${repo}@${v11}`], {
    env: { ...env, COSIGN_PASSWORD: "fleet-pw" },
  });
  assert.equal(signed.code, 0, signed.stderr);
  const ok = await runCli([...args, "--verify-key", join(dir, "cosign.pub")], { env });
  assert.equal(ok.code, 1, ok.stderr);
  assert.match(ok.stderr, /^Verified .*\n {2}signed by public key /);
  assert.match(ok.stdout, /\n5 changes\n$/);
});

test("status: without --kubeconfig or --fleet the local dev clusters are the fleet", async () => {
  const devDir = join(dir, "dev");
  await mkdir(join(devDir, "clusters", "staging"), { recursive: true });
  await copyFile(shared.kubeconfig, join(devDir, "clusters", "staging", "kubeconfig"));
  const r = await runCli(["fleet", "status", "-n", ns, "-o", "yaml"], {
    env: { ...env, FERRY_DEV_DIR: devDir },
  });
  // Ready or not depends on the agent's timing here: the point is which clusters were asked.
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  const doc = parse(r.stdout) as {
    clusters: Array<{
      name: string;
      ready: boolean;
      status: { sources: Array<{ url: string; revision: string }> };
    }>;
  };
  assert.deepEqual(
    doc.clusters.map((c) => [c.name, c.status.sources.map((s) => [s.url, s.revision])]),
    [["staging", [[`oci://${repo}`, `latest-stable@${v1}`]]]],
  );
  const none = await runCli(["fleet", "status"], { env: { ...env, FERRY_DEV_DIR: join(dir, "no-dev") } });
  assert.equal(none.code, 2);
  assert.match(
    none.stderr,
    /^error: no clusters to query \(no local dev cluster under .*no-dev\/clusters\); pass --kubeconfig FILE/,
  );
});

test("usage errors exit 2 and say what to write; every command has examples", async () => {
  const cases: Array<[string[], RegExp]> = [
    [
      ["fleet", "status", "--fleet", fleetFile, "-o", "xml"],
      /--output xml is not supported; use one of table, json, yaml/,
    ],
    [["fleet", "status", "--fleet", fleetFile, "--timeout", "soon"], /--timeout soon is not a duration/],
    [
      ["fleet", "status", "--fleet", fleetFile, "--selector", "env"],
      /--selector "env" is not in key=value form/,
    ],
    [
      ["fleet", "status", "--fleet", fleetFile, "--concurrency", "0"],
      /--concurrency "0" is not a positive whole number/,
    ],
    [
      ["fleet", "status", "--fleet", fleetFile, "--context", "nowhere"],
      /--context nowhere matches none of shared, extra, dead/,
    ],
    [
      ["fleet", "versions", "--fleet", join(dir, "missing.yaml")],
      /fleet file .*missing\.yaml: cannot be read/,
    ],
    [
      ["fleet", "preview", `oci://reg.example/fleet:v1.0.0@sha256:${"0".repeat(64)}`, "--fleet", fleetFile],
      /preview needs the candidate as oci:\/\/host\/repo:vX\.Y\.Z/,
    ],
  ];
  for (const [args, re] of cases) {
    const r = await runCli(args, { env });
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
  for (const cmd of ["status", "versions", "drift", "preview"]) {
    const r = await runCli(["fleet", cmd, "--help"], { env });
    assert.equal(r.code, 0);
    assert.match(r.stdout, new RegExp(`Examples:\\n {2}ferry fleet ${cmd}`));
  }
});

test("preview: a tenant's Kustomization is dry-run as its service account, so missing RBAC shows first", async () => {
  const tenant = `${ns}-t`;
  await seedTenant(extraKube, tenant, repo, v1, signal, { serviceAccountName: "deployer" });
  await apply(
    extraKube,
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "deployer", namespace: tenant } },
    signal,
  );
  const args = ["fleet", "preview", `oci://${repo}:v1.1.0`, "--tag", "latest-stable"];
  const scope = ["--fleet", fleetFile, "--context", "extra", "-n", tenant];
  const denied = await runCli([...args, ...scope], { env });
  assert.equal(denied.code, 3, denied.stdout + denied.stderr);
  assert.match(denied.stdout, new RegExp(`system:serviceaccount:${tenant}:deployer`));
  assert.match(denied.stdout, /forbidden/);

  await apply(
    extraKube,
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "deployer", namespace: tenant },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
      subjects: [{ kind: "ServiceAccount", name: "deployer", namespace: tenant }],
    },
    signal,
  );
  const allowed = await runCli([...args, ...scope], { env });
  assert.equal(allowed.code, 1, allowed.stdout + allowed.stderr);
  assert.match(allowed.stdout, new RegExp(`\\nextra +${tenant}/app +.* +2 +0 +0\\n`));
});

test("--wait: status gives up at the deadline; versions follows a tag move until the agent has it", async () => {
  const extraOnly = ["--fleet", fleetFile, "--context", "extra", "-n", ns];
  const gaveUp = await runCli(["fleet", "status", ...extraOnly, "--wait", "1s"], { env });
  assert.equal(gaveUp.code, 1);
  assert.match(
    gaveUp.stderr,
    /^(◎ waiting for extra \(not Ready\)\n)?✗ gave up after [\d.]+s, still waiting for extra \(not Ready\)\n$/,
  );
  assert.match(gaveUp.stdout, /\nextra +False /);

  const moved = await runCli(["tag", "artifact", `oci://${repo}:v1.1.0`, "--tag", "latest-stable"], { env });
  assert.equal(moved.code, 0, moved.stderr);
  const sharedOnly = ["--fleet", fleetFile, "--context", "shared", "-n", ns];
  const before = await runCli(["fleet", "versions", ...sharedOnly], { env });
  assert.equal(before.code, 1);
  // The agent's interval is 10m: ask it to fetch now, while the CLI waits.
  const waiting = runCli(["fleet", "versions", ...sharedOnly, "--wait", "3m"], { env });
  await reconcileSource(kube, ns, "app", signal);
  const r = await waiting;
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`\\n${esc(repo)} +latest-stable@${short(v11)}\\n`));
  // Whether it had to wait depends on how fast the agent is; when it did, it says how long.
  assert.ok(
    r.stderr === "" ||
      /^◎ waiting for shared \S+\/app \(behind\)\n✔ no cluster behind after [\d.]+s\n$/.test(r.stderr),
    r.stderr,
  );
});
