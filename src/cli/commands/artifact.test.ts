import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type SharedRegistries, sharedRegistries, uniqueRepo } from "../../oci/testing.ts";
import { runCli } from "../testing.ts";

let regs: SharedRegistries;
let dir: string;

before(async () => {
  regs = await sharedRegistries();
  dir = await mkdtemp(join(tmpdir(), "ferry-cli-artifact-"));
  await mkdir(join(dir, "src/apps"), { recursive: true });
  await writeFile(join(dir, "src/apps/a.yaml"), "a: 1\n");
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
  await regs.stop();
});

const env = { HOME: "/nonexistent-home" };
const meta = ["--source", "https://example.com/org/fleet", "--revision", "main@sha1:0123"];

test("push, list, tag, diff and pull artifact", async () => {
  const repo = `oci://${regs.open}/${uniqueRepo("cli")}`;
  const push = await runCli(
    ["push", "artifact", `${repo}:v1.0.0`, "--path", "src", ...meta, "-a", "team=platform"],
    { env, cwd: dir },
  );
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stdout.trim(), new RegExp(`^${regs.open}/ferry-test/cli-[0-9a-f]+@sha256:[0-9a-f]{64}$`));

  const json = await runCli(
    ["push", "artifact", `${repo}:main-1`, "--path", "src", ...meta, "--diff-tag", "v1.0.0", "-o", "json"],
    { env, cwd: dir },
  );
  assert.equal(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as { pushed: boolean; digest: string; url: string };
  assert.equal(parsed.pushed, false);
  assert.equal(`${parsed.url}`, `oci://${push.stdout.trim()}`);

  const tag = await runCli(["tag", "artifact", `${repo}:v1.0.0`, "--tag", "latest-stable"], {
    env,
    cwd: dir,
  });
  assert.equal(tag.code, 0, tag.stderr);
  assert.match(tag.stdout, /latest-stable \(new\) -> sha256:/);

  const list = await runCli(["list", "artifacts", repo, "-o", "json"], { env, cwd: dir });
  const rows = JSON.parse(list.stdout) as Array<{ tag: string; revision: string }>;
  assert.deepEqual(
    rows.map((r) => r.tag),
    ["latest-stable", "v1.0.0"],
  );
  assert.equal(rows[1]?.revision, "main@sha1:0123");
  const table = await runCli(["list", "artifacts", repo, "--semver", ">=1.0.0"], { env, cwd: dir });
  assert.match(table.stdout, /^ARTIFACT\s+DIGEST\s+SOURCE\s+REVISION\s+CREATED\n.*:v1\.0\.0\s+sha256:/);

  const same = await runCli(["diff", "artifact", `${repo}:v1.0.0`, "--path", "src"], { env, cwd: dir });
  assert.equal(same.code, 0);
  await writeFile(join(dir, "src/apps/b.yaml"), "b: 1\n");
  const differs = await runCli(["diff", "artifact", `${repo}:v1.0.0`, "--path", "src"], { env, cwd: dir });
  assert.equal(differs.code, 1);
  assert.match(differs.stdout, /added\s+apps\/b\.yaml\n1 added, 0 removed, 0 modified/);

  const refused = await runCli(["push", "artifact", `${repo}:v1.0.0`, "--path", "src", ...meta], {
    env,
    cwd: dir,
  });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^error: .*v1\.0\.0 already exists with different content.*--force/);
  await rm(join(dir, "src/apps/b.yaml"));

  const pull = await runCli(["pull", "artifact", `${repo}:latest-stable`, "--output", "out"], {
    env,
    cwd: dir,
  });
  assert.equal(pull.code, 0, pull.stderr);
  assert.equal(await readFile(join(dir, "out/apps/a.yaml"), "utf8"), "a: 1\n");
  assert.match(pull.stderr, /revision main@sha1:0123/);

  const again = await runCli(["pull", "artifact", `${repo}:latest-stable`, "--output", "out"], {
    env,
    cwd: dir,
  });
  assert.equal(again.code, 2);
  assert.match(again.stderr, /not empty.*--replace/);
  const replaced = await runCli(
    ["pull", "artifact", `${repo}:latest-stable`, "--output", "out", "--replace"],
    { env, cwd: dir },
  );
  assert.equal(replaced.code, 0, replaced.stderr);
  const capped = await runCli(
    ["pull", "artifact", `${repo}:latest-stable`, "--output", "capped", "--max-bytes", "2"],
    { env, cwd: dir },
  );
  assert.equal(capped.code, 1);
  assert.match(capped.stderr, /more than 2 bytes/);
});

test("credentials from --creds and from FERRY_REGISTRY_USER/PASSWORD", async () => {
  const repo = `oci://${regs.auth}/${uniqueRepo("cli-auth")}`;
  const none = await runCli(["push", "artifact", `${repo}:v1`, "--path", "src", ...meta], { env, cwd: dir });
  assert.equal(none.code, 1);
  assert.match(none.stderr, /FERRY_REGISTRY_USER/);
  const creds = await runCli(
    ["push", "artifact", `${repo}:v1`, "--path", "src", ...meta, "--creds", `${regs.user}:${regs.password}`],
    { env, cwd: dir },
  );
  assert.equal(creds.code, 0, creds.stderr);
  const envCreds = await runCli(["list", "artifacts", repo], {
    env: { ...env, FERRY_REGISTRY_USER: regs.user, FERRY_REGISTRY_PASSWORD: regs.password },
    cwd: dir,
  });
  assert.equal(envCreds.code, 0, envCreds.stderr);
  const dockerDir = join(dir, "docker");
  await mkdir(dockerDir, { recursive: true });
  const auth = Buffer.from(`${regs.user}:${regs.password}`).toString("base64");
  await writeFile(join(dockerDir, "config.json"), JSON.stringify({ auths: { [regs.auth]: { auth } } }));
  const docker = await runCli(["list", "artifacts", repo, "--docker-config", "docker/config.json"], {
    env,
    cwd: dir,
  });
  assert.equal(docker.code, 0, docker.stderr);
  const dockerEnv = await runCli(["list", "artifacts", repo], {
    env: { ...env, DOCKER_CONFIG: dockerDir },
    cwd: dir,
  });
  assert.equal(dockerEnv.code, 0, dockerEnv.stderr);
});

test("usage errors exit 2 with one clear line", async (t) => {
  const cases = [
    { argv: ["push", "artifact", `oci://${regs.open}/x/y`, "--path", "src", ...meta], match: /TAG/ },
    {
      argv: ["push", "artifact", `oci://${regs.open}/x/y:v1`, "--path", "src", ...meta, "-a", "novalue"],
      match: /key=value/,
    },
    {
      argv: ["push", "artifact", `oci://${regs.open}/x/y:v1`, "--path", "nope", ...meta],
      match: /nope.*--path/,
    },
    {
      argv: ["list", "artifacts", `oci://${regs.open}/x/y`, "--filter-regex", "("],
      match: /regular expression/,
    },
    { argv: ["list", "artifacts", `oci://${regs.open}/x/y`, "-o", "yaml"], match: /text, json/ },
    { argv: ["pull", "artifact", `oci://${regs.open}/x/y`, "--output", "o"], match: /tag or digest/ },
  ];
  for (const c of cases) {
    await t.test(c.argv.slice(0, 2).join(" "), async () => {
      const r = await runCli(c.argv, { env, cwd: dir });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, c.match);
      assert.equal(r.stderr.trim().split("\n").length, 1);
    });
  }
});

test("every publish command documents an example", async () => {
  for (const argv of [
    ["push", "artifact"],
    ["pull", "artifact"],
    ["tag", "artifact"],
    ["list", "artifacts"],
    ["diff", "artifact"],
  ]) {
    const r = await runCli([...argv, "--help"], { env, cwd: dir });
    assert.equal(r.code, 0);
    assert.match(r.stdout, new RegExp(`Examples:\\n  ferry ${argv.join(" ")}`));
  }
});
