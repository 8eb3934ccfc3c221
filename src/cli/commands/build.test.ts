import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { parseObjects } from "../../render/index.ts";
import { runCli } from "../testing.ts";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const env = { PATH: process.env.PATH, HOME: process.env.HOME };

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ferry-build-cli-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

for (const [cluster, tag] of [
  ["staging", "latest"],
  ["production", "latest-stable"],
]) {
  test(`ferry build kustomization: the ${cluster} tenants with its runtime-info`, async () => {
    const run = await runCli(
      [
        "build",
        "kustomization",
        "--path",
        "examples/fleet/tenants",
        "--substitute-from",
        `examples/fleet/clusters/${cluster}/flux-system/runtime-info.yaml`,
      ],
      { cwd: repo, env },
    );
    assert.equal(run.code, 0, run.stderr);
    const [rset] = parseObjects(run.stdout, "stdout");
    assert.equal(rset?.kind, "ResourceSet");
    const inputs = (rset!.spec as { inputs: Array<{ tag: string; environment: string }> }).inputs;
    assert.deepEqual(
      inputs.map((i) => [i.tag, i.environment]),
      [
        [tag, cluster],
        [tag, cluster],
      ],
    );
  });
}

test("ferry build kustomization: a Kustomization file, KEY=VALUE sources and strict substitution", async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, "vars.env"), "# cluster identity\nCLUSTER_NAME=edge-7\n");
  await writeFile(
    join(dir, "ks.yaml"),
    [
      "apiVersion: kustomize.toolkit.fluxcd.io/v1",
      "kind: Kustomization",
      "metadata: {name: podinfo, namespace: podinfo}",
      "spec:",
      "  interval: 10m",
      "  prune: true",
      "  sourceRef: {kind: OCIRepository, name: podinfo}",
      "  path: ./production",
      "  targetNamespace: edge",
      "  namePrefix: edge-",
      "  postBuild:",
      "    substituteFrom:",
      "      - kind: ConfigMap",
      "        name: flux-runtime-info",
      "",
    ].join("\n"),
  );
  const base = [
    "build",
    "ks",
    "--path",
    "examples/components/podinfo/production",
    "--kustomization",
    join(dir, "ks.yaml"),
  ];
  const runtimeInfo = "examples/fleet/clusters/staging/flux-system/runtime-info.yaml";
  const ok = await runCli(
    [...base, "--substitute-from", runtimeInfo, "--substitute-from", join(dir, "vars.env")],
    {
      cwd: repo,
      env,
    },
  );
  assert.equal(ok.code, 0, ok.stderr);
  const deploy = parseObjects(ok.stdout, "stdout").find((o) => o.kind === "Deployment");
  assert.equal(deploy?.metadata.name, "edge-podinfo");
  assert.equal(deploy?.metadata.namespace, "edge");
  assert.match(ok.stdout, /Hello from edge-7/);

  const strict = await runCli(
    [
      ...base,
      "--substitute-from",
      "examples/fleet/clusters/staging/flux-system/runtime-info.yaml",
      "--strict-substitute",
    ],
    { cwd: repo, env },
  );
  assert.equal(strict.code, 0, strict.stderr);
  assert.match(strict.stdout, /Hello from staging-1/);

  const missing = await runCli([...base, "--strict-substitute"], { cwd: repo, env });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /substituteFrom ConfigMap\/flux-runtime-info .*was not found/);
});

test("ferry build kustomization: usage errors exit 2 and name the file", async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, "bad.env"), "not a pair\n");
  const bad = await runCli(["build", "ks", "--path", dir, "--substitute-from", join(dir, "bad.env")], {
    cwd: repo,
    env,
  });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /bad\.env:1: expected KEY=VALUE/);
  const notDir = await runCli(["build", "ks", "--path", join(dir, "bad.env")], { cwd: repo, env });
  assert.equal(notDir.code, 2);
  assert.match(notDir.stderr, /bad\.env is not a folder/);
  const noValidate = await runCli(["validate", join(dir, "missing")], { cwd: repo, env });
  assert.equal(noValidate.code, 2);
  const absent = await runCli(["build", "ks", "--path", dir, "--kustomization", join(dir, "nope.yaml")], {
    cwd: repo,
    env,
  });
  assert.equal(absent.code, 2);
  assert.match(absent.stderr, /nope\.yaml/);
});

test("ferry build resourceset: the example tenants, with apply-time annotations noted", async () => {
  const run = await runCli(["build", "resourceset", "-f", "examples/fleet/tenants/apps.yaml"], {
    cwd: repo,
    env,
  });
  assert.equal(run.code, 0, run.stderr);
  const objects = parseObjects(run.stdout, "stdout");
  assert.equal(objects.length, 14);
  assert.deepEqual(
    objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name),
    ["podinfo", "redis"],
  );
  for (const o of objects)
    assert.equal(o.metadata.labels?.["resourceset.fluxcd.controlplane.io/name"], "apps");
  assert.equal(run.stderr.match(/fluxcd\.controlplane\.io\/copyFrom/g)?.length, 4);
});

test("ferry build kustomization --expand-resourcesets: what production gets", async () => {
  const run = await runCli(
    [
      "build",
      "kustomization",
      "--path",
      "examples/fleet/tenants",
      "--substitute-from",
      "examples/fleet/clusters/production/flux-system/runtime-info.yaml",
      "--expand-resourcesets",
    ],
    { cwd: repo, env },
  );
  assert.equal(run.code, 0, run.stderr);
  const objects = parseObjects(run.stdout, "stdout");
  assert.equal(objects[0]?.kind, "ResourceSet");
  const repos = objects.filter((o) => o.kind === "OCIRepository") as unknown as Array<{
    metadata: { namespace?: string };
    spec: { url: string; ref: { tag: string } };
  }>;
  assert.deepEqual(
    repos.map((r) => [r.metadata.namespace, r.spec.url, r.spec.ref.tag]),
    [
      ["podinfo", "oci://registry.example.com/ferry/components/podinfo", "latest-stable"],
      ["redis", "oci://registry.example.com/ferry/components/redis", "latest-stable"],
    ],
  );
  const paths = objects
    .filter((o) => o.kind === "Kustomization")
    .map((o) => (o.spec as { path: string }).path);
  assert.deepEqual(paths, ["./production", "./production"]);
});

test("ferry build resourceset --inputs-from: an input list, or Static providers selected by label", async (t) => {
  const dir = await tempDir(t);
  const rset = [
    "apiVersion: fluxcd.controlplane.io/v1",
    "kind: ResourceSet",
    "metadata: {name: envs}",
    "spec:",
    "  inputsFrom:",
    "    - selector: {matchLabels: {fleet: eu}}",
    "  resources:",
    "    - apiVersion: v1",
    "      kind: Namespace",
    "      metadata:",
    "        name: app-<< inputs.region >>",
    "        labels: {provider: << inputs.provider.name >>, id: '<< inputs.id >>'}",
    "",
  ].join("\n");
  await writeFile(join(dir, "rset.yaml"), rset);
  const provider = (name: string, region: string, fleet: string) =>
    `apiVersion: fluxcd.controlplane.io/v1\nkind: ResourceSetInputProvider\nmetadata: {name: ${name}, namespace: flux-system, labels: {fleet: ${fleet}}}\nspec: {type: Static, defaultValues: {region: ${region}}}\n`;
  await writeFile(
    join(dir, "providers.yaml"),
    [provider("eu-west", "west", "eu"), provider("eu-north", "north", "eu"), provider("us", "us", "us")].join(
      "---\n",
    ),
  );
  await writeFile(join(dir, "inputs.yaml"), "- region: one\n- region: two\n");

  const missing = await runCli(["build", "rset", "-f", join(dir, "rset.yaml")], { cwd: repo, env });
  assert.equal(missing.code, 2);
  assert.match(
    missing.stderr,
    /has spec\.inputsFrom: pass the ResourceSetInputProvider manifests with --inputs-from/,
  );

  const byLabel = await runCli(
    ["build", "rset", "-f", join(dir, "rset.yaml"), "--inputs-from", join(dir, "providers.yaml")],
    {
      cwd: repo,
      env,
    },
  );
  assert.equal(byLabel.code, 0, byLabel.stderr);
  const names = parseObjects(byLabel.stdout, "stdout").map((o) => [
    o.metadata.name,
    o.metadata.labels?.provider,
  ]);
  assert.deepEqual(names, [
    ["app-north", "eu-north"],
    ["app-west", "eu-west"],
  ]);

  await writeFile(join(dir, "plain.yaml"), rset.replace(/ {2}inputsFrom:\n.*\n/, ""));
  const list = await runCli(
    ["build", "rset", "-f", join(dir, "plain.yaml"), "-i", join(dir, "inputs.yaml")],
    { cwd: repo, env },
  );
  assert.equal(list.code, 1, list.stdout);
  assert.match(
    list.stderr,
    /spec\.resources\[0\] \(Namespace\/app-<< inputs\.region >>\) with input #1: .*id/,
  );
});

test("ferry build resourceset: steps are marked in the output", async (t) => {
  const dir = await tempDir(t);
  await writeFile(
    join(dir, "steps.yaml"),
    [
      "apiVersion: fluxcd.controlplane.io/v1",
      "kind: ResourceSet",
      "metadata: {name: staged, namespace: apps}",
      "spec:",
      "  inputs: [{version: v1.0.0}]",
      "  steps:",
      "    - name: migrate",
      "      resources:",
      "        - {apiVersion: batch/v1, kind: Job, metadata: {name: 'migrate-<< inputs.version >>', namespace: apps}}",
      "    - name: deploy",
      "      resourcesTemplate: |",
      "        apiVersion: v1",
      "        kind: ConfigMap",
      "        metadata: {name: app, namespace: apps}",
      "        data: {version: << inputs.version >>}",
      "",
    ].join("\n"),
  );
  const run = await runCli(["build", "rset", "-f", join(dir, "steps.yaml")], { cwd: repo, env });
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stdout,
    /^# step: migrate\n---\napiVersion: batch\/v1\n[\s\S]*name: migrate-v1\.0\.0[\s\S]*# step: deploy\n---\n/,
  );
});
